"""The analysis job: read un-analysed inbound messages, run ``understand``, store the results.

Safe to run twice and in parallel with itself: it only picks rows whose ``analyzed_at`` is still empty
and re-fetches them by id, so a message deleted or already analysed in the meantime is simply skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from trustdesk.inbox.analysis import stored_analysis
from trustdesk.inbox.models import Channel, Conversation, Message
from trustdesk.store.base import utcnow
from trustdesk.store.db import unit_of_work

if TYPE_CHECKING:
    from trustdesk.understand.schemas import Analysis

BATCH = 512


def analyze_messages(
    *,
    engine: Engine,
    message_ids: Sequence[int] | None = None,
    limit: int = BATCH,
    tier: str | None = None,
) -> int:
    """Analyse up to ``limit`` pending inbound messages (of ``message_ids`` if given); returns how many.

    ``tier`` as ``understand.analyze`` takes it (default: the setting, ``auto`` sized by this call).
    """
    from trustdesk.understand import analyze
    from trustdesk.understand.schemas import MessageInput

    with unit_of_work(engine) as session:
        query = select(Message).where(Message.analyzed_at.is_(None), Message.direction == "inbound")
        if message_ids is not None:
            query = query.where(Message.id.in_(list(message_ids)))
        messages = list(session.scalars(query.order_by(Message.id).limit(limit)))
        if not messages:
            return 0
        kinds = _channel_kinds(session)
        inputs = [
            MessageInput(
                text=m.text if not m.title else f"{m.title}\n{m.text}",
                channel=kinds.get(m.channel_id),
                author=m.author_name or None,
                rating=m.rating,
                followers=m.author_followers,
            )
            for m in messages
        ]
        now = utcnow()
        for message, result in zip(messages, analyze(inputs, tier=tier), strict=True):
            message.analyzed_at = now
            message.analysis_model = result.model[:64]
            message.sentiment = result.sentiment
            message.sentiment_score = result.sentiment_score
            message.emotion = result.emotion
            message.emotion_scores = result.emotion_scores
            message.intent = result.intent
            message.abusive = result.abusive
            message.over_the_top = result.over_the_top
            message.spam = result.spam
            message.urgency = result.urgency
            message.analysis_reasons = list(result.reasons)
            if not message.language and result.language != "und":
                message.language = result.language
        session.flush()
        refresh_conversations(
            session=session, conversation_ids={m.conversation_id for m in messages}, now=now
        )
        return len(messages)


def analyze_all_pending(*, engine: Engine, message_ids: Sequence[int] | None = None) -> int:
    """Analyse every pending message (of ``message_ids`` if given), batch by batch; returns how many.

    The tier is chosen once for the whole job, by its size: a live trickle gets the accurate tier and a
    million-message backfill the fast one (``registry.resolve_tier``).
    """
    from trustdesk.understand.registry import resolve_tier

    done = 0
    ids = list(message_ids) if message_ids is not None else None
    tier = resolve_tier(None, count=len(ids) if ids is not None else _pending(engine))
    while True:
        chunk = None if ids is None else ids[:BATCH]
        n = analyze_messages(engine=engine, message_ids=chunk, tier=tier)
        done += n
        if ids is not None:
            ids = ids[BATCH:]
            if not ids:
                return done
        elif n == 0:
            return done


def _pending(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        query = select(func.count()).where(Message.analyzed_at.is_(None), Message.direction == "inbound")
        return session.scalar(query) or 0


def refresh_conversations(
    *, session: Session, conversation_ids: set[int], now: datetime | None = None
) -> None:
    """Recompute each conversation's analysis summary and inbox priority from what still waits for us.

    A conversation is as urgent as its most urgent unanswered customer message: a calm first post
    followed by "200 retweets and still silence" must not sink because the last words were dry.
    """
    from trustdesk.understand.priority import priority

    now = now or utcnow()
    ids = sorted(conversation_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        waiting = _waiting_messages(session, chunk)
        for conv in session.scalars(select(Conversation).where(Conversation.id.in_(chunk))):
            rows = waiting.get(conv.id)
            if not rows:
                continue
            hours = (now - conv.waiting_since).total_seconds() / 3600 if conv.waiting_since else 0.0
            followers = max((r.author_followers or 0 for r in rows), default=0)
            scored = [
                (
                    priority(
                        analysis=_analysed(r),
                        rating=conv.rating,
                        followers=followers,
                        is_public=conv.is_public,
                        waiting_hours=hours,
                    ),
                    r,
                )
                for r in rows
            ]
            best, top = max(scored, key=lambda pair: (pair[0], pair[1].created_at))
            conv.sentiment, conv.emotion, conv.intent = top.sentiment, top.emotion, top.intent
            conv.urgency = top.urgency
            if conv.spam_by_id is None:  # a person's mark (or unmark) stands
                conv.spam = all(bool(r.spam) for r in rows)
            conv.priority = round(best, 3)
    session.flush()


_SUMMARY_COLUMNS = (
    Message.conversation_id,
    Message.direction,
    Message.created_at,
    Message.analyzed_at,
    Message.sentiment,
    Message.sentiment_score,
    Message.emotion,
    Message.emotion_scores,
    Message.intent,
    Message.abusive,
    Message.over_the_top,
    Message.spam,
    Message.language,
    Message.urgency,
    Message.author_followers,
    Message.analysis_reasons,
    Message.analysis_model,
)


def _waiting_messages(session: Session, conversation_ids: list[int]) -> dict[int, list[Any]]:
    """Per conversation, the analysed inbound messages since our last reply (all of them if none)."""
    rows = session.execute(
        select(*_SUMMARY_COLUMNS)
        .where(Message.conversation_id.in_(conversation_ids))
        .order_by(Message.conversation_id, Message.created_at, Message.id)
    )
    out: dict[int, list[Any]] = {}
    for row in rows:
        if row.direction == "outbound":
            out[row.conversation_id] = []  # answered up to here
        elif row.analyzed_at is not None:
            out.setdefault(row.conversation_id, []).append(row)
    if any(not v for v in out.values()):
        # Answered conversations keep the summary of their newest analysed inbound message.
        answered = [cid for cid, v in out.items() if not v]
        for row in session.execute(
            select(*_SUMMARY_COLUMNS)
            .where(
                Message.conversation_id.in_(answered),
                Message.direction == "inbound",
                Message.analyzed_at.is_not(None),
            )
            .order_by(Message.conversation_id, Message.created_at, Message.id)
        ):
            out[row.conversation_id] = [row]
    return out


def _analysed(row: Any) -> Analysis:
    analysis = stored_analysis(row)
    assert analysis is not None  # _waiting_messages only hands back analysed rows
    return analysis


def _channel_kinds(session: Session) -> dict[int, str]:
    return {channel_id: kind for channel_id, kind in session.execute(select(Channel.id, Channel.kind))}
