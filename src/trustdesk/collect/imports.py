"""The edges of ingestion: file imports (``run_import``) and batches that lose no good record.

``ingest_resilient`` stores a batch in a savepoint; when the database refuses it (a number past a
column, a value a driver cannot send), it splits the batch until each bad record stands alone and is
rejected with its line and the database's reason, while every good record lands. A unique violation
from a delivery racing its own duplicate is retried once and then reads as a duplicate.

``run_import`` commits each batch with its counts in the ``ImportRun`` row, so a run killed half-way
shows what it stored; the next import of the channel marks such a run ``interrupted``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from itertools import islice
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from trustdesk.collect.ingest import BatchReport, find_channel, ingest_batch
from trustdesk.collect.models import ImportRun
from trustdesk.collect.records import ParsedRecord, Rejected
from trustdesk.inbox.models import Channel, Message
from trustdesk.store.base import utcnow
from trustdesk.store.bulk import unprepared
from trustdesk.store.db import unit_of_work

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 5000
MAX_REJECTED_KEPT = 10_000
"""Rejected lines kept on an ``ImportRun`` (the CLI prints them all as they come)."""
CONNECTION_RETRIES = 5
"""Times a batch is tried again when the database connection drops (a restart, a failover)."""
_FIRST_ANALYZE = 20_000
_GROWING_TABLES = ("messages", "conversations", "identities", "customers")

Record = ParsedRecord | Rejected


def ingest_resilient(
    *,
    session: Session,
    channel: Channel,
    records: Sequence[Record],
    actor_kind: str = "import",
    actor_id: int | None = None,
    track: bool = False,
) -> BatchReport:
    """``ingest_batch`` in savepoints: a record the database refuses is rejected alone, with its reason.

    The session must be in a real transaction (``unit_of_work(write=True)`` on SQLite, whose driver
    otherwise lets the outermost savepoint commit).
    """
    store = partial(
        ingest_batch, session=session, channel=channel, actor_kind=actor_kind, actor_id=actor_id, track=track
    )
    return _resilient(session, store, records)


def _resilient(session: Session, store: Callable[..., BatchReport], records: Sequence[Record]) -> BatchReport:
    for attempt in (1, 2):
        try:
            with session.begin_nested():
                return store(records=records)
        except IntegrityError as exc:
            # The same records stored meanwhile by a racing request: the second try finds them.
            if attempt == 2:
                return _split(session, store, records, exc)
        except OperationalError:
            raise  # the connection, not the data: the caller retries the whole batch
        except Exception as exc:  # noqa: BLE001 - a bad value must not sink its neighbours
            return _split(session, store, records, exc)
    raise AssertionError("unreachable")


def _split(
    session: Session, store: Callable[..., BatchReport], records: Sequence[Record], exc: Exception
) -> BatchReport:
    """Store each half on its own until a refused record stands alone; it is rejected with the reason."""
    if len(records) == 1:
        (record,) = records
        reason = f"not stored: {type(exc).__name__}: {_first_line(exc)}"[:500]
        log.info("import line %s refused by the database: %s", record.line, reason)
        rejected = {"line": record.line, "reason": reason}
        tracked = store.keywords["track"] if isinstance(store, partial) else False
        results = (
            [{**rejected, "id": getattr(record, "platform_id", None), "status": "rejected"}]
            if tracked
            else []
        )
        return BatchReport(rejected=[rejected], results=results)
    middle = len(records) // 2
    report = BatchReport()
    for half in (records[:middle], records[middle:]):
        report.add(_resilient(session, store, half))
    report.results.sort(key=lambda r: r["line"])
    return report


def _first_line(exc: Exception) -> str:
    # Driver errors carry the SQL and parameters on later lines: the reason names the problem only.
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).strip().splitlines() or [""])[0]


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _refresh_statistics(engine: Engine) -> None:
    """ANALYZE the tables an import grows, each time its row count doubles (PostgreSQL).

    The planner sizes its lookups from these statistics; autovacuum refreshes them only after a delay,
    and with a table believed small it tests 5,000 ids against every row of a channel (measured: most of
    a million-message import) instead of probing the unique index 5,000 times.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE " + ", ".join(_GROWING_TABLES))


