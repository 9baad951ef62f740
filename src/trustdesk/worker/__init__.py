"""Background work: the one place that decides where jobs run (in this process, or on Redis workers).

Jobs are queued only after the data they need is committed; they take ids, re-fetch, and are safe to
run twice. On the embedded default (``TRUSTDESK_QUEUE=inprocess``) a daemon thread in the server does
the work; in production (``TRUSTDESK_QUEUE=redis``) Dramatiq workers started with ``trustdesk worker``
do it, and the in-process sweeper still picks up anything a lost message left behind.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import Engine, select

from trustdesk.settings import get_settings

log = logging.getLogger(__name__)


def dispatch_analysis(*, engine: Engine, message_ids: Sequence[int], wait: bool = False) -> None:
    """Have ``message_ids`` analysed: queued to Redis workers, or (embedded) now or by the sweeper."""
    if not message_ids:
        return
    if get_settings().queue == "redis":
        from trustdesk.worker.tasks import enqueue_analysis

        try:
            enqueue_analysis(message_ids)
        except Exception as exc:  # noqa: BLE001 - the rows are committed; the server's round re-queues them
            log.warning(
                "could not queue analysis of %d messages (%s); re-queued later", len(message_ids), exc
            )
        return
    if wait:
        from trustdesk.worker.analysis import analyze_all_pending

        analyze_all_pending(engine=engine, message_ids=message_ids)
        return
    sweeper = _SWEEPERS.get(id(engine))
    if sweeper is not None:
        sweeper.wake()


class Sweeper:
    """A daemon thread that analyses pending messages whenever woken, and every ``interval`` seconds."""

    def __init__(self, engine: Engine, interval: float = 30.0) -> None:
        self.engine = engine
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="trustdesk-sweeper", daemon=True)
        self.idle = threading.Event()

    def start(self) -> Sweeper:
        """Start the thread."""
        self._thread.start()
        return self

    def wake(self) -> None:
        """Look for work now."""
        self.idle.clear()
        self._wake.set()

    def stop(self) -> None:
        """Finish the current batch and stop."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        from trustdesk.worker.analysis import analyze_messages

        while not self._stop.is_set():
            self._wake.clear()
            try:
                while not self._stop.is_set() and analyze_messages(engine=self.engine):
                    pass
            except Exception:  # the sweeper must survive a bad batch; the rows stay pending
                log.exception("analysis sweep failed; will retry")
            self.idle.set()
            self._wake.wait(self.interval)


_SWEEPERS: dict[int, Sweeper] = {}


def start_inprocess(engine: Engine, interval: float = 30.0) -> Sweeper:
    """Start (once per engine) the in-process sweeper that analyses pending messages."""
    sweeper = _SWEEPERS.get(id(engine))
    if sweeper is None:
        sweeper = _SWEEPERS[id(engine)] = Sweeper(engine, interval).start()
    sweeper.wake()
    return sweeper


def stop_inprocess(engine: Engine) -> None:
    """Stop the sweeper of ``engine`` if one runs."""
    sweeper = _SWEEPERS.pop(id(engine), None)
    if sweeper is not None:
        sweeper.stop()


def requeue_lost_analysis(*, engine: Engine, limit: int = 50_000) -> int:
    """Redis mode: queue again the pending messages a lost queue forgot; returns how many were queued.

    The database, not Redis, is the record of what waits for analysis (Redis may run without
    persistence, and a restart empties it). When the queue is empty but messages older than two
    background rounds are still unanalysed, their jobs were lost: they are queued again. Jobs skip
    messages already analysed, so a message queued twice is analysed once.
    """
    from trustdesk.inbox.models import Message
    from trustdesk.store.base import utcnow
    from trustdesk.store.db import unit_of_work
    from trustdesk.worker.tasks import ANALYSIS_QUEUE, broker, enqueue_analysis

    if broker.do_qsize(ANALYSIS_QUEUE):
        return 0  # work is queued or running: nothing can be told lost yet
    before = utcnow() - timedelta(seconds=2 * get_settings().background_seconds)
    with unit_of_work(engine) as session:
        ids = list(
            session.scalars(
                select(Message.id)
                .where(Message.analyzed_at.is_(None), Message.direction == "inbound")
                .where(Message.received_at <= before)
                .order_by(Message.id)
                .limit(limit)
            )
        )
    if ids:
        log.warning("re-queueing analysis of %d messages whose queued jobs were lost", len(ids))
        enqueue_analysis(ids)
    return len(ids)
