"""The drafter: a ranked set of personal, on-policy replies built from the playbook's phrasings."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from trustdesk.respond.checker import SIMILARITY_LIMIT, check_extracted, requires_lead
from trustdesk.respond.extract import Detail, Extraction, extract
from trustdesk.respond.schemas import (
    ROLE_RANK,
    CustomerHistory,
    DraftResult,
    Finding,
    Playbook,
    ProposedCompensation,
)
from trustdesk.respond.situations import (
    channel_kind,
    choose_language,
    effective_sentiment,
    is_public,
    length_limits,
    looks_english,
    resolve_situation,
)
from trustdesk.respond.text import (
    RecentIndex,
    clean,
    expand,
    fill,
    first_name,
    max_overlap,
    seed_for,
    slots,
    tidy,
    words,
)
from trustdesk.understand.schemas import Analysis

CANDIDATES = 10
"""How many candidate wordings are built and ranked per message (four times more when all repeat)."""
VARIETY_TARGET = 0.4
"""Above this overlap with a recent reply, more candidate wordings are tried."""
ALTERNATIVES = 2
DROPPABLE = ("invite_back", "returning", "explain", "thank", "private", "greet", "apologise", "remedy")
"""Steps dropped, in this order, when a reply is too long for its channel (an answer from the facts is
never dropped; the private-channel step only when the facts answered the question)."""


@dataclass(slots=True)
class _Context:
    playbook: Playbook
    language: str
    sentiment: str
    emotion: str
    intent: str
    situation: str
    values: dict[str, str]
    details: list[Detail]
    extraction: Extraction
    history: CustomerHistory | None
    offer: ProposedCompensation | None
    faq_answers: list[str]
    other_channel: bool
    """The customer has also written to us on another channel (say we know, so they need not repeat)."""
    """Approved wordings of the fact that answers the message (empty: none)."""
    is_rating_only: bool


def _f(code: str, severity: str, message: str) -> Finding:
    return Finding.model_validate({"code": code, "severity": severity, "message": message})


def _variant_keys(step: str, ctx: _Context, detail: Detail | None) -> list[str]:
    """Which phrasing variants fit this step, most specific first."""
    s = ctx.sentiment
    if step == "greet":
        return ["named"] if "name" in ctx.values else []
    if step == "signoff":
        return ["signed"] if "signer" in ctx.values else []
    if step == "thank":
        if ctx.is_rating_only:
            return ["rating"]
        if ctx.intent == "suggestion":
            return ["suggestion"]
        if ctx.extraction.question and (ctx.intent == "question" or ctx.situation.startswith("question")):
            return ["question"]
        if s == "positive":
            # "what a lovely review" fits praise, not a positive-sounding refund question
            return ["praise"] if ctx.intent in {"praise", "other", "complaint"} else []
        return ["criticism"] if s == "negative" else []
    if step == "acknowledge":
        return ["abusive", ctx.emotion] if ctx.situation == "abusive" else [ctx.emotion]
    if step == "apologise":
        return ["rating"] if ctx.is_rating_only else []
    if step == "reference":
        if detail is None:
            return []
        if "holding" in ctx.playbook.situations[ctx.situation].steps:
            return [f"{detail.kind}.holding", "holding"]  # serious cases: say what we look into, no more
        if ctx.intent in {"question", "suggestion"} or ctx.situation.startswith("question"):
            return [detail.kind]  # "everyone at Riverside will be thrilled" answers no question
        if detail.contrast and s == "positive":
            return [
                f"{detail.kind}.mixed",
                detail.kind,
            ]  # the gripe in a happy review is not "lovely to hear"
        if s == "positive" and ctx.intent not in {"praise", "other"}:
            return [detail.kind]  # "made our day" fits praise, not a cheerful refund request
        return [f"{detail.kind}.{s}", detail.kind]
    if step == "returning":
        if "topic_unresolved" in ctx.values:
            return ["unresolved"]
        return ["other_channel"] if ctx.other_channel else []
    if step == "answer":
        return [] if ctx.faq_answers else ["unknown"]
    if step == "explain":
        return [ctx.intent]
    if step == "remedy":
        if ctx.offer is None:
            return []
        return ["pending"] if ctx.offer.needs_approval else ["offer"]
    if step == "private":
        return [] if "email" in ctx.values else ["no_email"]
    if step == "holding":
        return [ctx.situation]
    if step == "invite_back":
        return [s]
    return []


def _skip(step: str, ctx: _Context) -> bool:
    """Steps that have nothing to say for this message."""
    if step == "returning":
        h = ctx.history
        return h is None or not (h.returning or h.unresolved_topics or ctx.other_channel)
    if step == "answer":
        return not ctx.faq_answers and not ctx.extraction.question
    if step == "reference":
        return not ctx.details  # a generic "thanks for the detail" would fit any review
    return False


def _phrase(step: str, ctx: _Context, detail: Detail | None, rng: random.Random, short: bool) -> str | None:
    table = ctx.playbook.phrases[ctx.language].get(step, {})
    values = dict(ctx.values)
    if detail is not None:
        values[detail.kind if detail.kind != "unknown_staff" else "topic"] = detail.text
    if ctx.faq_answers:
        values["answer"] = rng.choice(ctx.faq_answers)
    if ctx.offer is not None:
        values["offer"] = ctx.offer.text
    if step == "returning" and "topic_unresolved" in ctx.values:
        values["topic"] = ctx.values["topic_unresolved"]
    for key in [*_variant_keys(step, ctx, detail), "default"]:
        usable = [t for t in table.get(key, []) if slots(t) <= values.keys()]
        if usable:
            if short:  # a tight channel: the shortest wording of the shortest phrasing
                return fill(min((expand(t, rng, shortest=True) for t in usable), key=len), values)
            return fill(expand(rng.choice(usable), rng), values)
    return None


def _compose(
    ctx: _Context,
    steps: Sequence[str],
    rng: random.Random,
    detail: Detail | None,
    short: bool = False,
    second: Detail | None = None,
) -> str:
    greet, body, signoff = "", [], ""
    for step in steps:
        if _skip(step, ctx):
            continue
        text = _phrase(step, ctx, detail if step == "reference" else None, rng, short)
        if step == "reference" and text and second is not None and not short:
            also = None
            for _ in range(8):  # the second specific, preferably in different words from the first
                also = _phrase(step, ctx, second, rng, short)
                if also and also.split()[:3] != text.split()[:3]:
                    break
            text = f"{text} {also}" if also else text
        if not text:
            continue
        if step == "greet":
            greet = text
        elif step == "signoff":
            signoff = text
        else:
            body.append(text)
    return tidy("\n".join(part for part in (greet, " ".join(body), signoff) if part))


def _offer(ctx_situation: str, intent: str, sentiment: str, pb: Playbook, lang: str, role: str,
           kind: str | None) -> ProposedCompensation | None:  # fmt: skip
    """The one rule for this situation (most specific key first), so the same case gets the same offer."""
    rule_for_platform = pb.platforms.get(kind or "")
    if rule_for_platform is not None and rule_for_platform.no_incentives:
        return None
    for key in (ctx_situation, ctx_situation.split(".")[0], intent, sentiment):
        for rule in pb.compensation:
            if key in rule.situations:
                needs = ROLE_RANK[rule.min_role] > ROLE_RANK.get(role, 0)
                text = rule.offer.get(lang) or rule.offer.get("en") or next(iter(rule.offer.values()))
                return ProposedCompensation(rule_id=rule.id, text=text, needs_approval=needs,
                                            approver_role=rule.min_role)  # fmt: skip
    return None


def _required_steps(steps: list[str], sentiment: str) -> list[str]:
    """Every negative message gets its feeling acknowledged, every positive one gets thanks."""
    need = {"negative": "acknowledge", "positive": "thank"}.get(sentiment)
    if need and need not in steps and "holding" not in steps and steps:
        steps.insert(1 if steps[0] == "greet" else 0, need)
    return steps


def _rank_key(reply: str, findings: list[Finding], similarity: float, limit: int) -> tuple[float, ...]:
    """Fewest violations, fits the channel, fewest warnings, least like recent replies."""
    violations = sum(f.severity == "violation" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    return (violations, float(len(reply) > limit), warnings, round(similarity, 2))


def _fit(ctx: _Context, steps: list[str], seed: int, detail: Detail | None, limit: int) -> str:
    """One wording that fits the channel: drop optional steps first, then use the shortest phrasings."""
    steps = list(steps)
    # A second specific (the product *and* the café) when there is room and it is a different kind.
    gripes = [d for d in ctx.details if d.contrast and d != detail]
    gripe = next((d for d in gripes if d.kind in {"topic", "product"}), gripes[0] if gripes else None)
    second = (
        gripe if detail is not None and not detail.contrast and ctx.sentiment == "positive" else None
    ) or next(
        (
            d
            for d in ctx.details[:3]
            if detail and not d.weak and d != detail and d.contrast == detail.contrast
        ),
        None,
    )
    if (
        detail is not None
        and second is not None
        and detail.kind == second.kind == "topic"
        and second.contrast == detail.contrast
    ):
        # Two topics read better as one: "we're looking into the coffee and the seating" (also two gripes
        # after a "but"; a praised topic and a gripe stay apart).
        joiner = " y " if ctx.language == "es" else " and "
        detail = Detail("topic", detail.text + joiner + second.text, detail.keys + second.keys, detail.weak)
        second = None
    if second is not None:
        reply = _compose(ctx, steps, random.Random(seed), detail, second=second)
        if len(reply) <= limit:
            return reply
    reply = _compose(ctx, steps, random.Random(seed), detail)
    for drop in DROPPABLE:
        if len(reply) <= limit:
            return reply
        keep = (drop == "thank" and ctx.sentiment == "positive") or (
            drop == "private" and not ctx.faq_answers
        )
        if drop in steps and not keep:
            steps.remove(drop)
            reply = _compose(ctx, steps, random.Random(seed), detail)
    if len(reply) > limit:
        reply = _compose(ctx, steps, random.Random(seed), detail, short=True)
    return reply


def _slot_values(pb: Playbook, history: CustomerHistory | None, author: str | None) -> dict[str, str]:
    """What the templates' {slots} are filled with, apart from the message's specifics."""
    values = {"brand": pb.facts.short_name or pb.facts.brand}
    if pb.voice.signer:
        values["signer"] = pb.voice.signer
    if pb.facts.care_email:
        values["email"] = pb.facts.care_email
    name = (history.first_name if history and history.first_name else None) or first_name(author)
    if name and pb.voice.use_first_names:
        values["name"] = name  # first name only: never the full name in public
    if history and history.unresolved_topics:
        values["topic_unresolved"] = clean(history.unresolved_topics[0])[:60]
    return values


def _language_findings(analysis: Analysis, language: str, unsupported: bool, message: str) -> list[Finding]:
    """Say when the reply is not in the customer's language, or when their language was unclear."""
    if unsupported:
        return [_f("language_unsupported", "warning",
                   f"the playbook has no {analysis.language!r} phrasings; drafted in {language}")]  # fmt: skip
    unclear = analysis.language in {"und", ""} and language == "en" and len(words(message)) >= 4
    if unclear and not looks_english(message):
        return [_f("language_unknown", "info", "the language could not be identified; drafted in English")]
    return []


