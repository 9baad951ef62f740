"""The FastAPI app factory: /api/v1 (JSON, token auth), /healthz, OpenAPI docs, one error format.

Extending it (the web desk, ``trustdesk serve``): pass routers in, or include them afterwards::

    app = create_app(engine=engine, routers=[web_router])   # or: app.include_router(web_router)

Every route with a user must be declared in ``trustdesk.team.permissions.ROUTE_PERMISSIONS``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Receive, Scope, Send

from trustdesk.api import inbox, replies, webhooks
from trustdesk.api.errors import error_response, install_error_handlers
from trustdesk.store import migrate
from trustdesk.store.db import get_engine

API_VERSION = "v1"
log = logging.getLogger(__name__)


def create_app(
    *,
    engine: Engine | None = None,
    routers: Sequence[APIRouter] = (),
    webhook_max_bytes: int = webhooks.DEFAULT_MAX_BYTES,
) -> FastAPI:
    """A ready-to-serve app on ``engine`` (default: settings.database_url) with extra ``routers``."""
    app = FastAPI(
        title="trustdesk",
        version="0.1.0",
        summary="Every public comment and review of a brand in one inbox.",
        openapi_url=f"/api/{API_VERSION}/openapi.json",
        docs_url=None,  # the desk serves /api/docs from its own static files (web.app)
        redoc_url=None,
    )
    app.state.engine = engine or get_engine()
    app.state.webhook_max_bytes = webhook_max_bytes
    app.state.migrated = False
    install_error_handlers(app)
    app.add_api_route("/healthz", healthz, methods=["GET"], name="healthz", include_in_schema=False)
    app.include_router(inbox.router)
    app.include_router(replies.router)
    app.include_router(webhooks.router)
    for router in routers:
        app.include_router(router)
    app.add_middleware(RefuseNul)
    return app


class RefuseNul:
    """400 for a URL with a NUL character: PostgreSQL cannot take one in any text value (it answered 500),
    and no name, filter or search term of ours contains one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = scope.get("query_string", b"") + scope.get("raw_path", b"")
            if b"\x00" in raw or b"%00" in raw or "\x00" in scope.get("path", ""):
                response = error_response("request.invalid", "the address contains a NUL character", 400)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def healthz(request: Request) -> JSONResponse:
    """200 when the database answers and is at the migration head, else 503 ``db.not_migrated``."""
    engine: Engine = request.app.state.engine
    try:
        if not request.app.state.migrated:
            await run_in_threadpool(migrate.ensure_migrated, engine)
            request.app.state.migrated = True
        else:
            await run_in_threadpool(_ping, engine)
    except migrate.DatabaseNotMigrated as exc:
        return error_response(exc.code, str(exc), 503)
    except SQLAlchemyError as exc:
        log.warning("health check: database unavailable: %s", exc)
        return error_response("db.unavailable", "the database does not answer", 503)
    return JSONResponse({"status": "ok"})


def _ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
