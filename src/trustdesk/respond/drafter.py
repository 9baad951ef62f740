"""The drafter: a ranked set of short, specific, on-policy replies built from the playbook's phrasings.

A draft answers the conversation, not its last line: ``reading.read_conversation`` decides the stance
(thank, apologise, or acknowledge and help), any urgent human matter, and where the thread stands
(new, our question answered, still waiting, resolved). ``plan`` turns that into the moves of the
reply; ``compose`` fills each move with an approved phrasing and the customer's own specifics.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from trustdesk.respond.answers import AnswerSource, FaqSource, best_answer, chain
from trustdesk.respond.checker import SIMILARITY_LIMIT, apologies, check_extracted, requires_lead
from trustdesk.respond.compose import Context, compose, offer_for, plan
from trustdesk.respond.extract import Detail, extract
from trustdesk.respond.reading import Turn, read_conversation
from trustdesk.respond.schemas import CustomerHistory, DraftResult, Finding, Playbook
from trustdesk.respond.situations import (
    channel_kind,
    choose_language,
    is_public,
    length_limits,
    looks_english,
    resolve_situation,
)
from trustdesk.respond.text import RecentIndex, clean, first_name, max_overlap, seed_for, words
from trustdesk.understand.schemas import Analysis

CANDIDATES = 8
"""How many candidate wordings are built and ranked per message (more while all repeat recent ones)."""
VARIETY_TARGET = 0.4
"""Above this overlap with a recent reply, more candidate wordings are tried."""
ALTERNATIVES = 2
MAX_CHECKED = 8
"""At most this many candidates go through the full checker (the cheap order puts the likely best first)."""


def _f(code: str, severity: str, message: str) -> Finding:
    return Finding.model_validate({"code": code, "severity": severity, "message": message})


def _language_findings(analysis: Analysis, language: str, unsupported: bool, message: str) -> list[Finding]:
    """Say when the reply is not in the customer's language, or when their language was unclear."""
    if unsupported:
        return [_f("language_unsupported", "warning",
                   f"the playbook has no {analysis.language!r} phrasings; drafted in {language}")]  # fmt: skip
    unclear = analysis.language in {"und", ""} and language == "en" and len(words(message)) >= 4
    if unclear and not looks_english(message):
        return [_f("language_unknown", "info", "the language could not be identified; drafted in English")]
    return []


