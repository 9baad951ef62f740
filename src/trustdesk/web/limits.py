"""Back-pressure for one server process: a bounded number of requests at work, a short line, then 503.

Sync handlers run in a threadpool and each holds a database connection, so the threads, the pool and
the number of requests let in must agree (issue 13, finding 5: 40 threads on a pool of 15 stalled the
server for 30 s and answered 500). ``ConcurrencyLimit`` lets ``web_threads`` requests in, keeps up to
``web_queue_size`` waiting in arrival order for at most ``web_queue_seconds``, and answers the rest
``503`` with ``Retry-After`` at once — an overloaded desk says so instead of stalling. Database
overload that still gets through (a pool wait or a lock wait that ran out) is a 503 too, not a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import anyio
import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trustdesk.settings import Settings

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 2
EXEMPT_PATHS = ("/healthz",)
"""Answered whatever the load: a health probe that fails under load would take a busy worker out."""


def overloaded(message: str, code: str = "server.busy") -> Response:
    """The 503 every overload answers: JSON for the API, plain text for pages, with Retry-After."""
    return JSONResponse(
        {"error": {"code": code, "message": message}},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
    )


class ConcurrencyLimit:
    """At most ``slots`` requests in the app at once; a bounded, timed line for the next ones."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        slots: int,
        queue_size: int,
        queue_seconds: float,
        exempt: Iterable[str] = EXEMPT_PATHS,
    ) -> None:
        self.app = app
        self.slots = slots
        self.queue_size = queue_size
        self.queue_seconds = queue_seconds
        self.exempt = frozenset(exempt)
        self.waiting = 0
        self._semaphore: anyio.Semaphore | None = None

    def _slots(self) -> anyio.Semaphore:
        # Created on first use, inside the server's event loop; the sync handlers' threadpool gets the
        # same size, so every request let in has a thread and (pool = threads + headroom) a connection.
        if self._semaphore is None:
            self._semaphore = anyio.Semaphore(self.slots, fast_acquire=True)
            anyio.to_thread.current_default_thread_limiter().total_tokens = self.slots
        return self._semaphore

    @property
    def busy(self) -> int:
        """Requests at work now."""
        return 0 if self._semaphore is None else self.slots - self._semaphore.value

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        slots = self._slots()
        if slots.value == 0:
            if self.waiting >= self.queue_size:
                await overloaded("the desk is busy; try again in a moment")(scope, receive, send)
                return
            self.waiting += 1
            try:
                with anyio.move_on_after(self.queue_seconds) as line:
                    await slots.acquire()
            finally:
                self.waiting -= 1
            if line.cancelled_caught:
                log.warning("request waited %.1f s for a free slot: 503", self.queue_seconds)
                await overloaded("the desk is busy; try again in a moment")(scope, receive, send)
                return
        else:
            slots.acquire_nowait()
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                slots.release()

        async def send_releasing(message: Message) -> None:
            # A stream (server-sent events) may stay open for hours: it frees its slot once it has
            # started. Every other request keeps it until the handler, its commit included, is done.
            if message["type"] == "http.response.start" and _is_stream(message):
                release()
            await send(message)

        try:
            await self.app(scope, receive, send_releasing)
        finally:
            release()


def _is_stream(message: Message) -> bool:
    return any(
        name.lower() == b"content-type" and value.startswith(b"text/event-stream")
        for name, value in message.get("headers", [])
    )


def install_limits(app: FastAPI, settings: Settings) -> None:
    """Add the admission limit and answer database overload with 503 instead of 500."""

    async def pool_timeout(request: Request, exc: Exception) -> Response:
        log.warning("no database connection in time: %s", exc)
        return overloaded("the desk is busy; try again in a moment")

    async def database_unavailable(request: Request, exc: Exception) -> Response:
        # Connection refused or reset, a lock wait that ran out, a statement cancelled: all transient.
        log.warning("database operational error: %s", str(exc).splitlines()[0])
        return overloaded("the database is unavailable; try again in a moment", code="db.unavailable")

    app.add_exception_handler(PoolTimeout, pool_timeout)
    app.add_exception_handler(OperationalError, database_unavailable)
    app.add_middleware(
        ConcurrencyLimit,
        slots=settings.web_threads,
        queue_size=settings.web_queue_size,
        queue_seconds=settings.web_queue_seconds,
    )
