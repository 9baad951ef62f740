"""Request plumbing of the desk: one transaction per request, the signed-in viewer, permissions, CSRF."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.templating import Jinja2Templates

from trustdesk.errors import DomainError
from trustdesk.store.db import unit_of_work
from trustdesk.team.access import Forbidden, Viewer, access_for
from trustdesk.team.auth import LoginThrottle, SessionData, SessionSigner, session_user
from trustdesk.team.permissions import PUBLIC, route_permission

SESSION_COOKIE = "td_session"
BRAND_COOKIE = "td_brand"
PRE_COOKIE = "td_pre"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class NotSignedIn(DomainError):
    """No valid session (code ``auth.required``): pages redirect to the sign-in page."""

    code = "auth.required"
    status = 401


class CsrfFailed(DomainError):
    """A state-changing request without the session's CSRF token (code ``auth.csrf``)."""

    code = "auth.csrf"
    status = 403


@dataclass
class WebState:
    """Per-app objects the desk needs: engine, cookie signer, sign-in throttle, templates."""

    engine: Engine
    signer: SessionSigner
    templates: Jinja2Templates
    cookie_secure: bool
    throttle: LoginThrottle = field(default_factory=LoginThrottle)


def web_state(request: Request) -> WebState:
    """The desk's state stored on the app."""
    state: WebState = request.app.state.web
    return state


def db_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back when it raises."""
    with unit_of_work(web_state(request).engine, write=request.method in UNSAFE_METHODS) as session:
        yield session


# scope="function": commit before the response is sent (as the API does), so a page that says "done"
# is only sent once the change is visible, and a failed commit is an error page, not a false success.
DbSession = Annotated[Session, Depends(db_session, scope="function")]


def _same_origin(request: Request) -> bool:
    # Defence in depth next to the token: browsers send Origin on POST; refuse other sites outright.
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


async def check_csrf(request: Request, expected: str | None) -> None:
    """Refuse an unsafe request whose token (header or form field) does not match ``expected``."""
    if request.method not in UNSAFE_METHODS:
        return
    token = request.headers.get("x-csrf-token")
    if not token:
        form = await request.form()
        value = form.get("csrf_token")
        token = value if isinstance(value, str) else None
    if not expected or not token or not hmac.compare_digest(token, expected) or not _same_origin(request):
        raise CsrfFailed("missing or wrong CSRF token")


def _viewer(session: Session, data: SessionData) -> Viewer | None:
    user = session_user(session=session, data=data)
    if user is None:
        return None
    return access_for(session=session, user=user, csrf=data.csrf)


async def guard(request: Request, session: DbSession) -> Viewer | None:
    """Every desk route: look up its declared permission, require a session and role, check CSRF."""
    route = request.scope.get("route")
    permission = route_permission(request.method, getattr(route, "path", request.url.path))
    if permission is None:
        raise Forbidden("this route has no declared permission")
    if permission == PUBLIC:
        return None
    state = web_state(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    data = state.signer.loads(cookie) if cookie else None
    # The queries run in the threadpool, never on the event loop: a query that waits (for a pooled
    # connection, a lock, the network) would otherwise stall every request of the process (issue 13).
    viewer = await run_in_threadpool(_viewer, session, data) if data is not None else None
    if viewer is None:
        raise NotSignedIn("sign in first")
    await check_csrf(request, viewer.csrf)
    if not viewer.can(permission):
        raise Forbidden(f"your role may not {permission}")
    request.state.viewer = viewer
    return viewer


def current_viewer(request: Request) -> Viewer:
    """The viewer the guard signed in (routes that need one)."""
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    if viewer is None:
        raise NotSignedIn("sign in first")
    return viewer


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]


def chosen_brand(request: Request, viewer: Viewer) -> int | None:
    """The brand picked in the top bar's switcher (None: all of the viewer's brands)."""
    value = request.cookies.get(BRAND_COOKIE, "")
    brand_id = int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None
    return brand_id if brand_id in viewer.brand_roles else None
