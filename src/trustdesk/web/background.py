"""In-process background work of the desk: analysis sweeper, outbox posting, SLA escalation, snooze wake-up.

One round at a time across every process on the database: ``trustdesk serve --workers N`` runs the
jobs in its supervising process only, and a second server on the same database (another host, a
rolling restart) skips a round while one is running — each round holds an exclusive lock (a PostgreSQL
advisory lock, or a lock file next to a SQLite database). The jobs are also idempotent, so a round that
runs after another finds nothing left to do.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text, update

from trustdesk.inbox.models import Conversation
from trustdesk.knowledge.archive import embed_pending
from trustdesk.publish.outbox import process_due
from trustdesk.settings import get_settings
from trustdesk.store.base import utcnow
from trustdesk.store.db import unit_of_work
from trustdesk.team.sla import escalate_breaches

log = logging.getLogger(__name__)
LOCK_KEY = 0x7D_E5_C0_01
"""The PostgreSQL advisory lock key of the background round (any fixed 64-bit number)."""


@contextmanager
def exclusive_round(engine: Engine) -> Iterator[bool]:
    """Yield True when this process holds the round's lock (released after), False when another does."""
    if engine.dialect.name == "postgresql":
        # A session-level advisory lock on a connection of its own: it dies with the process, so a
        # killed server never leaves the lock behind.
        with engine.connect() as conn:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar())
            conn.commit()
            try:
                yield got
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                    conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield True  # a private in-memory database has one process by definition
        return
    # flock is released by the kernel when the process dies, like the advisory lock.
    fd = os.open(Path(database).with_name(Path(database).name + "-background.lock"), os.O_RDWR | os.O_CREAT)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def tick(engine: Engine) -> dict[str, int] | None:
    """One round: post due outbox items, escalate SLA breaches, index posted replies, wake snoozed
    conversations, re-queue lost analysis; None when another process is running its round right now."""
    with exclusive_round(engine) as mine:
        if not mine:
            return None
        now = utcnow()
        done: dict[str, int] = {}
        with unit_of_work(engine) as session:
            done["posted"] = process_due(session=session, now=now)
        with unit_of_work(engine) as session:
            done["escalated"] = escalate_breaches(session=session, now=now)
        with unit_of_work(engine) as session:
            # the replies posted since the last round become retrievable as archive suggestions
            done["archived"] = embed_pending(session=session, limit=500)
        with unit_of_work(engine) as session:
            woke = session.execute(
                update(Conversation)
                .where(Conversation.snoozed_until.is_not(None), Conversation.snoozed_until <= now)
                .values(status="open", snoozed_until=None)
            )
            done["woke"] = woke.rowcount or 0  # type: ignore[attr-defined]
        if get_settings().queue == "redis":
            from trustdesk.worker import requeue_lost_analysis

            done["requeued"] = requeue_lost_analysis(engine=engine)
        return done


def start_background(engine: Engine, interval: float | None = None) -> threading.Event:
    """Start the analysis sweeper (embedded queue only) and the desk's periodic round; set the event to stop."""
    from trustdesk.worker import start_inprocess

    if get_settings().queue == "inprocess":
        start_inprocess(engine)
    every = get_settings().background_seconds if interval is None else interval
    stop = threading.Event()

    def loop() -> None:
        while True:
            try:
                done = tick(engine)
                if done and any(done.values()):
                    log.info("background round: %s", done)
            except Exception:  # noqa: BLE001 - a bad round is logged; the next one tries again
                log.exception("background round failed")
            if stop.wait(every):
                return

    threading.Thread(target=loop, name="trustdesk-desk-tick", daemon=True).start()
    log.info("background jobs started in process %s", os.getpid())
    return stop
