"""Ingestion: idempotent, threaded, edits kept, bad records reported, both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustdesk.collect.ingest import IngestError, find_channel, ingest_batch, run_import
from trustdesk.collect.records import ParsedRecord, Rejected
from trustdesk.inbox.channels import create_brand, create_channel
from trustdesk.inbox.models import Conversation, Customer, Identity, Message, MessageRevision
from trustdesk.store.db import session_factory
from trustdesk.team.models import AuditEvent

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def rec(line: int, pid: str, text: str, **kw) -> ParsedRecord:
    kw.setdefault("created_at", T0 + timedelta(minutes=line))
    kw.setdefault("author_name", "Maria Lopez")
    return ParsedRecord(line=line, platform_id=pid, text=text, raw={"id": pid, "text": text}, **kw)


@pytest.fixture
def channels(session: Session):
    brand = create_brand(session=session, slug="bluebird", name="Bluebird Coffee Co.")
    google = create_channel(
        session=session, brand_id=brand.id, name="google-canal-street", kind="google_business"
    )
    x = create_channel(session=session, brand_id=brand.id, name="x", kind="x")
    session.commit()
    return google, x


def count(session: Session, model) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_ingest_batch_is_idempotent_on_channel_and_platform_id(session, channels):
    google, _ = channels
    batch = [rec(1, "r1", "Cold oat latte", rating=2.0), rec(2, "r2", "Lovely flat white", rating=5.0)]
    first = ingest_batch(session=session, channel=google, records=batch)
    session.commit()
    second = ingest_batch(session=session, channel=google, records=batch)
    session.commit()
    assert (first.new, first.duplicates) == (2, 0)
    assert (second.new, second.updated, second.duplicates) == (0, 0, 2)
    assert count(session, Message) == 2
    assert count(session, Conversation) == 2


def test_ingest_replies_thread_onto_parent_even_within_one_batch(session, channels):
    google, _ = channels
    batch = [
        rec(1, "child", "Still waiting for an answer", parent_platform_id="root"),
        rec(2, "root", "My latte was cold", rating=2.0, created_at=T0),
        rec(
            3,
            "reply",
            "Sorry Maria, we'll fix it",
            parent_platform_id="root",
            direction="outbound",
            kind="reply",
            author_name="Bluebird Coffee",
        ),
    ]
    report = ingest_batch(session=session, channel=google, records=batch)
    session.commit()
    assert report.new == 3
    conversations = session.scalars(select(Conversation)).all()
    assert len(conversations) == 1
    conv = conversations[0]
    assert conv.message_count == 3
    root = session.scalars(select(Message).where(Message.platform_id == "root")).one()
    child = session.scalars(select(Message).where(Message.platform_id == "child")).one()
    assert child.parent_id == root.id and child.conversation_id == conv.id
    assert conv.first_response_at is not None


def test_ingest_reply_in_later_batch_joins_existing_conversation_and_reopens_it(session, channels):
    google, _ = channels
    ingest_batch(session=session, channel=google, records=[rec(1, "root", "Hair in my toastie", rating=1.0)])
    conv = session.scalars(select(Conversation)).one()
    conv.status, conv.resolved_at = "resolved", T0
    session.commit()
    report = ingest_batch(
        session=session,
        channel=google,
        records=[rec(9, "follow", "It happened again today", parent_platform_id="root")],
    )
    session.commit()
    session.refresh(conv)
    assert report.new == 1
    assert conv.status == "open" and conv.message_count == 2
    assert conv.waiting_since is not None
    actions = session.scalars(select(AuditEvent.action)).all()
    assert "conversation.reopened" in actions


def test_ingest_edit_updates_message_and_keeps_history(session, channels):
    google, _ = channels
    ingest_batch(session=session, channel=google, records=[rec(1, "r1", "Two stars, slow", rating=2.0)])
    session.commit()
    edited = rec(1, "r1", "Four stars: Priya sorted it", rating=4.0, updated_at=T0 + timedelta(days=1))
    report = ingest_batch(session=session, channel=google, records=[edited])
    session.commit()
    assert report.updated == 1
    msg = session.scalars(select(Message)).one()
    assert (msg.text, msg.rating) == ("Four stars: Priya sorted it", 4.0)
    assert msg.analyzed_at is None
    history = session.scalars(select(MessageRevision)).all()
    assert [(h.text, h.rating) for h in history] == [("Two stars, slow", 2.0)]


def test_ingest_text_is_stored_exactly_as_received(session, channels):
    google, _ = channels
    hostile = [
        "<script>alert('x')</script><img src=x onerror=alert(1)>",
        "مرحبا، القهوة كانت باردة",
        "☕️🔥🔥 " * 10,
        "x" * 1_000_000,
        "  leading and trailing spaces\r\n\ttabs  ",
        "nul-free but odd: \u202eevil\u202c \ufeff",
    ]
    ingest_batch(session=session, channel=google, records=[rec(i, f"h{i}", t) for i, t in enumerate(hostile)])
    session.commit()
    stored = dict(session.execute(select(Message.platform_id, Message.text)).all())
    assert [stored[f"h{i}"] for i in range(len(hostile))] == hostile


def test_ingest_reports_rejected_and_unknown_channel_lines(session, channels):
    google, _ = channels
    report = ingest_batch(
        session=session,
        channel=google,
        records=[
            Rejected(line=3, reason="invalid JSON"),
            rec(4, "ok", "fine"),
            rec(5, "y", "hm", channel="nowhere"),
        ],
    )
    assert report.new == 1
    assert report.rejected == [
        {"line": 3, "reason": "invalid JSON"},
        {"line": 5, "reason": "unknown channel 'nowhere'"},
    ]


def test_ingest_recognises_a_customer_across_channels(session, channels):
    google, x = channels
    ingest_batch(
        session=session, channel=google, records=[rec(1, "g1", "Cold latte", author_name="Maria Lopez")]
    )
    ingest_batch(
        session=session,
        channel=x,
        records=[
            rec(
                2,
                "t1",
                "@bluebird still cold",
                author_name="Maria Lopez",
                author_handle="@mlopez",
                author_platform_id="111",
            )
        ],
    )
    ingest_batch(
        session=session,
        channel=google,
        records=[rec(3, "g2", "Great", author_name="Sam")],  # one word: too weak to match anyone
    )
    session.commit()
    assert count(session, Identity) == 3
    assert count(session, Customer) == 2
    maria = session.scalars(select(Customer).where(Customer.match_key == "maria lopez")).one()
    assert {i.channel_id for i in maria.identities} == {google.id, x.id}


def test_run_import_commits_per_batch_and_records_the_run(engine, channels):
    records = [rec(i, f"m{i}", f"message {i}") for i in range(1, 8)] + [Rejected(line=8, reason="bad")]
    report = run_import(engine=engine, channel_name="google-canal-street", records=records, batch_size=3)
    assert report.summary() == {
        "new": 7,
        "updated": 0,
        "duplicates": 0,
        "rejected": [{"line": 8, "reason": "bad"}],
    }
    with session_factory(engine)() as s:
        assert count(s, Message) == 7


def test_run_import_unknown_channel_is_a_clear_error(engine, channels):
    with pytest.raises(IngestError) as err:
        run_import(engine=engine, channel_name="yelp", records=[])
    assert err.value.code == "collect.unknown_channel"
    assert "google-canal-street" in str(err.value)


def test_find_channel_by_name(session, channels):
    assert find_channel(session=session, name="x").kind == "x"
