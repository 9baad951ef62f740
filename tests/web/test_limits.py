"""Back-pressure (issue 13, finding 5): a bounded number of requests at work, a short line, then 503."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import anyio
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from tests.web.conftest import PASSWORD, Desk

from trustdesk.settings import Settings, get_settings
from trustdesk.store.db import make_engine
from trustdesk.web.app import create_desk_app
from trustdesk.web.limits import ConcurrencyLimit, install_limits

DEADLINE = 60.0


def _run(scenario):  # type: ignore[no-untyped-def]
    """``asyncio.run`` in a thread of its own: a session fixture (the browser tests' Playwright) may
    already run an event loop in this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(scenario())).result(timeout=4 * DEADLINE)


def _gated_app(gate: asyncio.Event, inside: list[int]) -> FastAPI:
    app = FastAPI()

    @app.get("/work")
    async def work() -> dict[str, str]:
        inside.append(1)
        await gate.wait()
        return {"ok": "yes"}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


async def _until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    with anyio.fail_after(DEADLINE):
        while not condition():
            await asyncio.sleep(0.005)  # polling a condition under a deadline, not timing


def test_limits_a_full_server_queues_then_answers_503_with_retry_after() -> None:
    async def scenario() -> None:
        gate, inside = asyncio.Event(), []
        limit = ConcurrencyLimit(_gated_app(gate, inside), slots=2, queue_size=1, queue_seconds=DEADLINE)
        transport = httpx.ASGITransport(app=limit)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            working = [asyncio.create_task(client.get("/work")) for _ in range(2)]
            await _until(lambda: len(inside) == 2, "two requests at work")
            waiting = asyncio.create_task(client.get("/work"))
            await _until(lambda: limit.waiting == 1, "one request in line")
            refused = await client.get("/work")  # the line is full: refused at once, not after a stall
            assert refused.status_code == 503
            assert refused.headers["retry-after"].isdigit()
            assert refused.json()["error"]["code"] == "server.busy"
            assert (await client.get("/healthz")).status_code == 200  # probes pass the limit
            assert len(inside) == 2  # the queued one has not started
            gate.set()
            answers = await asyncio.gather(*working, waiting)
            assert [a.status_code for a in answers] == [200, 200, 200]
            assert limit.busy == 0 and limit.waiting == 0

    _run(scenario)


def test_limits_a_request_waits_in_line_only_briefly() -> None:
    async def scenario() -> None:
        gate, inside = asyncio.Event(), []
        limit = ConcurrencyLimit(_gated_app(gate, inside), slots=1, queue_size=10, queue_seconds=0.2)
        transport = httpx.ASGITransport(app=limit)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            first = asyncio.create_task(client.get("/work"))
            await _until(lambda: len(inside) == 1, "the first request at work")
            late = await client.get("/work")
            assert late.status_code == 503 and "retry-after" in late.headers
            assert limit.waiting == 0
            gate.set()
            assert (await first).status_code == 200
            assert (await client.get("/work")).status_code == 200  # the slot was given back

    _run(scenario)


def test_limits_an_event_stream_gives_its_slot_back_once_it_started() -> None:
    from fastapi.responses import StreamingResponse

    app = FastAPI()
    hold = asyncio.Event()

    @app.get("/events")
    async def events() -> StreamingResponse:
        async def stream():  # type: ignore[no-untyped-def]
            yield "event: hello\ndata: {}\n\n"
            await hold.wait()

        return StreamingResponse(stream(), media_type="text/event-stream")

    async def scenario() -> None:
        limit = ConcurrencyLimit(app, slots=1, queue_size=0, queue_seconds=1)
        started = asyncio.Event()
        scope = {"type": "http", "method": "GET", "path": "/events", "raw_path": b"/events", "query_string": b"",
                 "headers": [], "http_version": "1.1", "scheme": "http", "server": ("t", 80), "root_path": ""}  # fmt: skip

        async def receive():  # type: ignore[no-untyped-def]
            await hold.wait()
            return {"type": "http.disconnect"}

        async def send(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                started.set()

        streaming = asyncio.create_task(limit(scope, receive, send))
        with anyio.fail_after(DEADLINE):
            await started.wait()
        assert limit.busy == 0  # the open stream does not hold the only slot
        hold.set()
        await streaming

    _run(scenario)


def test_limits_database_overload_is_a_503_not_a_500() -> None:
    app = FastAPI()

    @app.get("/locked")
    def locked() -> None:
        raise OperationalError("UPDATE x", {}, Exception("database is locked"))

    install_limits(app, Settings(env="test"))
    response = _run(lambda: _get(app, "/locked"))
    assert response.status_code == 503
    assert response.headers["retry-after"].isdigit()
    assert response.json()["error"]["code"] == "db.unavailable"


async def _get(app: FastAPI, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        return await client.get(path)


def test_limits_pool_is_sized_to_the_request_threads(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRUSTDESK_WEB_THREADS", "30")
    get_settings.cache_clear()
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
        assert engine.pool.size() == 38  # type: ignore[attr-defined]
        engine.dispose()
        monkeypatch.setenv("TRUSTDESK_DB_POOL_SIZE", "50")
        get_settings.cache_clear()
        engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
        assert engine.pool.size() == 50  # type: ignore[attr-defined]
        engine.dispose()
    finally:
        get_settings.cache_clear()


def test_limits_many_concurrent_desk_users_never_stall_or_fail(engine: Engine, desk: Desk) -> None:
    """Issue 13: 50 clients at once on the inbox gave 500s after 30 s (pool 15 < 40 threads)."""
    settings = Settings(secret_key="test-secret-key-for-the-desk", env="test")
    app = create_desk_app(engine, settings)

    async def scenario() -> Counter[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            page = await client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token is not None
            signed = await client.post(
                "/login",
                data={"email": desk.emails["agent"], "password": PASSWORD, "csrf_token": token.group(1)},
            )
            assert signed.status_code == 303
            with anyio.fail_after(DEADLINE):  # before the fix: 30 s pool timeouts, then 500s
                answers = await asyncio.gather(*(client.get("/inbox") for _ in range(80)))
        return Counter(a.status_code for a in answers)

    assert _run(scenario) == Counter({200: 80})
