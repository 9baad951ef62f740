"""kill -9 of the server during note, approve and post requests: no half-done state, no duplicate audit.

Real `trustdesk serve` processes (issue 13). On PostgreSQL the kill lands inside the request's open
transaction for certain: the test holds a row lock that the request needs (the conversation for a
note's foreign key, the reply for an approval, the outbox item for a post), waits until the server's
connection is seen waiting on that lock, and only then sends SIGKILL. On SQLite the kill follows the
request's bytes onto the socket. After a restart the client retries, as a person would: every change
is then there exactly once, with exactly one audit row, and never a part of one.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import Engine, func, select, text
from tests.servers import DeskServer, desk_env, wait_for
from tests.web.conftest import PASSWORD, Desk

from trustdesk.inbox.models import Conversation, Message
from trustdesk.publish.models import Note, OutboxItem, Reply
from trustdesk.store.db import unit_of_work
from trustdesk.team.approvals import approve, submit_reply
from trustdesk.team.models import AuditEvent, User

pytestmark = pytest.mark.slow

REPLY = (
    "Hi Rob, I'm so sorry your flat white was cold at Canal Street and that nobody noticed you. "
    "Please email care@bluebirdcoffee.example so we can put it right. Jess"
)
NOTE = "kill -9 note: Rob called the café, manager informed"


def _replies(engine: Engine, desk: Desk) -> tuple[int, int]:
    """A reply waiting for approval and an approved one in the outbox (manual channel)."""
    conv_id = desk.conversations["angry"]
    with unit_of_work(engine) as session:
        conv = session.get_one(Conversation, conv_id)
        agent = session.get_one(User, desk.users["agent"])
        lead = session.get_one(User, desk.users["lead"])
        pending = submit_reply(session=session, conversation=conv, author=agent, role="agent", text=REPLY)
        other = submit_reply(session=session, conversation=conv, author=agent, role="agent", text=REPLY + " ")
        approve(session=session, reply=other, approver=lead, role="lead")
        assert pending.status == "pending"
        item = session.scalars(select(OutboxItem).where(OutboxItem.reply_id == other.id)).one()
        return pending.id, item.id


def _sign_in(url: str, email: str) -> tuple[str, str]:
    """(cookie header, CSRF token) of a fresh session."""
    with httpx.Client(base_url=url, timeout=30) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        answer = client.post(
            "/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
        )
        assert answer.status_code == 303
        inbox = client.get("/inbox").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', inbox)
        assert csrf is not None
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        return cookie, csrf.group(1)


def _raw_post(port: int, path: str, cookie: str, form: dict[str, str]) -> socket.socket:
    """Send a POST and return the open socket (the answer, if any, is not awaited)."""
    body = urlencode(form).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(head + body)
    return sock


def _state(engine: Engine, reply_id: int, item_id: int, conv_id: int) -> dict[str, object]:
    with unit_of_work(engine) as s:

        def audits(action: str, entity: int) -> int:
            return s.scalar(
                select(func.count()).where(AuditEvent.action == action, AuditEvent.entity_id == str(entity))
            ) or 0  # fmt: skip

        notes = s.scalar(select(func.count()).where(Note.text == NOTE)) or 0
        note_audits = s.scalar(select(func.count()).where(AuditEvent.action == "note.add")) or 0
        reply = s.get_one(Reply, reply_id)
        approved_items = s.scalar(select(func.count()).where(OutboxItem.reply_id == reply_id)) or 0
        item = s.get_one(OutboxItem, item_id)
        posted = s.scalar(
            select(func.count()).where(Message.conversation_id == conv_id, Message.direction == "outbound")
        )
        return {
            "notes": notes, "note_audits": note_audits,
            "approved": reply.status == "approved", "approved_items": approved_items,
            "approve_audits": audits("reply.approve", reply_id),
            "posted": item.status == "posted" and item.message_id is not None, "posted_messages": posted,
            "post_audits": audits("reply.post", item.reply_id),
        }  # fmt: skip


def _whole(state: dict[str, object]) -> None:
    """Each change is all there or not at all."""
    assert state["notes"] == state["note_audits"], state
    assert (state["approved"], state["approved_items"], state["approve_audits"]) in (
        (False, 0, 0),
        (True, 1, 1),
    ), state
    assert (state["posted"], state["posted_messages"], state["post_audits"]) in (
        (False, 0, 0),
        (True, 1, 1),
    ), state


def _lock_and_wait(
    engine: Engine, lock_sql: str, params: dict[str, int], app_name: str, send: Callable[[], None]
) -> None:
    """Hold a row lock, send the request, signal once the server's connection waits on it, hold until killed."""
    with engine.connect() as conn:
        conn.execute(text(lock_sql), params)
        send()

        def blocked() -> bool:
            with engine.connect() as probe:
                return bool(
                    probe.execute(
                        text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :a AND wait_event_type = 'Lock'"),
                        {"a": app_name},
                    ).scalar()
                )  # fmt: skip

        wait_for(blocked, "the request to wait on the row lock inside its transaction", 60)
        yield_point.set()
        killed.wait(60)
        conn.rollback()


