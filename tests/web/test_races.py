"""Issue 13 finding 9: parallel clicks and submits happen once, on both engines, through a real server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, func, select
from tests.live import live_server
from tests.web.conftest import PASSWORD, Desk, csrf_of

from trustdesk.inbox.models import Message
from trustdesk.publish.models import OutboxItem, Reply
from trustdesk.publish.outbox import enqueue
from trustdesk.store.db import session_factory, unit_of_work
from trustdesk.team.models import AuditEvent

PARALLEL = 20


@pytest.fixture
def server(app: FastAPI) -> Iterator[str]:
    with live_server(app) as base:
        yield base


def _signed_in(base: str, email: str) -> tuple[httpx.Client, str]:
    http = httpx.Client(base_url=base, follow_redirects=False, timeout=120)
    token = csrf_of(http.get("/login").text)
    assert (
        http.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token}).status_code
        == 303
    )
    return http, csrf_of(http.get("/inbox").text)


def _at_once(call: Callable[[int], httpx.Response]) -> list[int]:
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return [r.status_code for r in pool.map(call, range(PARALLEL))]


def _count(engine: Engine, stmt) -> int:  # type: ignore[no-untyped-def]
    with session_factory(engine)() as s:
        return s.scalar(stmt) or 0


def _audits(engine: Engine, action: str) -> int:
    return _count(engine, select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def _reply(engine: Engine, desk: Desk, status: str) -> tuple[int, int | None]:
    """A reply on the angry conversation, and its outbox item when approved (ids)."""
    with unit_of_work(engine) as s:
        reply = Reply(
            brand_id=desk.brand_id, conversation_id=desk.conversations["angry"], text="Sorry.", status=status
        )
        s.add(reply)
        s.flush()
        return reply.id, enqueue(session=s, reply=reply).id if status == "approved" else None


def test_races_parallel_mark_posted_posts_once(server: str, desk: Desk, engine: Engine) -> None:
    """20 parallel clicks wrote 2 reply.post audit rows on PostgreSQL; on SQLite 5 answered 500."""
    _, item_id = _reply(engine, desk, "approved")
    http, token = _signed_in(server, desk.emails["agent"])
    statuses = _at_once(lambda _: http.post(f"/outbox/{item_id}/posted", data={"csrf_token": token}))
    assert set(statuses) == {303}, statuses
    assert _audits(engine, "reply.post") == 1
    assert (
        _count(engine, select(func.count()).select_from(Message).where(Message.direction == "outbound")) == 1
    )
    with session_factory(engine)() as s:
        assert s.get_one(OutboxItem, item_id).status == "posted"


def test_races_parallel_approvals_approve_once(server: str, desk: Desk, engine: Engine) -> None:
    """20 parallel approvals recorded 4 reply.approve rows: approval did not lock the reply row."""
    reply_id, _ = _reply(engine, desk, "pending")
    http, token = _signed_in(server, desk.emails["lead"])
    statuses = _at_once(lambda _: http.post(f"/replies/{reply_id}/approve", data={"csrf_token": token}))
    assert statuses.count(303) == 1 and statuses.count(409) == PARALLEL - 1, statuses
    assert _audits(engine, "reply.approve") == 1
    assert _count(engine, select(func.count()).select_from(OutboxItem)) == 1


def test_races_parallel_identical_submits_make_one_reply(server: str, desk: Desk, engine: Engine) -> None:
    """10 identical submits made 10 replies and 10 outbox items: there was no idempotency key."""
    conv = desk.conversations["happy"]
    http, token = _signed_in(server, desk.emails["lead"])
    page = http.get(f"/c/{conv}").text
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    form = {
        "csrf_token": token,
        "text": "Thank you, Rob — glad the oat latte hit the spot!",
        "idempotency_key": key,
    }
    statuses = _at_once(lambda _: http.post(f"/c/{conv}/replies", data=form))
    assert set(statuses) == {303}, statuses
    assert _count(engine, select(func.count()).select_from(Reply)) == 1
    assert _count(engine, select(func.count()).select_from(OutboxItem)) == 1
    assert _audits(engine, "reply.submit") == 1
    # a new form (new key) is a new reply
    again = http.get(f"/c/{conv}").text.split('name="idempotency_key" value="')[1].split('"')[0]
    assert again != key
    assert http.post(f"/c/{conv}/replies", data={**form, "idempotency_key": again}).status_code == 303
    assert _count(engine, select(func.count()).select_from(Reply)) == 2
