"""Issue 13 findings 4 and 14: one bad value never loses the rest; a killed import is bookkept."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from trustdesk.cli.main import app as cli
from trustdesk.collect.formats import read
from trustdesk.collect.imports import mark_interrupted, run_import
from trustdesk.collect.models import ImportRun
from trustdesk.collect.records import ParsedRecord
from trustdesk.inbox.channels import create_brand, create_channel
from trustdesk.inbox.models import Message
from trustdesk.store.db import session_factory

runner = CliRunner()


@pytest.fixture
def channel(session: Session) -> str:
    brand = create_brand(session=session, slug="bluebird", name="Bluebird Coffee Co.")
    create_channel(session=session, brand_id=brand.id, name="x", kind="x")
    session.commit()
    return "x"


def _lines(n: int, bad: dict[int, dict[str, object]] | None = None) -> list[str]:
    out = []
    for i in range(1, n + 1):
        obj: dict[str, object] = {"id": f"t{i}", "text": f"Where is my order {i}?", "author": f"Person {i % 97}",
                                  "followers": 10, "created_at": "2026-11-20T08:00:00Z"}  # fmt: skip
        obj.update((bad or {}).get(i, {}))
        out.append(json.dumps(obj))
    return out


def test_import_a_huge_number_on_line_10_loses_only_line_10(engine, channel, tmp_path: Path) -> None:
    """``"followers": 10**30`` on line 10 of 6,000 made the import report ``new 0`` (issue 13)."""
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(_lines(6000, {10: {"followers": 10**30}})) + "\n", encoding="utf-8")
    report = run_import(engine=engine, channel_name=channel, records=read(path))
    assert report.new == 5999
    assert [r["line"] for r in report.rejected] == [10]
    assert "followers" in report.rejected[0]["reason"]
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 5999
        run = s.get_one(ImportRun, report.run_id)
        assert (run.status, run.new, len(run.rejected)) == ("finished", 5999, 1)


def test_import_a_value_the_database_refuses_is_rejected_alone(engine, channel) -> None:
    """A record that passes parsing but not the database (a connector's bug) is split out, not its batch."""
    from datetime import UTC, datetime

    def record(i: int, followers: int) -> ParsedRecord:
        return ParsedRecord(line=i, platform_id=f"p{i}", text=f"message {i}", author_name=f"A {i}",
                            author_followers=followers, created_at=datetime(2026, 11, 1, tzinfo=UTC), raw={})  # fmt: skip

    records = [record(i, 10**30 if i in (3, 41) else 5) for i in range(1, 101)]
    report = run_import(engine=engine, channel_name=channel, records=records, batch_size=50)
    assert report.new == 98
    assert sorted(r["line"] for r in report.rejected) == [3, 41]
    assert all(r["reason"].startswith("not stored:") for r in report.rejected)
    again = run_import(engine=engine, channel_name=channel, records=records, batch_size=50)
    assert (again.new, again.duplicates, len(again.rejected)) == (0, 98, 2)


def test_import_a_dead_runs_row_is_marked_interrupted(engine, channel, session: Session) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    dead.wait()
    import socket

    run = ImportRun(
        channel_id=1, source="killed.jsonl", status="running", pid=dead.pid, host=socket.gethostname()
    )
    alive = ImportRun(
        channel_id=1, source="running.jsonl", status="running", pid=os.getpid(), host=socket.gethostname()
    )
    session.add_all([run, alive])
    session.commit()
    assert mark_interrupted(session=session) == [run.id]
    session.commit()
    assert (session.get_one(ImportRun, run.id).status, session.get_one(ImportRun, alive.id).status) == (
        "interrupted", "running",
    )  # fmt: skip


@pytest.mark.slow
def test_import_killed_mid_way_is_recorded_and_the_rerun_completes_and_analyses_everything(
    db_url: str, tmp_path: Path
) -> None:
    """kill -9 mid-import left the run at new=0, and the re-run skipped analysing what it had stored."""
    assert runner.invoke(cli, ["brands", "add", "acme", "--name", "Acme"]).exit_code == 0
    assert runner.invoke(cli, ["channels", "add", "x", "--kind", "x", "--brand", "acme"]).exit_code == 0
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(_lines(40_000)) + "\n", encoding="utf-8")
    env = {**os.environ, "TRUSTDESK_DATABASE_URL": db_url, "TRUSTDESK_ANALYSIS_TIER": "fast"}
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "trustdesk.cli.main", "import", str(path), "--channel", "x", "--batch-size", "2000"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    from trustdesk.store.db import make_engine

    engine = make_engine(db_url)
    deadline = time.monotonic() + 120
    stored = 0
    while stored < 4000:  # wait until a couple of batches are committed, then kill it hard
        assert proc.poll() is None, "the import finished before it could be killed; make the file bigger"
        assert time.monotonic() < deadline, "the import never committed a batch"
        with session_factory(engine)() as s:
            stored = s.scalar(select(func.coalesce(func.max(ImportRun.new), 0))) or 0
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with session_factory(engine)() as s:
        killed = s.scalars(select(ImportRun)).one()
        assert killed.status == "running" and killed.new >= 4000 and killed.finished_at is None
        before = s.scalar(select(func.count()).select_from(Message))
        assert before == killed.new  # the row's counts are committed with the batches
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "trustdesk.cli.main", "import", str(path), "--channel", "x", "--json"],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["new"] + summary["duplicates"] == 40_000 and summary["new"] == 40_000 - before
    with session_factory(engine)() as s:
        runs = {r.status for r in s.scalars(select(ImportRun))}
        assert runs == {"interrupted", "finished"}
        assert s.scalar(select(func.count()).select_from(Message)) == 40_000
        assert s.scalar(select(func.count()).select_from(Message).where(Message.analyzed_at.is_(None))) == 0
    listed = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "trustdesk.cli.main", "imports", "list", "--json"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    statuses = [json.loads(line)["status"] for line in listed.stdout.splitlines()]
    assert statuses == ["finished", "interrupted"]
    engine.dispose()
