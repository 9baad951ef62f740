"""Ingestion: idempotent, threaded, edits kept, bad records reported, both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy import text as text_sql
from sqlalchemy.orm import Session

from trustdesk.collect.imports import run_import
from trustdesk.collect.ingest import IngestError, find_channel, ingest_batch
from trustdesk.collect.records import ParsedRecord, Rejected
from trustdesk.inbox.channels import create_brand, create_channel
from trustdesk.inbox.identity import merge_customers, unmerge_customer
from trustdesk.inbox.models import (
    Brand,
    Conversation,
    Customer,
    CustomerSuggestion,
    Identity,
    Message,
    MessageRevision,
)
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


def test_ingest_a_shared_name_is_a_suggestion_not_a_merge(session, channels):
    """Same display name made strangers one customer (416 names over 100,000 tickets; issue 16)."""
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
        ],  # fmt: skip
    )
    ingest_batch(
        session=session,
        channel=google,
        records=[rec(3, "g2", "Great", author_name="Sam")],  # one word: too weak even to suggest
    )
    session.commit()
    assert count(session, Identity) == 3
    assert count(session, Customer) == 3
    marias = session.scalars(
        select(Customer).where(Customer.match_key == "maria lopez").order_by(Customer.id)
    ).all()
    suggestion = session.scalars(select(CustomerSuggestion)).one()
    assert (suggestion.customer_id, suggestion.candidate_id) == (marias[1].id, marias[0].id)
    assert (suggestion.reason, suggestion.status) == ("same name", "open")


def test_ingest_the_same_platform_user_on_two_channels_of_one_platform_is_one_customer(session, channels):
    google, x = channels
    brand = session.get_one(Brand, google.brand_id)
    other_google = create_channel(
        session=session, brand_id=brand.id, name="google-old-town", kind="google_business"
    )
    first = rec(1, "g1", "Cold latte", author_name="Maria Lopez", author_platform_id="G-42")
    ingest_batch(session=session, channel=google, records=[first])
    # same Google user id at another location, with a different display name: evidence, not a name
    ingest_batch(session=session, channel=other_google, records=[rec(2, "g2", "Again", author_name="M. Lopez",
                                                                     author_platform_id="G-42")])  # fmt: skip
    # the same id on another platform is not the same account
    ingest_batch(session=session, channel=x, records=[rec(3, "t3", "hi", author_name="Someone",
                                                          author_platform_id="G-42")])  # fmt: skip
    session.commit()
    owners = {i.channel_id: i.customer_id for i in session.scalars(select(Identity))}
    assert owners[google.id] == owners[other_google.id] != owners[x.id]
    assert not session.scalars(select(CustomerSuggestion)).all()


def test_ingest_suggestions_are_merged_and_unmerged_with_audit(session, channels):
    google, x = channels
    ingest_batch(session=session, channel=google, records=[rec(1, "g1", "Cold", author_name="Rob Tennant")])
    ingest_batch(session=session, channel=x, records=[rec(2, "t1", "Still cold", author_name="Rob Tennant",
                                                          author_handle="@robt")])  # fmt: skip
    session.commit()
    suggestion = session.scalars(select(CustomerSuggestion)).one()
    survivor, merged = suggestion.candidate_id, suggestion.customer_id
    merge_customers(session=session, survivor_id=survivor, merged_id=merged, actor_id=None)
    session.commit()
    assert {c.customer_id for c in session.scalars(select(Conversation))} == {survivor}
    assert session.get_one(CustomerSuggestion, suggestion.id).status == "merged"
    unmerge_customer(session=session, merged_id=merged)
    session.commit()
    by_channel = {c.channel_id: c.customer_id for c in session.scalars(select(Conversation))}
    assert by_channel == {google.id: survivor, x.id: merged}
    assert {m.channel_id: m.customer_id for m in session.scalars(select(Message))} == by_channel
    actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "customer.merged" in actions and "customer.unmerged" in actions


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


def _thread_records() -> list:
    """Three threads, replies before their parents in the file, a grandchild first of all."""
    brand = {"direction": "outbound", "kind": "reply", "author_name": "Bluebird Coffee"}
    return [
        rec(5, "a-grandchild", "Any news?", parent_platform_id="a-child", created_at=T0 + timedelta(hours=5)),
        rec(3, "a-child", "Sorry, refunding now", parent_platform_id="a-root", **brand),
        rec(1, "a-root", "Cold latte again", rating=2.0, author_followers=12_000),
        rec(2, "b-root", "Lovely staff", rating=5.0, author_name="Tom Reed"),
        rec(4, "b-reply", "Thank you Tom!", parent_platform_id="b-root", **brand),
        rec(6, "c-orphan", "Replying to a post we never saw", parent_platform_id="not-imported"),
    ]


def _conversation_state(session: Session) -> list[tuple]:
    rows = session.execute(
        select(Message.platform_id, Conversation).join(
            Conversation, Message.conversation_id == Conversation.id
        )
    ).all()
    roots = {c.id: pid for pid, c in rows if pid.endswith(("root", "orphan"))}
    return sorted(
        (
            pid,
            roots[c.id],
            c.message_count,
            c.first_message_at,
            c.last_message_at,
            c.first_response_at,
            c.waiting_since,
            c.rating,
            c.customer_id is not None,
            c.status,
            round(c.priority, 1),  # its waiting-time term moves with the clock between the two imports
        )
        for pid, c in rows
    )


def test_ingest_threads_give_the_same_conversations_in_one_batch_or_one_message_per_batch(engine, channels):
    """New conversations are written once with their final state; it must equal the fold-in-later path."""
    records = _thread_records()
    run_import(engine=engine, channel_name="google-canal-street", records=records, batch_size=len(records))
    with session_factory(engine)() as s:
        together = _conversation_state(s)
        assert count(s, Conversation) == 3
        grandchild = s.scalars(select(Message).where(Message.platform_id == "a-grandchild")).one()
        child = s.scalars(select(Message).where(Message.platform_id == "a-child")).one()
        assert grandchild.parent_id == child.id
    with session_factory(engine)() as s:
        for model in (Message, Conversation, Identity, Customer):
            s.query(model).delete()
        s.commit()
    # parents first, one record per batch: every reply folds into a stored conversation
    ordered = sorted(records, key=lambda r: r.line)
    run_import(engine=engine, channel_name="google-canal-street", records=ordered, batch_size=1)
    with session_factory(engine)() as s:
        again = _conversation_state(s)
        assert again == together
    by_id = {row[0]: row for row in together}
    assert by_id["a-grandchild"][1] == "a-root" and by_id["a-root"][2] == 3
    assert by_id["a-root"][6] == T0 + timedelta(hours=5)  # waiting since the unanswered follow-up
    assert by_id["b-root"][6] is None and by_id["b-root"][5] is not None  # answered
    assert by_id["c-orphan"][1] == "c-orphan"


def test_ingest_breaks_a_cycle_of_parent_ids_into_one_conversation(session, channels):
    google, _ = channels
    batch = [
        rec(1, "x", "first", parent_platform_id="z"),
        rec(2, "y", "second", parent_platform_id="x"),
        rec(3, "z", "third", parent_platform_id="y"),
        rec(4, "self", "my own parent", parent_platform_id="self"),
    ]
    report = ingest_batch(session=session, channel=google, records=batch)
    session.commit()
    assert report.new == 4
    messages = {m.platform_id: m for m in session.scalars(select(Message))}
    assert len({messages[k].conversation_id for k in "xyz"}) == 1
    assert sum(messages[k].parent_id is None for k in "xyz") == 1
    assert messages["self"].parent_id is None
    assert count(session, Conversation) == 2


def test_run_import_a_reader_error_stops_the_import_after_the_stored_batches(engine, channels):
    def records():
        for i in range(1, 8):
            yield rec(i, f"m{i}", f"message {i}")
        raise OSError("disk went away")

    with pytest.raises(OSError, match="disk went away"):
        run_import(engine=engine, channel_name="google-canal-street", records=records(), batch_size=3)
    with session_factory(engine)() as s:
        # the two full batches were committed; the half batch never got a chance
        assert count(s, Message) == 6


def test_run_import_reads_the_source_one_batch_at_a_time(engine, channels, monkeypatch):
    from trustdesk.collect import imports

    pulled: list[int] = []

    def records():
        for i in range(1, 10_000):
            pulled.append(i)
            yield rec(i, f"m{i}", f"message {i}")

    def broken(**_kw):
        raise KeyboardInterrupt  # not caught per batch: the whole import stops

    monkeypatch.setattr(imports, "ingest_batch", broken)
    with pytest.raises(KeyboardInterrupt):
        run_import(engine=engine, channel_name="google-canal-street", records=records(), batch_size=10)
    assert pulled == list(range(1, 11))  # the first batch, not the whole source


def test_run_import_refreshes_planner_statistics_as_the_tables_grow(engine, channels, monkeypatch):
    from sqlalchemy import text

    from trustdesk.collect import imports

    def analyze_counts() -> dict[str, int]:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT relname, analyze_count FROM pg_stat_user_tables "
                    "WHERE schemaname = current_schema() AND relname IN ('messages', 'conversations')"
                )
            ).all()
        return {name: count for name, count in rows}

    postgres = engine.dialect.name == "postgresql"
    before = analyze_counts() if postgres else {}
    monkeypatch.setattr(imports, "_FIRST_ANALYZE", 3)
    records = [rec(i, f"m{i}", f"message {i}") for i in range(1, 8)]
    report = run_import(engine=engine, channel_name="google-canal-street", records=records, batch_size=3)
    assert report.new == 7
    if postgres:  # SQLite plans these lookups by its indexes alone
        after = analyze_counts()
        # at 3 and 6 new messages: twice
        assert all(after[name] - before.get(name, 0) == 2 for name in ("messages", "conversations")), after


def test_a_jsonl_line_is_kept_as_the_raw_record_verbatim(engine, channels, tmp_path):
    import json

    from trustdesk.collect.formats import read

    lines = [
        '{"id": "j1", "text": "Café <b>closed</b>", "rating": 2, "extra": {"nested": [1, 2.5, null]}}',
        r'{"id":"j2","text":"\u0645\u0631\u062d\u0628\u0627 \ud83d\ude00 مرحبا","shop":"Caf\u00e9","n":1e3}',
    ]
    path = tmp_path / "raw.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = run_import(engine=engine, channel_name="google-canal-street", records=read(path))
    assert report.new == 2
    with session_factory(engine)() as s:
        stored = {m.platform_id: m.raw for m in s.scalars(select(Message))}
        assert stored == {"j1": json.loads(lines[0]), "j2": json.loads(lines[1])}
        if engine.dialect.name == "sqlite":  # the source text itself, not a re-serialisation
            texts = s.execute(text_sql("SELECT raw FROM messages ORDER BY id")).scalars().all()
            assert texts == lines
