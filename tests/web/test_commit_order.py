"""Issue 13 finding 10: a web POST's 303 arrived before its row was visible (33-42 of 50 notes)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine, func, select
from tests.live import live_server
from tests.web.conftest import PASSWORD, Desk, csrf_of

from trustdesk.publish.models import Note
from trustdesk.store.db import make_engine, session_factory


def test_web_post_is_committed_before_the_redirect_is_sent(app: FastAPI, desk: Desk, engine: Engine) -> None:
    reader = make_engine(str(engine.url.render_as_string(hide_password=False)))
    conv = desk.conversations["angry"]
    with live_server(app) as base, httpx.Client(base_url=base, follow_redirects=False, timeout=60) as http:
        token = csrf_of(http.get("/login").text)
        signed = http.post(
            "/login", data={"email": desk.emails["agent"], "password": PASSWORD, "csrf_token": token}
        )
        assert signed.status_code == 303
        token = csrf_of(http.get("/inbox").text)
        for n in range(1, 51):
            answer = http.post(f"/c/{conv}/notes", data={"text": f"note {n}", "csrf_token": token})
            assert answer.status_code == 303
            # read on another connection the moment the answer is here: the note must already be there
            with session_factory(reader)() as s:
                assert s.scalar(select(func.count()).select_from(Note)) == n
    reader.dispose()
