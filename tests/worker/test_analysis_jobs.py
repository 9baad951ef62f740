"""The analysis job: in place, by the in-process sweeper, and through Dramatiq on a real Redis."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from trustdesk.collect.ingest import ingest_batch
from trustdesk.collect.records import ParsedRecord
from trustdesk.inbox.channels import create_brand, create_channel
from trustdesk.inbox.models import Conversation, Message
from trustdesk.store.db import session_factory
from trustdesk.worker import start_inprocess, stop_inprocess
from trustdesk.worker.analysis import analyze_all_pending, analyze_messages

TEXTS = {
    "angry": "Absolutely furious. Third time my oat latte order was wrong and nobody at Canal Street cares!!",
    "happy": "Thank you Tom, the Dark Harbour espresso is wonderful. Best coffee in Edinburgh.",
    "spam": "WIN FREE bitcoin now!!! click http://cheap-followers.example/promo to claim your giveaway",
}


@pytest.fixture
def seeded(engine):
    with session_factory(engine)() as s:
        brand = create_brand(session=s, slug="bluebird", name="Bluebird")
        channel = create_channel(session=s, brand_id=brand.id, name="x", kind="x")
        records = [
            ParsedRecord(
                line=i,
                platform_id=key,
                text=text,
                author_name=f"Author {key}",
                kind="mention",
                created_at=datetime(2026, 11, 1, 9, i, tzinfo=UTC),
                author_followers=10 * i,
            )
            for i, (key, text) in enumerate(TEXTS.items())
        ]
        report = ingest_batch(session=s, channel=channel, records=records)
        s.commit()
    return report.message_ids


def by_platform_id(engine) -> dict[str, Message]:
    with session_factory(engine)() as s:
        return {m.platform_id: m for m in s.scalars(select(Message))}


def test_analysis_job_stores_results_and_reorders_the_inbox(engine, seeded):
    assert analyze_messages(engine=engine) == 3
    assert analyze_messages(engine=engine) == 0  # nothing left: safe to run twice
    messages = by_platform_id(engine)
    assert messages["angry"].sentiment == "negative"
    assert messages["happy"].sentiment == "positive"
    assert messages["spam"].spam is True
    assert all(m.analyzed_at is not None and m.analysis_model for m in messages.values())
    with session_factory(engine)() as s:
        convs = {c.id: c for c in s.scalars(select(Conversation))}
    angry = convs[messages["angry"].conversation_id]
    happy = convs[messages["happy"].conversation_id]
    spam = convs[messages["spam"].conversation_id]
    assert angry.sentiment == "negative" and angry.spam is False
    assert angry.priority > happy.priority > spam.priority
    assert spam.spam is True


def test_analysis_job_skips_ids_already_done_and_unknown_ids(engine, seeded):
    assert analyze_all_pending(engine=engine, message_ids=seeded[:1]) == 1
    assert analyze_all_pending(engine=engine, message_ids=[*seeded, 999_999]) == 2


def test_inprocess_sweeper_analyses_pending_messages(engine, seeded):
    sweeper = start_inprocess(engine, interval=3600)
    try:
        assert sweeper.idle.wait(timeout=120)
    finally:
        stop_inprocess(engine)
    assert all(m.analyzed_at is not None for m in by_platform_id(engine).values())


def _redis_reason() -> str | None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError as exc:
        return f"Redis not reachable at 127.0.0.1:6379: {exc}"
    return None


@pytest.mark.redis
def test_dramatiq_worker_on_redis_analyses_queued_messages(engine, seeded, monkeypatch):
    reason = _redis_reason()
    if reason:
        pytest.skip(reason)
    import dramatiq

    from trustdesk.worker import dispatch_analysis
    from trustdesk.worker.tasks import ANALYSIS_QUEUE, broker

    monkeypatch.setenv("TRUSTDESK_QUEUE", "redis")
    from trustdesk.settings import get_settings

    get_settings.cache_clear()
    broker.flush(ANALYSIS_QUEUE)
    dispatch_analysis(engine=engine, message_ids=seeded)
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        broker.join(ANALYSIS_QUEUE, timeout=120_000)
        worker.join()
    finally:
        worker.stop()
        get_settings.cache_clear()
    assert all(m.analyzed_at is not None for m in by_platform_id(engine).values())


def test_conversation_is_as_urgent_as_its_worst_unanswered_message(engine):
    with session_factory(engine)() as s:
        brand = create_brand(session=s, slug="bluebird", name="Bluebird")
        channel = create_channel(session=s, brand_id=brand.id, name="x", kind="x")
        records = [
            ParsedRecord(
                line=1,
                platform_id="t1",
                text=TEXTS["angry"],
                author_name="Viral Person",
                author_followers=48_000,
                created_at=datetime(2026, 11, 1, 9, tzinfo=UTC),
            ),
            ParsedRecord(
                line=2,
                platform_id="t2",
                text="Impressive. Thanks a lot, really.",
                parent_platform_id="t1",
                author_name="Viral Person",
                author_followers=48_000,
                created_at=datetime(2026, 11, 1, 13, tzinfo=UTC),
            ),
        ]
        ingest_batch(session=s, channel=channel, records=records)
        s.commit()
    analyze_all_pending(engine=engine)
    with session_factory(engine)() as s:
        conv = s.scalars(select(Conversation)).one()
        messages = list(s.scalars(select(Message).order_by(Message.platform_id)))
    assert messages[1].sentiment != "negative"  # the newest words alone would rank it low
    assert conv.sentiment == "negative"
    assert conv.urgency == max(m.urgency for m in messages)


def test_auto_gives_a_live_trickle_the_accurate_tier_and_a_backfill_the_fast_one(engine, seeded, monkeypatch):
    from trustdesk.understand import registry

    if not registry.available("accurate"):
        pytest.skip("accurate tier artefacts not shipped")
    monkeypatch.setenv("TRUSTDESK_ANALYSIS_TIER", "auto")
    from trustdesk.settings import get_settings

    get_settings.cache_clear()
    ids = sorted(seeded)
    assert analyze_all_pending(engine=engine, message_ids=ids[:1]) == 1  # one message: live traffic
    monkeypatch.setattr(registry, "AUTO_ACCURATE_UP_TO", 1)
    assert analyze_all_pending(engine=engine) == 2  # a backlog bigger than that: the fast tier
    models = {m.id: m.analysis_model for m in by_platform_id(engine).values()}
    assert models[ids[0]] == registry.TIERS["accurate"]
    assert {models[i] for i in ids[1:]} == {registry.TIERS["fast"]}
    get_settings.cache_clear()