yield_point = threading.Event()
killed = threading.Event()


def test_faults_kill9_during_note_approve_and_post_leaves_no_half_done_state(
    db_url: str, engine: Engine, desk: Desk, tmp_path: Path
) -> None:
    postgres = engine.dialect.name == "postgresql"
    app_name = f"td-kill9-{id(tmp_path) % 100000}"
    url = f"{db_url}&application_name={app_name}" if postgres else db_url
    reply_id, item_id = _replies(engine, desk)
    conv_id = desk.conversations["angry"]
    server = DeskServer(env=desk_env(url), log_path=tmp_path / "server.log")
    actions = {
        "note": (f"/c/{conv_id}/notes", {"text": NOTE}, "SELECT 1 FROM conversations WHERE id = :i FOR UPDATE", conv_id),
        "approve": (f"/replies/{reply_id}/approve", {}, "SELECT 1 FROM replies WHERE id = :i FOR UPDATE", reply_id),
        "post": (f"/outbox/{item_id}/posted", {}, "SELECT 1 FROM outbox WHERE id = :i FOR UPDATE", item_id),
    }  # fmt: skip
    try:
        server.start()
        cookie, csrf = _sign_in(server.url, desk.emails["lead"])
        for name, (path, form, lock_sql, row) in actions.items():
            form = {**form, "csrf_token": csrf}
            sockets: list[socket.socket] = []
            if postgres:
                yield_point.clear()
                killed.clear()
                send = lambda path=path, form=form, out=sockets: out.append(  # noqa: E731
                    _raw_post(server.port, path, cookie, form)
                )
                holder = threading.Thread(
                    target=_lock_and_wait, args=(engine, lock_sql, {"i": row}, app_name, send)
                )
                holder.start()
                assert yield_point.wait(90), f"{name}: the request never reached the lock"
                server.kill9()
                killed.set()
                holder.join(60)
            else:
                sockets.append(_raw_post(server.port, path, cookie, form))
                server.kill9()
            for s in sockets:
                s.close()
            before = _state(engine, reply_id, item_id, conv_id)
            _whole(before)
            if postgres:  # killed inside the transaction: nothing of it may remain
                assert (
                    before[{"note": "notes", "approve": "approve_audits", "post": "post_audits"}[name]] == 0
                )
            server.start()  # the person retries
            with httpx.Client(base_url=server.url, timeout=30, headers={"Cookie": cookie}) as client:
                answer = client.post(path, data=form)
            assert answer.status_code in (303, 409), (name, answer.status_code, answer.text[:300])
            assert not answer.headers.get("location", "").startswith("/login"), answer.headers
            key = {"note": "notes", "approve": "approve_audits", "post": "post_audits"}[name]
            # Notes have no idempotency key: the retry adds exactly one; the others happen once in all.
            want = before[key] + 1 if name == "note" else 1  # type: ignore[operator]
            wait_for(lambda key=key, want=want: _state(engine, reply_id, item_id, conv_id)[key] == want,
                     f"{name}: the retry's change to be visible", 30)  # fmt: skip
            after = _state(engine, reply_id, item_id, conv_id)
            _whole(after)
            assert after[key] == want, (name, after)
    finally:
        server.stop()
