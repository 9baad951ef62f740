"""The outbox posts each approved reply exactly once, retries with backoff, and gives up cleanly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.factories import make_channel, make_conversation, make_message

from trustdesk.inbox.models import Channel, Message
from trustdesk.publish.models import OutboxItem, Reply
from trustdesk.publish.outbox import MAX_ATTEMPTS, PostError, backoff, enqueue, mark_posted, process_due
from trustdesk.store.base import utcnow
from trustdesk.team.models import AuditEvent


def _approved(session: Session, kind: str = "google_business") -> Reply:
    channel = make_channel(session, kind=kind)
    conv = make_conversation(session, channel=channel)
    make_message(session, conversation=conv, text="Where is my order?")
    reply = Reply(brand_id=conv.brand_id, conversation_id=conv.id, text="It ships today.", status="approved")
    session.add(reply)
    session.flush()
    return reply


def _outbound(session: Session, reply: Reply) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.conversation_id == reply.conversation_id, Message.direction == "outbound")
        )
        or 0
    )


def test_outbox_manual_channel_waits_for_a_person(session: Session) -> None:
    reply = _approved(session)
    item = enqueue(session=session, reply=reply)
    assert item.status == "manual" and item.next_attempt_at is None
    assert enqueue(session=session, reply=reply).id == item.id  # enqueue twice: one item


def test_outbox_only_approved_replies_enter(session: Session) -> None:
    reply = _approved(session)
    reply.status = "pending"
    with pytest.raises(PostError) as info:
        enqueue(session=session, reply=reply)
    assert info.value.code == "publish.not_approved"


def test_outbox_mark_posted_twice_posts_once(session: Session) -> None:
    reply = _approved(session)
    item = enqueue(session=session, reply=reply)
    first = mark_posted(session=session, item=item, user_id=None)
    second = mark_posted(session=session, item=item, user_id=None)
    assert first.id == second.id and _outbound(session, reply) == 1
    assert first.direction == "outbound" and first.text == "It ships today." and first.kind == "reply"
    assert reply.status == "posted"
    posts = session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "reply.post")
    )
    assert posts == 1


def test_outbox_connector_retries_with_backoff_then_posts_once(session: Session) -> None:
    calls: list[str] = []
    failures = {"left": 2}

    def flaky(channel: Channel, item: OutboxItem, text: str) -> str:
        calls.append(item.idempotency_key)
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("platform timed out")
        return "platform-123"

    connectors = {"google_business": flaky}
    reply = _approved(session)
    item = enqueue(session=session, reply=reply, connectors=connectors)
    assert item.status == "pending"
    now = utcnow()
    assert process_due(session=session, now=now, connectors=connectors) == 0
    assert item.attempts == 1 and item.next_attempt_at == now + backoff(1) and "timed out" in item.last_error
    assert process_due(session=session, now=now, connectors=connectors) == 0  # not due yet: no call
    assert len(calls) == 1
    later = now + timedelta(hours=2)
    process_due(session=session, now=later, connectors=connectors)
    assert item.next_attempt_at == later + backoff(2)
    assert process_due(session=session, now=later + timedelta(hours=2), connectors=connectors) == 1
    assert item.status == "posted" and item.external_id == "platform-123"
    assert process_due(session=session, now=later + timedelta(hours=5), connectors=connectors) == 0
    assert len(calls) == 3 and len(set(calls)) == 1 and _outbound(session, reply) == 1


def test_outbox_gives_up_after_max_attempts(session: Session) -> None:
    def broken(channel: Channel, item: OutboxItem, text: str) -> str:
        raise RuntimeError("gone")

    connectors = {"google_business": broken}
    item = enqueue(session=session, reply=_approved(session), connectors=connectors)
    now = utcnow()
    for i in range(MAX_ATTEMPTS):
        process_due(session=session, now=now + timedelta(days=i), connectors=connectors)
    assert item.status == "failed" and item.attempts == MAX_ATTEMPTS and item.next_attempt_at is None


def test_outbox_backoff_grows_and_is_capped() -> None:
    assert backoff(1) == timedelta(seconds=30)
    assert backoff(2) == timedelta(seconds=60)
    assert backoff(30) == timedelta(hours=1)
