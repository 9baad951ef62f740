"""The registry of queued jobs (Dramatiq on Redis). Workers: ``trustdesk worker``."""

from __future__ import annotations

from collections.abc import Sequence

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from trustdesk.settings import get_settings

ANALYSIS_QUEUE = "analysis"
CHUNK = 512

broker = RedisBroker(url=get_settings().redis_url, namespace="trustdesk")
dramatiq.set_broker(broker)


@dramatiq.actor(queue_name=ANALYSIS_QUEUE, max_retries=5, min_backoff=1_000, time_limit=10 * 60_000)
def analyze_messages_job(message_ids: list[int]) -> int:
    """Analyse these messages if they are still pending (re-fetched; safe to run twice)."""
    from trustdesk.store.db import get_engine
    from trustdesk.worker.analysis import analyze_all_pending

    return analyze_all_pending(engine=get_engine(), message_ids=message_ids)


def enqueue_analysis(message_ids: Sequence[int]) -> None:
    """Queue analysis of committed messages, in chunks."""
    ids = list(message_ids)
    for start in range(0, len(ids), CHUNK):
        analyze_messages_job.send(ids[start : start + CHUNK])
