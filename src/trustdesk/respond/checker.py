"""The reply checker: one function, used for drafts, LLM rewrites and human replies alike."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from trustdesk.respond.extract import Extraction, extract
from trustdesk.respond.schemas import Finding, Playbook
from trustdesk.respond.situations import (
    channel_kind,
    choose_language,
    effective_sentiment,
    is_public,
    length_limits,
    resolve_situation,
)
from trustdesk.respond.text import (
    EMAIL,
    INJECTION,
    PHONE,
    clean,
    mask,
    max_overlap,
    words,
)
from trustdesk.roles import ROLE_RANK, Role, rank
from trustdesk.understand.schemas import Analysis

SIMILARITY_LIMIT = 0.5
"""A reply sharing more than this share of its word trigrams with an earlier reply is too similar."""

_EMPATHY = re.compile(
    r"\b(sorry|apolog\w*|understand\w*|frustrat\w*|disappoint\w*|upset\w*|worr\w*|concern\w*|hear you|"
    r"let down|let you down|fell short|not good enough|shame|angry|annoy\w*|confus\w*|"
    r"sentimos|lo siento|lamentamos|disculpa\w*|entendemos|comprendemos|preocupa\w*|frustrante|enfado)\b",
    re.I,
)
_COMPENSATION = re.compile(
    r"\b(refund\w*|voucher\w*|discount\w*|coupon\w*|credit\w*|gift ?cards?|money back|on us|on the house|"
    r"complimentary|free(?! to)\b|\d+\s?% off|% off|compensat\w*|reimburs\w*|reembolso\w*|descuento\w*|"
    r"(?<=\s)[£$€]\s?\d+(?:[.,]\d+)?|"
    r"gratis|gratuit\w*|por cuenta de la casa|invitamos)",
    re.I,
)
_FACTLIKE = re.compile(
    r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?(?:am|pm)\b|[£$€]\s?\d+(?:[.,]\d+)?|\b\d+(?:[.,]\d+)?\s?%|"
    r"\b\d+\s?(?:working\s)?(?:days?|weeks?|months?|hours?|years?|días|semanas|meses|horas|años)\b|"
    r"\b24/7\b|\b(?:mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?)\b",
    re.I,
)
_BLAME = re.compile(
    r"\b(you should have|you shouldn't have|your (own )?fault|you failed to|you didn't read|as we (already )?said|"
    r"if you had (read|followed|checked)|user error|clearly you|obviously you|you must have)\b",
    re.I,
)
_SARCASM = re.compile(
    r"\b(thanks for nothing|good luck with that|oh well|whatever|lol|lmao|nice try|if you say so|"
    r"sorry you feel|sorry if you feel|sorry that you feel)\b",
    re.I,
)
_LEGAL_ADMISSION = re.compile(
    r"\b(we are liable|we're liable|we accept (full )?liability|our negligence|we were negligent|"
    r"we admit|it was our fault that you (got|were) (ill|sick|injured|hurt))\b",
    re.I,
)
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\U0001f000-\U0001f2ff]")
MARKUP = re.compile(
    r"<[/!]?[a-z][^<>]*>|<!--|<\s*/?\s*(?:script|img|iframe|svg|style|object|embed|link|meta|body)\b"
    r"|javascript\s*:|\bon\w+\s*=",
    re.I,
)
"""Tags, an unclosed dangerous tag ("Hey <SCRIPT,"), javascript: URLs and on…= handlers; "<3" is no tag."""
_ACRONYMS = frozenset(
    {"UK", "EU", "US", "USA", "GBP", "EUR", "FAQ", "OK", "PS", "ID", "PIN", "SMS", "URL", "FW"}
)


_OFFER_CUE = re.compile(
    r"\b(offer\w*|give|giving|gift|send(ing)? you|here'?s|here is|enjoy|issu\w*|provid\w*|add(ing)?|"
    r"refund(ed)? (you|your)|credit(ed)? (you|your)|you('ll| will) (get|receive)|on us|on the house|"
    r"as a (gesture|thank|small apology|apology)|ofrec\w*|regal\w*|te (damos|enviamos|devolvemos))\b"
    r"|\d+\s?% off|[£$€]\s?\d",
    re.I,
)


def _offered(text: str) -> str | None:
    """Compensation words in a sentence that offers something ("we're checking your refund" is no offer)."""
    for sentence in re.split(r"(?<=[.!?])\s+|\n", text):
        m = _COMPENSATION.search(sentence)
        if m and _OFFER_CUE.search(sentence):
            return m.group(0)
    return None


_APOLOGY = re.compile(r"\b(sorry|apolog\w*|sentimos|lo siento|lamentamos|disculpa\w*)\b", re.I)
_DM_ASK = re.compile(r"\b(DM|direct message|private message|message us privately|send us a message)\b", re.I)


def apologies(reply: str) -> int:
    """How many times a reply apologises ("sorry", "apologies", ...)."""
    return len(_APOLOGY.findall(reply))


def requires_lead(findings: Sequence[Finding]) -> bool:
    """True when a lead must approve before the reply may be posted (any violation)."""
    return any(f.severity == "violation" for f in findings)


def _f(code: str, severity: str, message: str, span: str | None = None) -> Finding:
    return Finding.model_validate({"code": code, "severity": severity, "message": message, "span": span})


def _fact_texts(playbook: Playbook) -> list[str]:
    """Sentences the desk may state verbatim (removed before looking for compensation and claims)."""
    texts = [*playbook.facts.statements, *playbook.facts.opening_hours]
    for faq in playbook.facts.faq:
        texts.extend(faq.answers())
    return texts


def _strip_known(reply: str, texts: Sequence[str]) -> str:
    lowered = reply.lower()
    for t in sorted(texts, key=len, reverse=True):
        if t:
            lowered = lowered.replace(t.lower(), " ")
    return lowered


def _check_compensation(
    reply: str, playbook: Playbook, role: str, situation: str | None, kind: str | None, facts_free: str
) -> list[Finding]:
    findings: list[Finding] = []
    remaining = facts_free
    held = rank(role, ROLE_RANK[Role.AGENT])
    offered_any = False
    for rule in playbook.compensation:
        for text in rule.offer.values():
            if text.lower() in remaining:
                offered_any = True
                remaining = remaining.replace(text.lower(), " ")
                if ROLE_RANK[rule.min_role] > held:
                    findings.append(_f("compensation_needs_approval", "violation",
                                       f"offer {rule.id!r} needs a {rule.min_role}: {rule.reason or 'rule'}",
                                       text))  # fmt: skip
                if situation is not None and not (
                    {situation, situation.split(".")[0]} & set(rule.situations)
                ):
                    findings.append(_f("compensation_wrong_situation", "violation",
                                       f"offer {rule.id!r} is for {', '.join(rule.situations)}, not {situation}",
                                       text))  # fmt: skip
    stray = _offered(remaining.replace("feel free", " "))
    if stray:
        offered_any = True
        findings.append(_f("unauthorised_compensation", "violation",
                           "offers compensation that is not in the playbook's rules", stray))  # fmt: skip
    platform = playbook.platforms.get(kind or "")
    if offered_any and platform is not None and platform.no_incentives:
        findings.append(_f("platform_incentive", "violation",
                           f"{kind} replies must not offer incentives ({platform.note or 'platform rule'})"))  # fmt: skip
    return findings


def _check_facts(facts_free: str, message: str, playbook: Playbook) -> list[Finding]:
    corpus = " ".join([message, *playbook.facts.statements, *playbook.facts.opening_hours,
                       *(a for f in playbook.facts.faq for a in f.answers()),
                       *(o for r in playbook.compensation for o in r.offer.values())]).lower()  # fmt: skip
    corpus_norm = re.sub(r"\s+", "", corpus)
    findings = []
    for m in _FACTLIKE.finditer(facts_free):
        claim = m.group(0)
        if re.sub(r"\s+", "", claim.lower()) not in corpus_norm:
            findings.append(_f("invented_fact", "violation",
                               "states a time, price, duration or percentage that is not in the playbook facts",
                               claim))  # fmt: skip
    return findings


def _check_privacy(reply: str, ex: Extraction, playbook: Playbook) -> list[Finding]:
    findings = []
    own = {playbook.facts.care_email.lower()} if playbook.facts.care_email else set()
    exposed = [e for e in EMAIL.findall(reply) if e.lower() not in own]
    exposed += [p for p in PHONE.findall(reply) if sum(c.isdigit() for c in p) >= 9]
    exposed += [o for o in ex.order_numbers if o.lower() in reply.lower()]
    if playbook.facts.order_pattern:
        exposed += re.findall(playbook.facts.order_pattern, reply)
    for item in {e.upper(): e for e in reversed(exposed)}.values():
        findings.append(_f("personal_data", "violation",
                           "repeats personal data (e-mail, phone or order number) in a public reply",
                           mask(item)))  # fmt: skip
    return findings


@lru_cache(maxsize=32)
def _forbidden_regex(phrases: tuple[str, ...]) -> re.Pattern[str]:
    if not phrases:
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in phrases) + r")(?!\w)", re.I)


def _check_tone(reply: str, playbook: Playbook) -> list[Finding]:
    findings = []
    m = _forbidden_regex(tuple(playbook.forbidden_phrases)).search(reply)
    if m:
        findings.append(_f("forbidden_phrase", "warning", "uses a phrase the playbook forbids", m.group(0)))
    for rx, code, msg in (
        (_BLAME, "tone_blame", "blames the customer"),
        (_SARCASM, "tone_sarcasm", "sounds sarcastic or dismissive"),
    ):
        m = rx.search(reply)
        if m:
            findings.append(_f(code, "warning", msg, m.group(0)))
    m = _LEGAL_ADMISSION.search(reply)
    if m:
        findings.append(_f("legal_admission", "violation", "admits legal liability", m.group(0)))
    shouted = [w for w in re.findall(r"\b[A-Z]{3,}\b", reply) if w not in _ACRONYMS]
    letters = [c for c in reply if c.isalpha()]
    if (
        len(shouted) >= 2
        or "!!" in reply
        or (len(letters) > 20 and sum(c.isupper() for c in letters) > 0.4 * len(letters))
    ):
        findings.append(_f("tone_shouting", "warning", "shouts (capitals or repeated exclamation marks)"))
    if playbook.voice.emoji == "never" and _EMOJI.search(reply):
        findings.append(_f("emoji", "warning", "uses emoji although the playbook's voice has none"))
    if MARKUP.search(reply) or INJECTION.search(reply):
        findings.append(_f("unsafe_content", "violation", "contains markup, script or instructions text"))
    return findings


def mentions_detail(reply: str, ex: Extraction) -> bool:
    """True when the reply refers to at least one of the message's specifics."""
    reply_words = set(words(reply))
    lowered = reply.lower()
    return any(any((k in reply_words) or (" " in k and k in lowered) for k in d.keys) for d in ex.details)


