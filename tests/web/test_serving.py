"""`trustdesk serve` in production shape: worker processes, one background runner, trusted proxies.

Real server processes on a free port of 127.0.0.1 (issue 13: several workers, proxy headers, and the
background jobs — outbox, SLA, snooze — must not run N times with N workers).
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select
from tests.factories import make_channel, make_conversation
from tests.servers import DeskServer, children, desk_env, wait_for
from tests.web.conftest import Desk

from trustdesk.inbox.models import Brand, Conversation, ConversationTag
from trustdesk.store.base import utcnow
from trustdesk.store.db import unit_of_work
from trustdesk.team.models import AuditEvent
from trustdesk.web.background import exclusive_round, tick

pytestmark = pytest.mark.slow


def _snoozed_conversation(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        brand = Brand(slug="acme", name="Acme", settings={})
        session.add(brand)
        session.flush()
        channel = make_channel(session, brand=brand, name="web", kind="website")
        conv = make_conversation(
            session, channel=channel, status="waiting", snoozed_until=utcnow() - timedelta(minutes=1)
        )
        return conv.id


def test_serving_workers_share_one_background_runner(db_url: str, engine: Engine, tmp_path: Path) -> None:
    conv_id = _snoozed_conversation(engine)
    server = DeskServer(
        env=desk_env(db_url, TRUSTDESK_BACKGROUND_SECONDS="0.2"),
        log_path=tmp_path / "server.log",
        args=("--workers", "2"),
    )
    try:
        server.start()
        assert server.process is not None
        supervisor = server.process.pid
        wait_for(lambda: len(re.findall(r"worker process ready", server.log())) == 2, "two workers")

        def woken() -> bool:
            with unit_of_work(engine) as session:
                return session.get_one(Conversation, conv_id).status == "open"

        wait_for(woken, "the background round to wake the snoozed conversation")
        for _ in range(6):
            assert httpx.get(f"{server.url}/login", timeout=30).status_code == 200
        log = server.log()
        starts = re.findall(r"\[(\d+)\]: background jobs started in process", log)
        assert starts == [str(supervisor)], log  # once, in the supervisor — not once per worker
        workers = {int(p) for p in re.findall(r"\[(\d+)\]: worker process ready", log)}
        assert len(workers) == 2 and supervisor not in workers
        assert workers <= set(children(supervisor))
    finally:
        server.stop()


def _bad_sign_in(url: str, email: str, forwarded_for: str) -> int:
    with httpx.Client(base_url=url, timeout=30, headers={"X-Forwarded-For": forwarded_for}) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        answer = client.post(
            "/login", data={"email": email, "password": "wrong", "csrf_token": token.group(1)}
        )
        return answer.status_code


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("args", "other_client"),
    [(("--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"), 400), (("--no-proxy-headers",), 429)],
    ids=["trusted-proxy", "no-proxy-headers"],
)
def test_serving_behind_a_trusted_proxy_sees_each_client_address(
    db_url: str, desk: Desk, tmp_path: Path, args: tuple[str, ...], other_client: int
) -> None:
    server = DeskServer(env=desk_env(db_url), log_path=tmp_path / "server.log", args=args)
    try:
        server.start()
        # Five wrong passwords for one e-mail from one client lock that pair (the throttle's tightest key)...
        email = "nobody@x.example"
        assert [_bad_sign_in(server.url, email, "203.0.113.7") for _ in range(5)] == [400] * 5
        assert _bad_sign_in(server.url, email, "203.0.113.7") == 429
        # ...and only that client when the proxy is believed; without proxy headers every client is the
        # proxy's own address, and one client's mistakes lock out the others too.
        assert _bad_sign_in(server.url, email, "203.0.113.8") == other_client
    finally:
        server.stop()


def test_serving_background_round_is_skipped_while_another_process_runs_one(engine: Engine) -> None:
    with exclusive_round(engine) as mine:
        assert mine
        assert tick(engine) is None  # a second process (another connection / file handle) skips
    assert tick(engine) is not None


def test_serving_racing_background_rounds_escalate_each_breach_once(engine: Engine, desk: Desk) -> None:
    rounds = 4
    barrier = threading.Barrier(rounds)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=60)
            tick(engine)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(rounds)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    for _ in range(2):
        tick(engine)  # later rounds find nothing new
    angry = desk.conversations["angry"]
    with unit_of_work(engine) as session:
        breaches = session.scalar(
            select(func.count()).where(AuditEvent.action == "sla.breach", AuditEvent.entity_id == str(angry))
        )
        tags = session.scalar(
            select(func.count()).where(
                ConversationTag.conversation_id == angry, ConversationTag.tag == "sla-breach"
            )
        )
    assert (breaches, tags) == (1, 1)
