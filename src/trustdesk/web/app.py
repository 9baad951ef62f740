"""The desk as an ASGI app: the API (when present) plus server-rendered pages, static files and headers."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from trustdesk.api.errors import domain_response, validation_problems, validation_response
from trustdesk.errors import DomainError
from trustdesk.settings import Settings, get_settings
from trustdesk.store.db import get_engine
from trustdesk.team.access import Forbidden, NotVisible
from trustdesk.team.auth import SessionSigner
from trustdesk.web.deps import CsrfFailed, NotSignedIn, WebState
from trustdesk.web.limits import install_limits
from trustdesk.web.render import STATIC_DIR, make_templates

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Adds the CSP and friends to every HTTP response (pure ASGI, so streaming responses keep streaming)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    h for h in message.get("headers", []) if h[0].lower() not in dict(SECURITY_HEADERS)
                ]
                message["headers"] = headers + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _base_app(engine: Engine) -> FastAPI:
    """The API app (JSON under /api/v1, /healthz) that the pages are added to."""
    from trustdesk.api.app import create_app

    return create_app(engine=engine)


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


_TITLES: dict[type[DomainError], tuple[str, str | None]] = {
    Forbidden: ("Not allowed", None),
    NotVisible: ("Not found", "There is nothing here, or it is not on a brand you work on."),
    CsrfFailed: ("Form expired", "Please reload the page and try again."),
}


def install_error_pages(app: FastAPI) -> None:
    """The desk's one error mapper: a ``DomainError`` becomes JSON under /api/, a redirect to sign in, an
    htmx line or an error page with its status; validation errors likewise."""
    templates = app.state.web.templates

    def page(request: Request, status: int, title: str, detail: str) -> Response:
        if _is_htmx(request):
            return PlainTextResponse(detail, status_code=status)
        return templates.TemplateResponse(
            request,
            "errors/error.html",
            {"title": title, "detail": detail, "status": status},
            status_code=status,
        )

    async def domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        if not _wants_html(request):
            return domain_response(exc)
        if isinstance(exc, NotSignedIn):
            if _is_htmx(request):
                return Response(status_code=401, headers={"HX-Redirect": "/login"})
            target = request.url.path if request.method == "GET" else "/inbox"
            return RedirectResponse(f"/login?next={target}", status_code=303)
        if exc.status >= 500:
            log.error("domain error %s on %s", exc.code, request.url.path, exc_info=exc)
        title, detail = next(
            (t for cls, t in _TITLES.items() if isinstance(exc, cls)), ("Could not be done", None)
        )
        return page(request, exc.status, title, detail or str(exc))

    async def invalid_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if not _wants_html(request):
            return validation_response(exc)
        # A page address with an id no row can have (past 2**63 - 1, say) names nothing: 404 as for any
        # missing page; a bad form or query value is the visitor's mistake to see and fix.
        if any(err.get("loc", ("",))[0] == "path" for err in exc.errors()):
            return await domain_error(request, NotVisible("no such page"))
        return page(request, 422, "Not understood", validation_problems(exc))

    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(DomainError, domain_error)


def create_desk_app(engine: Engine | None = None, settings: Settings | None = None) -> FastAPI:
    """The whole desk: API, pages, static files, security headers; ``engine`` defaults to settings."""
    from trustdesk.web.views import router

    settings = settings or get_settings()
    engine = engine or get_engine()
    app = _base_app(engine)
    app.state.engine = engine
    app.state.web = WebState(
        engine=engine,
        signer=SessionSigner(settings.secret_key),
        templates=make_templates(),
        cookie_secure=settings.cookie_secure,
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(router)
    install_error_pages(app)
    install_limits(app, settings)
    app.add_middleware(SecurityHeaders)
    if settings.trusted_proxies.strip():
        # Outermost: behind the proxy the README advises, every request came from the proxy's address, and
        # five wrong passwords from anyone locked everyone out. Only the listed proxies are believed.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request) -> Response:
        """Swagger UI for /api/v1, from the package's own files (the CDN one was blocked by the CSP)."""
        return app.state.web.templates.TemplateResponse(request, "api_docs.html", {})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return RedirectResponse("/static/favicon.svg", status_code=301)

    return app