def _alive(run: ImportRun) -> bool:
    """Whether the process that started ``run`` may still be running it (unknown hosts count as alive)."""
    if run.host != socket.gethostname() or not run.pid:
        return True
    if run.pid == os.getpid():
        return True
    try:
        os.kill(run.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def mark_interrupted(*, session: Session, channel_id: int | None = None) -> list[int]:
    """Mark ``running`` imports whose process is gone as ``interrupted``; returns their ids."""
    stmt = select(ImportRun).where(ImportRun.status == "running")
    if channel_id is not None:
        stmt = stmt.where(ImportRun.channel_id == channel_id)
    stale = [run for run in session.scalars(stmt) if not _alive(run)]
    for run in stale:
        run.status = "interrupted"
    session.flush()
    return [run.id for run in stale]


def pending_analysis(*, session: Session, channel_id: int, limit: int = 1_000_000) -> list[int]:
    """Customer messages of a channel that were stored but never analysed (e.g. by a killed import)."""
    return list(
        session.scalars(
            select(Message.id)
            .where(
                Message.channel_id == channel_id,
                Message.direction == "inbound",
                Message.analyzed_at.is_(None),
            )
            .order_by(Message.id)
            .limit(limit)
        )
    )


def _store_batch(
    engine: Engine, channel_id: int, run_id: int, batch: list[Record], total: BatchReport
) -> BatchReport:
    """One batch and the run's running counts, in one transaction; retried when the connection drops."""
    for attempt in range(CONNECTION_RETRIES + 1):
        try:
            with unit_of_work(engine, write=True) as session, unprepared(session):
                channel = session.get_one(Channel, channel_id)
                report = ingest_resilient(session=session, channel=channel, records=batch)
                session.execute(
                    update(ImportRun)
                    .where(ImportRun.id == run_id)
                    .values(
                        new=total.new + report.new,
                        updated=total.updated + report.updated,
                        duplicates=total.duplicates + report.duplicates,
                        rejected=(total.rejected + report.rejected)[:MAX_REJECTED_KEPT],
                    )
                )
            return report
        except (OperationalError, InterfaceError) as exc:
            if attempt == CONNECTION_RETRIES:
                reason = f"batch not stored, the database was unreachable: {_first_line(exc)}"[:500]
                return BatchReport(rejected=[{"line": r.line, "reason": reason} for r in batch])
            wait = 0.5 * 2**attempt
            log.warning("import batch lost its connection (%s); retrying in %.1f s", _first_line(exc), wait)
            time.sleep(wait)
    raise AssertionError("unreachable")


def run_import(
    *,
    engine: Engine,
    channel_name: str,
    records: Iterable[Record],
    source: str = "",
    format: str = "",
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_batch: Callable[[BatchReport], None] | None = None,
) -> BatchReport:
    """Import ``records`` into a channel, committing each batch with its counts; returns the whole report.

    A record the database refuses is rejected alone with its reason; every other record lands. A batch
    whose connection drops is retried. The run is an ``ImportRun`` (``trustdesk imports show ID``).
    """
    with unit_of_work(engine, write=True) as session:
        channel = find_channel(session=session, name=channel_name)
        channel_id = channel.id
        mark_interrupted(session=session, channel_id=channel_id)
        run = ImportRun(
            channel_id=channel_id,
            source=source[:500],
            format=format,
            status="running",
            pid=os.getpid(),
            host=socket.gethostname()[:255],
        )
        session.add(run)
        session.flush()
        run_id = run.id
    total = BatchReport()
    next_analyze = _FIRST_ANALYZE
    status = "failed"
    try:
        for batch in _batched(records, batch_size):
            report = _store_batch(engine, channel_id, run_id, batch, total)
            total.add(report)
            if total.new >= next_analyze:
                _refresh_statistics(engine)
                next_analyze *= 2
            if on_batch is not None:
                on_batch(report)
        status = "finished"
    finally:
        with (
            contextlib.suppress(OperationalError, InterfaceError),
            unit_of_work(engine, write=True) as session,
        ):
            session.execute(
                update(ImportRun)
                .where(ImportRun.id == run_id)
                .values(
                    finished_at=utcnow(),
                    status=status,
                    new=total.new,
                    updated=total.updated,
                    duplicates=total.duplicates,
                    rejected=total.rejected[:MAX_REJECTED_KEPT],
                )
            )
    total.run_id = run_id
    return total
