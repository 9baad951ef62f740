"""The outbox: approved replies wait here until their channel posts them — exactly once.

A channel with a connector is posted by ``process_due`` with retries and exponential backoff; until
connectors exist (and for Yelp, which has no API) a channel is "manual": the desk shows the text to
copy and a person marks it as posted. Either way ``mark_posted`` turns the reply into an outbound
message in the conversation; the idempotency key (unique in the outbox, and the message's platform
id) makes a second post impossible even if two workers or two clicks race.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustdesk.errors import DomainError
from trustdesk.inbox.models import Channel, Conversation, Message
from trustdesk.publish.models import OutboxItem, Reply
from trustdesk.store.base import utcnow
from trustdesk.store.db import locked
from trustdesk.team import audit

MAX_ATTEMPTS = 8
BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)

Connector = Callable[[Channel, OutboxItem, str], str]
"""Posts ``text`` for an outbox item on a channel and returns the platform's id of the post."""

CONNECTORS: dict[str, Connector] = {}
"""Channel kind -> connector. Empty until platform connectors exist: every channel is manual."""


class PostError(DomainError, RuntimeError):
    """The outbox cannot post this item (codes ``publish.not_approved``, ``publish.failed``)."""

    status = 409


def idempotency_key(reply_id: int) -> str:
    """The one key under which a reply can ever be posted."""
    return hashlib.sha256(f"trustdesk.reply:{reply_id}".encode()).hexdigest()[:40]


def backoff(attempts: int) -> timedelta:
    """Wait before retry number ``attempts`` (30 s, 1 min, 2 min, ... capped at an hour)."""
    return min(MAX_BACKOFF, BASE_BACKOFF * (2 ** max(0, attempts - 1)))


def enqueue(*, session: Session, reply: Reply, connectors: dict[str, Connector] | None = None) -> OutboxItem:
    """Put an approved reply in the outbox (once: a second call returns the same item)."""
    if reply.status != "approved":
        raise PostError("publish.not_approved", "only approved replies go to the outbox")
    existing = session.scalars(select(OutboxItem).where(OutboxItem.reply_id == reply.id)).first()
    if existing is not None:
        return existing
    conversation = session.get_one(Conversation, reply.conversation_id)
    channel = session.get_one(Channel, conversation.channel_id)
    has_connector = channel.kind in (CONNECTORS if connectors is None else connectors)
    item = OutboxItem(
        reply_id=reply.id,
        brand_id=reply.brand_id,
        channel_id=channel.id,
        idempotency_key=idempotency_key(reply.id),
        status="pending" if has_connector else "manual",
        attempts=0,
        next_attempt_at=utcnow() if has_connector else None,
        last_error="",
    )
    session.add(item)
    session.flush()
    return item


def mark_posted(
    *,
    session: Session,
    item: OutboxItem,
    user_id: int | None,
    external_id: str | None = None,
    now: datetime | None = None,
) -> Message:
    """Record the reply as posted: an outbound message in the conversation; idempotent.

    The item is locked and re-read first, so twenty parallel clicks record one post and one audit row.
    """
    item = locked(session, OutboxItem, item.id) or item
    if item.status == "posted" and item.message_id is not None:
        return session.get_one(Message, item.message_id)
    now = now or utcnow()
    reply = session.get_one(Reply, item.reply_id)
    conversation = session.get_one(Conversation, reply.conversation_id)
    platform_id = f"trustdesk:{item.idempotency_key}"
    message = session.scalars(
        select(Message).where(Message.channel_id == item.channel_id, Message.platform_id == platform_id)
    ).first()
    if message is None:
        message = Message(
            conversation_id=conversation.id,
            channel_id=item.channel_id,
            customer_id=None,
            parent_id=reply.in_reply_to_id,
            platform_id=platform_id,
            direction="outbound",
            kind="reply",
            author_name="",
            posted_by_id=reply.author_id,
            text=reply.text,
            is_public=conversation.is_public,
            created_at=now,
            received_at=now,
            raw={"reply_id": reply.id, "external_id": external_id},
        )
        session.add(message)
        session.flush()
        conversation.message_count = (conversation.message_count or 0) + 1
        conversation.last_message_at = max(conversation.last_message_at, now)
        conversation.waiting_since = None
        conversation.first_response_at = conversation.first_response_at or now
        if reply.resolve_on_post:
            conversation.status = "resolved"
            conversation.resolved_at = now
    item.status = "posted"
    item.posted_at = now
    item.posted_by_id = user_id
    item.external_id = external_id
    item.message_id = message.id
    reply.status = "posted"
    reply.updated_at = now
    session.flush()
    audit.record(
        session=session,
        action="reply.post",
        entity_type="reply",
        entity_id=reply.id,
        brand_id=reply.brand_id,
        actor_id=user_id,
        actor_kind="user" if user_id is not None else "system",
        data={
            "outbox_id": item.id,
            "message_id": message.id,
            "external_id": external_id,
            "manual": user_id is not None,
        },
        summary=f"posted reply {reply.id} on channel {item.channel_id}",
    )
    return message


def process_due(
    *,
    session: Session,
    now: datetime | None = None,
    connectors: dict[str, Connector] | None = None,
    limit: int = 50,
) -> int:
    """Post due items through their connectors, with backoff on failure; returns how many were posted."""
    now = now or utcnow()
    connectors = CONNECTORS if connectors is None else connectors
    stmt = (
        select(OutboxItem)
        .where(OutboxItem.status == "pending", OutboxItem.next_attempt_at <= now)
        .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    posted = 0
    for item in session.scalars(stmt).all():
        channel = session.get_one(Channel, item.channel_id)
        connector = connectors.get(channel.kind)
        if connector is None:
            item.status = "manual"
            continue
        item.attempts += 1
        try:
            external_id = connector(channel, item, session.get_one(Reply, item.reply_id).text)
        except Exception as exc:  # noqa: BLE001 - a platform failure is retried, never fatal
            item.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if item.attempts >= MAX_ATTEMPTS:
                item.status = "failed"
                item.next_attempt_at = None
            else:
                item.next_attempt_at = now + backoff(item.attempts)
            continue
        mark_posted(session=session, item=item, user_id=None, external_id=external_id, now=now)
        posted += 1
    session.flush()
    return posted
