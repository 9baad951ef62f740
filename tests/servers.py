"""Real processes for fault and serving tests: `trustdesk serve`, the CLI, a private Redis; with deadlines."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

STARTUP_SECONDS = 90.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(condition: Callable[[], bool], what: str, seconds: float = STARTUP_SECONDS) -> None:
    """Poll ``condition`` until it holds; fail with ``what`` after ``seconds`` (a deadline, not a sleep)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(0.05)


def desk_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a desk process on ``database_url``."""
    env = {**os.environ, "TRUSTDESK_DATABASE_URL": database_url, "TRUSTDESK_ENV": "test",
           "TRUSTDESK_SECRET_KEY": "test-secret-key-for-real-servers"}  # fmt: skip
    env.update(extra)
    return env


def cli(
    env: dict[str, str], *args: str, check: bool = True, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run ``trustdesk ARGS`` in a subprocess."""
    result = subprocess.run(
        [sys.executable, "-m", "trustdesk.cli.main", *args],
        env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    if check and result.returncode != 0:
        raise AssertionError(
            f"trustdesk {' '.join(args)} -> {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    return result


@dataclass
class DeskServer:
    """A running `trustdesk serve` subprocess."""

    env: dict[str, str]
    log_path: Path
    args: tuple[str, ...] = ()
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> DeskServer:
        """Start and wait until /healthz answers 200."""
        with self.log_path.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "trustdesk.cli.main", "serve", "--port", str(self.port), *self.args],
                env=self.env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        process = self.process

        def healthy() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"server exited {process.returncode}: {self.log()[-3000:]}")
            try:
                return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(healthy, "the server's /healthz")
        return self

    def log(self) -> str:
        """Everything the server printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill9(self) -> None:
        """SIGKILL the server and every worker process it started (nothing gets to clean up)."""
        assert self.process is not None
        for pid in [*_children(self.process.pid), self.process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM and wait (SIGKILL after 30 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill9()


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid``."""
    return _children(pid)


@dataclass
class PrivateRedis:
    """A redis-server of this test alone (no persistence, like the shared one), so it can be restarted."""

    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def unavailable_reason() -> str | None:
        """Why no private Redis can be started here, or None."""
        return (
            None
            if shutil.which("redis-server")
            else "redis-server is not installed (apt-get install redis-server)"
        )

    @property
    def url(self) -> str:
        """redis:// URL."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        """Start and wait until it answers PING."""
        import redis

        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_timeout=1)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_for(answers, "the private Redis", 30)
        client.close()
        return self

    def stop(self) -> None:
        """Stop it (its data, held only in memory, is gone)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
