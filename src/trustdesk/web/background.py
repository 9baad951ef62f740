"""In-process background work of the desk: analysis sweeper, outbox posting, SLA escalation, snooze wake-up."""

from __future__ import annotations

import logging
import threading

from fastapi import FastAPI
from sqlalchemy import Engine, update

from trustdesk.inbox.models import Conversation
from trustdesk.knowledge.archive import embed_pending
from trustdesk.publish.outbox import process_due
from trustdesk.store.base import utcnow
from trustdesk.store.db import unit_of_work
from trustdesk.team.sla import escalate_breaches

log = logging.getLogger(__name__)
TICK_SECONDS = 30.0


def tick(engine: Engine) -> dict[str, int]:
    """One round: post due outbox items, escalate SLA breaches, index posted replies, wake snoozed conversations."""
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
    return done


def start_background(app: FastAPI, engine: Engine, interval: float = TICK_SECONDS) -> threading.Event:
    """Start the analysis sweeper (if the worker package offers it) and the desk's periodic tick."""
    from trustdesk import worker

    start_inprocess = getattr(worker, "start_inprocess", None)
    if start_inprocess is not None:
        start_inprocess(engine)
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval):
            try:
                tick(engine)
            except Exception:  # noqa: BLE001 - a bad round is logged; the next one tries again
                log.exception("background tick failed")

    threading.Thread(target=loop, name="trustdesk-desk-tick", daemon=True).start()
    app.state.background_stop = stop
    return stop