def _rank_key(reply: str, findings: list[Finding], similarity: float, limit: int) -> tuple[float, ...]:
    """Fewest violations, one apology at most, fits the channel, fewest warnings, least like recent ones."""
    violations = sum(f.severity == "violation" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    return (violations, float(apologies(reply) > 1), float(len(reply) > limit), warnings,
            round(similarity, 2), len(reply) // 120)  # fmt: skip


def _fit(ctx: Context, steps: list[str], seed: int, detail: Detail | None, limit: int) -> str:
    """One wording that fits the channel: drop optional moves first, then use the shortest phrasings."""
    steps = list(steps)
    reply = compose(ctx, steps, random.Random(seed), detail)
    for drop in ("invite_back", "reference", "remedy", "care", "thank", "greet"):
        if len(reply) <= limit:
            return reply
        keep = drop == "thank" and ctx.reading.stance == "thank"
        if drop in steps and not keep:
            steps.remove(drop)
            reply = compose(ctx, steps, random.Random(seed), detail)
    if len(reply) > limit:
        reply = compose(ctx, steps, random.Random(seed), detail, short=True)
    return reply


def _ranked(
    ctx: Context,
    steps: list[str],
    details: list[Detail | None],
    seed: int,
    limit: int,
    recent: Sequence[str],
    analysis: Analysis,
    channel: str | None,
    role: str,
    rating: float | None,
) -> list[tuple[str, list[Finding]]]:
    """Build candidate wordings and return the best first, then alternatives unlike it and each other."""
    recent_index = RecentIndex.for_texts(recent)
    pool: dict[str, tuple[float, int]] = {}

    # Approved wordings (an offer, a knowledge answer) are the same every time by design: variety is
    # measured on the rest of the reply.
    fixed = [t for t in (ctx.offer.text if ctx.offer else "", ctx.answer.text if ctx.answer else "") if t]

    def free(reply: str) -> str:
        for t in fixed:
            reply = reply.replace(t, " ")
        return reply

    def build(first: int, last: int) -> None:
        for i in range(first, last):
            reply = _fit(ctx, steps, seed + i, details[i % len(details)], limit)
            if reply not in pool:
                pool[reply] = (recent_index.max_overlap(free(reply)), i)

    build(0, CANDIDATES)
    for extra in range(1, 3):  # while everything repeats recent wording, try more (bounded) phrasings
        if min(sim for sim, _ in pool.values()) <= (VARIETY_TARGET if extra == 1 else SIMILARITY_LIMIT):
            break
        build(CANDIDATES * (2 * extra - 1), CANDIDATES * (2 * extra + 1))
    order = sorted(pool, key=lambda r: (len(r) > limit, apologies(r) > 1, pool[r][0] > SIMILARITY_LIMIT,
                                        round(pool[r][0], 1), pool[r][1]))  # fmt: skip
    scored: list[tuple[tuple[float, ...], int, str, list[Finding]]] = []
    clean_found = 0
    for reply in order:
        sim, i = pool[reply]
        checks = check_extracted(message=ctx.message, extraction=ctx.extraction, reply=reply,
                                 playbook=ctx.playbook, channel=channel, analysis=analysis, recent_replies=(),
                                 role=role, situation=ctx.situation, rating=rating,
                                 extra_facts=ctx.extra_facts)  # fmt: skip
        if sim > SIMILARITY_LIMIT:
            checks.append(
                _f("too_similar", "warning", f"shares {sim:.0%} of its wording with an earlier reply")
            )
        scored.append((_rank_key(reply, checks, sim, limit), i, reply, checks))
        clean_found += not any(f.severity != "info" for f in checks)
        if clean_found > ALTERNATIVES * 2 or len(scored) >= MAX_CHECKED:
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


_SENTENCES = re.compile(r"[^.!?\n]+[.!?]*")
_ASKING = re.compile(
    r"^\W*(?:@\w+\s+)*(?:how|when|what|where|why|which|who|do|does|did|can|could|is|are|will|"
    r"would|should|may|have|has|any|cuánto|cuándo|dónde|cómo|qué|tenéis|hay|puedo)\b",
    re.I,
)


def question_text(message: str) -> str:
    """The sentences of a message that ask something."""
    asked = [s for s in _SENTENCES.findall(message) if s.rstrip().endswith("?") or _ASKING.match(s)]
    return " ".join(asked)


def _short_answer(text: str) -> str | None:
    """A short answer to our question ("PS4", "iPhone 12"), kept verbatim for "Thanks for confirming X"."""
    body = re.sub(r"^(?:@\w+\s*)+", "", text).strip(" .!")
    if 0 < len(body.split()) <= 4 and re.fullmatch(r"[\w .+'’-]+", body) and not body.islower():
        return body
    return None


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
    thread: Sequence[Turn] = (),
    agent: str | None = None,
    answers: AnswerSource | None = None,
) -> DraftResult:
    """Draft a ranked set of replies to the newest message of a conversation; deterministic per seed.

    ``thread`` holds the earlier messages (oldest first), ``agent`` the person who will post (they sign),
    ``answers`` a knowledge source asked before the playbook's own FAQ.
    """
    message = clean(text)
    pb = playbook
    turns = [Turn(t.direction, clean(t.text), t.author) for t in thread if t.text and t.text.strip()]
    language, unsupported = choose_language(analysis, pb, message)
    ex = extract(message, pb, language=language if not unsupported else "und")
    kind = channel_kind(channel, pb)
    reading = read_conversation(text=message, analysis=analysis, rating=rating, thread=turns, author=author)
    issue_ex = extract(reading.issue, pb, language=language) if reading.issue != message else ex
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
    escalate = situation.escalate or reading.care is not None
    reason = situation.reason or (
        f"urgent human matter ({reading.care}): answer with care" if reading.care else ""
    )
    if escalate:
        findings.append(_f("escalate", "info", reason or f"{key}: route to a lead"))
    base = DraftResult(reply=None, escalate=escalate, needs_approval=situation.needs_approval,
                       approval_reason=situation.reason if situation.needs_approval else None,
                       language=language, situation=key, seed=seed, findings=findings, care=reading.care,
                       thread=reading.thread)  # fmt: skip
    if not situation.public_reply:
        base.findings = [f for f in findings if not f.code.startswith("language_")]
        base.findings.append(_f("no_public_reply", "info", situation.reason or f"{key}: no public reply"))
        return base
    base.stance = reading.stance
    asks = ex.question or reading.thread == "answered_us"
    # Only the asking sentences choose an answer: "Anyone else had this?" asks nothing the FAQ answers.
    query = f"{reading.issue} {message}" if reading.thread == "answered_us" else question_text(message)
    answer = best_answer(chain(answers, FaqSource(pb)), text=query, language=language) if asks else None
    if asks and answer is None and "question" in reading.cues:
        findings.append(_f("unanswered_question", "info", "nothing in the playbook or knowledge base answers "
                           "this question; the reply says what happens next"))  # fmt: skip
    ctx = Context.build(playbook=pb, language=language, reading=reading, situation=key, steps=situation.steps,
                        message=message, extraction=ex, issue=issue_ex, kind=kind, public=is_public(kind, pb),
                        intent=analysis.intent, answer=answer, history=history,
                        name=(history.first_name if history and history.first_name else None) or author,
                        agent=agent, short_answer=_short_answer(message))  # fmt: skip
    ctx.rating = rating
    ctx.offer = offer_for(ctx, role) if "remedy" in situation.steps else None
    if ctx.offer is not None and ctx.offer.needs_approval:
        base.needs_approval = True
        base.approval_reason = f"the offer {ctx.offer.rule_id!r} needs a {ctx.offer.approver_role}'s approval"
    base.compensation = ctx.offer
    base.answer_id = answer.id if answer else None
    steps = plan(ctx)
    hard, soft = length_limits(kind, pb)
    limit = min(soft, hard) if hard else soft
    recent = [*recent_replies[-pb.recent_window :], *reading.we_said]  # never repeat what we said here
    details: list[Detail | None] = list(ctx.candidates[:2]) or [None]
    chosen = _ranked(ctx, steps, details, seed, limit, recent, analysis, channel, role, rating)
    best, best_checks = chosen[0]
    base.reply = best
    base.alternatives = [c for c, _ in chosen[1:]]
    named = [d for d in [*ctx.candidates, *ctx.praise, *ctx.extraction.details] if d.kind != "unknown_staff"]
    base.details = list(dict.fromkeys(d.text for d in named if d.text in best))[:3]
    base.findings = findings + best_checks
    if requires_lead(best_checks):
        base.needs_approval = True
        base.approval_reason = (
            base.approval_reason or "the best draft still breaks a rule; a lead must review"
        )
    if not ctx.public:
        base.findings.append(_f("private_channel", "info", "private channel: personal details may be used"))
    return base


__all__ = ["Turn", "draft", "first_name"]