def check_reply(
    *,
    message: str,
    reply: str,
    playbook: Playbook,
    channel: str | None = None,
    analysis: Analysis | None = None,
    recent_replies: Sequence[str] = (),
    role: str = "agent",
    situation: str | None = None,
    rating: float | None = None,
) -> list[Finding]:
    """Every problem with ``reply`` as an answer to ``message`` under ``playbook`` (empty: fine to post)."""
    message = clean(message)
    language = choose_language(analysis, playbook, message)[0] if analysis else "en"
    ex = extract(message, playbook, language=language)
    if situation is None and analysis is not None:
        situation = resolve_situation(analysis=analysis, playbook=playbook, extraction=ex,
                                      text=message, rating=rating)[0]  # fmt: skip
    return check_extracted(message=message, extraction=ex, reply=reply, playbook=playbook, channel=channel,
                           analysis=analysis, recent_replies=recent_replies, role=role, situation=situation,
                           rating=rating)  # fmt: skip


def check_extracted(
    *,
    message: str,
    extraction: Extraction,
    reply: str,
    playbook: Playbook,
    channel: str | None,
    analysis: Analysis | None,
    recent_replies: Sequence[str],
    role: str,
    situation: str | None,
    rating: float | None,
    extra_facts: Sequence[str] = (),
) -> list[Finding]:
    """``check_reply`` for a message already cleaned and extracted (the drafter checks many candidates).

    ``extra_facts`` are approved wordings the reply may state as they are (knowledge-base answers).
    """
    ex = extraction
    kind = channel_kind(channel, playbook)
    findings: list[Finding] = []
    facts_free = _strip_known(reply, [*_fact_texts(playbook), *extra_facts])
    findings += _check_compensation(reply, playbook, role, situation, kind, facts_free)
    offers = [o for r in playbook.compensation for o in r.offer.values()]
    findings += _check_facts(_strip_known(facts_free, offers), message, playbook)
    if is_public(kind, playbook):
        findings += _check_privacy(reply, ex, playbook)
    hard, soft = length_limits(kind, playbook)
    if hard is not None and len(reply) > hard:
        findings.append(_f("platform_length", "violation", f"{len(reply)} characters; {kind} allows {hard}"))
    elif len(reply) > soft:
        findings.append(
            _f("too_long", "warning", f"{len(reply)} characters; the playbook's voice allows {soft}")
        )
    findings += _check_tone(reply, playbook)
    if apologies(reply) > 1:
        findings.append(_f("double_apology", "warning", "apologises more than once; once is enough"))
    if not is_public(kind, playbook) and _DM_ASK.search(reply):
        findings.append(_f("dm_on_private_channel", "warning",
                           "asks for a direct message on a private channel: answer here"))  # fmt: skip
    negative = analysis is not None and effective_sentiment(analysis, rating, message) == "negative"
    if negative and not _EMPATHY.search(reply):
        findings.append(
            _f("no_empathy", "warning", "a negative message gets no acknowledgement of the feeling")
        )
    if ex.details and not mentions_detail(reply, ex):
        findings.append(_f("not_personal", "warning", "refers to nothing specific the customer said"))
    if recent_replies:
        window = recent_replies[-playbook.recent_window :]
        sim = max_overlap(reply, window)
        if sim > SIMILARITY_LIMIT:
            findings.append(_f("too_similar", "warning",
                               f"shares {sim:.0%} of its wording with an earlier reply"))  # fmt: skip
    return findings
