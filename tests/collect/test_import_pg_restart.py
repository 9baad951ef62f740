"""PostgreSQL restarted during an import: the import fails cleanly or resumes, and a re-run completes once.

The restart is real (``pg_ctl restart -m fast``: every connection is cut, the server is gone for a
moment) but happens on a private PostgreSQL cluster that this test creates in a temp directory and
removes afterwards — restarting the shared server at 127.0.0.1:5432 would break the tests of everyone
else using it at the same time. Marked ``slow`` and ``postgres``; skipped, with the reason, when the
PostgreSQL server binaries (initdb, pg_ctl) are not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from tests.factories import make_channel
from tests.servers import cli, desk_env, free_port, wait_for

from trustdesk.inbox.models import Brand, Conversation, Message
from trustdesk.store.db import make_engine, unit_of_work

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
MESSAGES = 60_000  # twelve batches of 5,000: the restart lands after the first and before the last


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for version in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (version / name).exists():
            return str(version / name)
    return None


class PrivateCluster:
    """A throwaway PostgreSQL cluster on a free port (run as the postgres user when we are root)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="td-pg-restart-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    @property
    def url(self) -> str:
        """SQLAlchemy URL of its ``postgres`` database."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_postgres, *args], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        """initdb and start."""
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        assert initdb and pg_ctl
        self._run(initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.pg_ctl("start", "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off")

    def pg_ctl(self, action: str, *extra: str) -> None:
        """``pg_ctl ACTION`` on this cluster, waiting until it is done."""
        pg_ctl = _pg_bin("pg_ctl")
        assert pg_ctl
        self._run(
            pg_ctl,
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "server.log"),
            "-w",
            "-m",
            "fast",
            action,
            *extra,
        )

    def remove(self) -> None:
        """Stop it and delete its files."""
        if (self.data / "postmaster.pid").exists():
            self.pg_ctl("stop")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    if not (_pg_bin("initdb") and _pg_bin("pg_ctl")):
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        pytest.skip("running as root without runuser: cannot start a private PostgreSQL as postgres")
    c = PrivateCluster()
    try:
        c.init()
        yield c
    finally:
        c.remove()


def _synth(path: Path) -> Path:
    from bench.synth import iter_lines

    with path.open("w", encoding="utf-8") as out:
        out.writelines(iter_lines(MESSAGES, seed=13))
    return path


def _counts(engine: Engine) -> tuple[int, int]:
    with unit_of_work(engine) as session:
        messages = session.scalar(select(func.count()).select_from(Message)) or 0
        counted = session.scalar(select(func.coalesce(func.sum(Conversation.message_count), 0))) or 0
    return messages, counted


def test_import_survives_a_postgresql_restart_and_reruns_exactly_once(
    cluster: PrivateCluster, tmp_path: Path
) -> None:
    env = desk_env(cluster.url)
    cli(env, "db", "upgrade")
    engine = make_engine(cluster.url)
    with unit_of_work(engine) as session:
        brand = Brand(slug="bluebird", name="Bluebird", settings={})
        session.add(brand)
        session.flush()
        from bench.inbox import KINDS
        from bench.synth import DEFAULT_CHANNELS

        for name in DEFAULT_CHANNELS:  # the synthetic lines name their channel
            make_channel(session, brand=brand, name=name, kind=KINDS.get(name, "website"))
    path = _synth(tmp_path / "synth.jsonl")
    log = tmp_path / "first-import.log"
    with log.open("w") as out:  # a file, not a pipe: nobody reads the progress while it runs
        first = subprocess.Popen(
            [sys.executable, "-m", "trustdesk.cli.main", "import", str(path), "--channel", "website", "--no-analyze", "--json"],
            env=env, stdout=out, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
    try:
        wait_for(lambda: first.poll() is not None or _counts(engine)[0] >= 5_000, "the first batch", 300)
        assert first.poll() is None, f"the import ended before the restart: {log.read_text()[-1500:]}"
        engine.dispose()
        cluster.pg_ctl(
            "restart", "-o", f"-p {cluster.port} -k {cluster.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        )
        restarted_during_import = first.poll() is None
        first.wait(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
    stored, counted = _counts(engine)
    assert restarted_during_import, "the import ended before the restart did; make it bigger"
    # Whole batches only, and each conversation's counters agree with its stored messages.
    assert stored % 5_000 == 0 or first.returncode == 0, (stored, log.read_text()[-2000:])
    assert stored == counted
    if first.returncode != 0:
        assert stored < MESSAGES, "a failed import must not claim everything"
    print(f"first import: exit {first.returncode}, {stored} stored; {log.read_text()[-300:]!r}")
    again = cli(env, "import", str(path), "--channel", "website", "--no-analyze", "--json")
    summary = again.stdout.strip().splitlines()[-1]
    import json

    report = json.loads(summary)
    assert report["new"] + report["duplicates"] == MESSAGES, report
    assert report["new"] == MESSAGES - stored, report
    assert _counts(engine) == (MESSAGES, MESSAGES)
    third = json.loads(
        cli(env, "import", str(path), "--channel", "website", "--no-analyze", "--json").stdout.splitlines()[
            -1
        ]
    )
    assert (third["new"], third["duplicates"]) == (0, MESSAGES)  # exactly once: nothing more
    engine.dispose()
