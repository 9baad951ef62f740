"""The real server in a subprocess (``trustdesk serve --demo`` on a free port) and headless Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-output" / "screenshots"
DEMO_PASSWORD = "bluebird-demo"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here drives a browser; skip them all, with the reason, when Chromium is missing."""
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)  # a real server and a browser: 10-30 s each
            if not CHROMIUM.exists():
                item.add_marker(
                    pytest.mark.skip(
                        reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)"
                    )
                )


@dataclass
class Server:
    """A running desk."""

    url: str
    database_url: str
    env: dict[str, str]
    workdir: Path

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``trustdesk ...`` against the server's database."""
        return subprocess.run(
            [sys.executable, "-m", "trustdesk.cli.main", *args],
            env=self.env, cwd=self.workdir, capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``trustdesk serve --demo`` on a fresh SQLite file; stopped at the end of the session."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's Chromium at /usr/bin/chromium")
    workdir = tmp_path_factory.mktemp("e2e-server")
    database_url = f"sqlite:///{workdir / 'desk.db'}"
    port = _free_port()
    env = {**os.environ, "TRUSTDESK_DEMO_DATABASE_URL": database_url, "TRUSTDESK_DATABASE_URL": database_url,
           "TRUSTDESK_ENV": "test",
           "TRUSTDESK_SECRET_KEY": "e2e-secret-key-not-for-production"}  # fmt: skip
    log = (workdir / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "trustdesk.cli.main", "serve", "--port", str(port), "--demo"],
        env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {(workdir / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become healthy in 90 s")
            time.sleep(0.3)
        yield Server(url=url, database_url=database_url, env=env, workdir=workdir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def shot(page: object, name: str) -> None:
    """Save a screenshot under test-output/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def sign_in(page: object, server: Server, email: str) -> None:
    """Sign in through the form."""
    page.goto(f"{server.url}/login")  # type: ignore[attr-defined]
    page.fill("input[name=email]", email)  # type: ignore[attr-defined]
    page.fill("input[name=password]", DEMO_PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/inbox")  # type: ignore[attr-defined]