def _ranked(
    ctx: _Context,
    steps: list[str],
    details: list[Detail | None],
    seed: int,
    limit: int,
    recent: Sequence[str],
    message: str,
    analysis: Analysis,
    channel: str | None,
    role: str,
    rating: float | None,
) -> list[tuple[str, list[Finding]]]:
    """Build candidate wordings and return the best first, then alternatives unlike it and each other."""
    recent_index = RecentIndex.for_texts(recent)
    pool: dict[str, tuple[float, int]] = {}

    def build(first: int, last: int) -> None:
        for i in range(first, last):
            reply = _fit(ctx, steps, seed + i, details[i % len(details)], limit)
            if reply not in pool:
                pool[reply] = (recent_index.max_overlap(reply), i)

    build(0, CANDIDATES)
    # While everything repeats recent wording, try more phrasings (bounded, so latency stays bounded).
    for extra in range(1, 4):
        if min(sim for sim, _ in pool.values()) <= (VARIETY_TARGET if extra == 1 else SIMILARITY_LIMIT):
            break
        build(CANDIDATES * (2 * extra - 1), CANDIDATES * (2 * extra + 1))
    # Cheap order first (fits, least like recent replies); the full checker runs only until enough pass.
    order = sorted(
        pool, key=lambda r: (len(r) > limit, pool[r][0] > SIMILARITY_LIMIT, round(pool[r][0], 1), pool[r][1])
    )
    scored: list[tuple[tuple[float, ...], int, str, list[Finding]]] = []
    clean_found = 0
    for reply in order:
        sim, i = pool[reply]
        checks = check_extracted(message=message, extraction=ctx.extraction, reply=reply, playbook=ctx.playbook,
                                 channel=channel, analysis=analysis, recent_replies=(), role=role,
                                 situation=ctx.situation, rating=rating)  # fmt: skip
        if sim > SIMILARITY_LIMIT:
            checks.append(
                _f("too_similar", "warning", f"shares {sim:.0%} of its wording with an earlier reply")
            )
        scored.append((_rank_key(reply, checks, sim, limit), i, reply, checks))
        clean_found += not any(f.severity != "info" for f in checks)
        if clean_found > ALTERNATIVES * 2:
            break
    scored.sort(key=lambda s: (s[0], s[1]))
    chosen: list[tuple[str, list[Finding]]] = []
    for _, _, reply, checks in scored:
        if chosen and requires_lead(checks):
            continue  # an alternative that breaks a rule is no alternative
        if not chosen or max_overlap(reply, [c for c, _ in chosen]) < 0.6:
            chosen.append((reply, checks))
        if len(chosen) > ALTERNATIVES:
            break
    return chosen


