"""Redis restarted with TRUSTDESK_QUEUE=redis: queued analysis is not lost (issue 13).

Redis runs without persistence, so a restart empties the queue, and an import while it is down
cannot queue at all. The database is the record of what waits for analysis: the server's background
round finds pending messages when the queue is empty and queues them again, and the Dramatiq worker
analyses them. Everything runs as real processes against a private redis-server (started and
restarted by this test alone, so the shared Redis of other tests is never touched).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine, func, select
from tests.factories import make_channel
from tests.servers import DeskServer, PrivateRedis, cli, desk_env, wait_for

from trustdesk.inbox.models import Brand, Message
from trustdesk.store.db import unit_of_work

pytestmark = [pytest.mark.slow, pytest.mark.redis]


def _jsonl(path: Path, prefix: str, n: int) -> Path:
    lines = [
        {
            "id": f"{prefix}-{i}",
            "text": f"My order {prefix}{i} arrived cold and late, please refund me",
            "author": f"A {i}",
        }
        for i in range(n)
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def _counts(engine: Engine) -> tuple[int, int]:
    with unit_of_work(engine) as session:
        total = session.scalar(select(func.count()).select_from(Message)) or 0
        pending = session.scalar(select(func.count()).where(Message.analyzed_at.is_(None))) or 0
    return total, pending


def test_redis_restart_loses_no_queued_analysis(db_url: str, engine: Engine, tmp_path: Path) -> None:
    reason = PrivateRedis.unavailable_reason()
    if reason:
        pytest.skip(reason)
    with unit_of_work(engine) as session:
        brand = Brand(slug="acme", name="Acme", settings={})
        session.add(brand)
        session.flush()
        make_channel(session, brand=brand, name="web", kind="website")
    queue = PrivateRedis(tmp_path).start()
    env = desk_env(
        db_url,
        TRUSTDESK_QUEUE="redis",
        TRUSTDESK_REDIS_URL=queue.url,
        TRUSTDESK_BACKGROUND_SECONDS="0.5",
        TRUSTDESK_ANALYSIS_TIER="fast",
    )
    server = DeskServer(env=env, log_path=tmp_path / "server.log")
    worker: subprocess.Popen[bytes] | None = None
    try:
        # 1. Queued while Redis is up, then lost when it restarts (no persistence).
        cli(env, "import", str(_jsonl(tmp_path / "a.jsonl", "a", 20)), "--channel", "web")
        assert _counts(engine) == (20, 20)
        keys = redis.Redis.from_url(queue.url)
        assert keys.keys("trustdesk:*"), "the import queued its analysis"
        keys.close()
        queue.stop()
        # 2. Imported while Redis is down: stored, and the failed enqueue does not fail the import.
        late = cli(env, "import", str(_jsonl(tmp_path / "b.jsonl", "b", 15)), "--channel", "web")
        assert "could not queue analysis" in late.stderr
        assert _counts(engine) == (35, 35)
        queue.start()
        keys = redis.Redis.from_url(queue.url)
        assert not keys.keys("trustdesk:*"), "the restart emptied the queue"
        keys.close()
        # 3. The server re-queues what the database says is pending; a worker analyses it.
        server.start()
        with (tmp_path / "worker.log").open("wb") as out:
            worker = subprocess.Popen(
                [sys.executable, "-m", "trustdesk.cli.main", "worker", "--processes", "1", "--threads", "1"],
                env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_for(lambda: _counts(engine) == (35, 0), "every message to be analysed", 180)
        assert "re-queueing analysis of 35 messages" in server.log()
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
        server.stop()
        queue.stop()