def draft(
    *,
    text: str,
    analysis: Analysis,
    playbook: Playbook,
    channel: str | None = None,
    author: str | None = None,
    rating: float | None = None,
    history: CustomerHistory | None = None,
    recent_replies: Sequence[str] = (),
    role: str = "agent",
    seed: int | None = None,
) -> DraftResult:
    """Draft a ranked set of replies to one message; deterministic for the same inputs and seed."""
    message = clean(text)
    pb = playbook
    language, unsupported = choose_language(analysis, pb, message)
    # Topic words are only looked for in a language the playbook speaks (a French "café" is no topic).
    ex = extract(message, pb, language=language if not unsupported else "und")
    kind = channel_kind(channel, pb)
    sentiment = effective_sentiment(analysis, rating, message)
    key, situation = resolve_situation(
        analysis=analysis, playbook=pb, extraction=ex, text=message, rating=rating
    )
    seed = seed if seed is not None else seed_for(message, channel, author, str(rating))
    findings = _language_findings(analysis, language, unsupported, message)
    if ex.injection:
        findings.append(_f("instructions_ignored", "info",
                           "the message contains instructions to the desk; they were ignored and not repeated"))  # fmt: skip
    if ex.unknown_staff:
        findings.append(_f("unknown_staff", "info", "names someone who is not in the playbook's staff list; "
                           "the reply does not name them — check who it was"))  # fmt: skip
    reason = situation.reason or None
    if situation.escalate:
        findings.append(_f("escalate", "info", situation.reason or f"{key}: route to a lead"))
    base = DraftResult(reply=None, escalate=situation.escalate, needs_approval=situation.needs_approval,
                       approval_reason=reason if situation.needs_approval else None, language=language,
                       situation=key, seed=seed, findings=findings)  # fmt: skip
    if not situation.public_reply:
        base.findings = [f for f in findings if not f.code.startswith("language_")]
        base.findings.append(_f("no_public_reply", "info", situation.reason or f"{key}: no public reply"))
        return base
    values = _slot_values(pb, history, author)
    offer = None
    if "remedy" in situation.steps:
        offer = _offer(key, analysis.intent, sentiment, pb, language, role, kind)
    if offer is not None and offer.needs_approval:
        base.needs_approval = True
        base.approval_reason = f"the offer {offer.rule_id!r} needs a {offer.approver_role}'s approval"
    base.compensation = offer
    faq_answers: list[str] = []
    if ex.faq_ids and (ex.question or analysis.intent in {"question", "delivery", "return_exchange"}):
        faq = next(f for f in pb.facts.faq if f.id == ex.faq_ids[0])
        wordings = faq.answer.get(language) or faq.answer.get("en") or []
        faq_answers = list(wordings)
    elif ex.question and "answer" in situation.steps:
        findings.append(_f("unanswered_question", "info",
                           "the playbook's facts do not answer this question; the reply promises to find out"))  # fmt: skip
    other_channel = bool(history and any(channel_kind(c, pb) != kind for c in history.channels if c))
    ctx = _Context(pb, language, sentiment, analysis.emotion, analysis.intent, key, values, ex.details, ex,
                   history, offer, faq_answers, other_channel, key.startswith("rating_only"))  # fmt: skip
    base.details = [d.text for d in ex.details[:2]]
    base_steps = _required_steps(list(situation.steps), sentiment)
    hard, soft = length_limits(kind, pb)
    limit = min(soft, hard) if hard else soft
    recent = list(recent_replies[-pb.recent_window :])
    # Alternate between the two strongest specifics; a weak (out-of-lexicon) one only when it is all we have.
    strong = [d for d in ex.details if not d.weak]
    if sentiment == "negative":  # in "lovely buns, but the wifi drops", the wifi is what needs an answer
        strong.sort(key=lambda d: (not d.contrast, d.kind != "unknown_staff"))
    strong = strong[:2]
    details: list[Detail | None] = [*(strong or ex.details[:1])] or [None]
    chosen = _ranked(ctx, base_steps, details, seed, limit, recent, message, analysis, channel, role, rating)
    best, best_checks = chosen[0]
    base.reply = best
    base.alternatives = [c for c, _ in chosen[1:]]
    base.findings = findings + best_checks
    if requires_lead(best_checks):
        base.needs_approval = True
        base.approval_reason = (
            base.approval_reason or "the best draft still breaks a rule; a lead must review"
        )
    if not is_public(kind, pb):
        base.findings.append(_f("private_channel", "info", "private channel: personal details may be used"))
    return base
