"""Request dependencies as ``Annotated`` aliases: one transaction per request, the caller, their brands."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from trustdesk.api.errors import ApiError
from trustdesk.store.db import unit_of_work
from trustdesk.team import tokens
from trustdesk.team.access import Access, access_for
from trustdesk.team.models import User
from trustdesk.team.permissions import route_permission

_BEARER = {"WWW-Authenticate": 'Bearer realm="trustdesk"'}


def get_engine(request: Request) -> Engine:
    """The engine the app was created with."""
    engine: Engine = request.app.state.engine
    return engine


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back if it raises."""
    with unit_of_work(get_engine(request), write=request.method not in ("GET", "HEAD", "OPTIONS")) as session:
        yield session


# scope="function": commit before the response is sent, so a failed commit is an error response.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def current_user(request: Request, session: SessionDep) -> User:
    """The user behind ``Authorization: Bearer td_...``, allowed to call this route (else 401/403)."""
    header = request.headers.get("authorization")
    if not header:
        raise ApiError(
            "auth.missing_token", "send Authorization: Bearer <API token>", status=401, headers=_BEARER
        )
    scheme, _, value = header.partition(" ")
    user = (
        tokens.authenticate(session=session, plaintext=value.strip()) if scheme.lower() == "bearer" else None
    )
    if user is None:
        raise ApiError(
            "auth.invalid_token",
            "the API token is unknown, revoked or malformed",
            status=401,
            headers=_BEARER,
        )
    access = access_for(session=session, user=user)
    route = request.scope.get("route")
    permission = route_permission(request.method, getattr(route, "path", ""))
    # Undeclared routes are refused: forgetting the table must fail closed. A route is open to a user who
    # holds its permission on some brand; each object is then checked against its own brand.
    if permission is None or not access.can(permission):
        raise ApiError("auth.forbidden", "your role may not do this", status=403)
    request.state.access = access
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def current_access(request: Request, user: CurrentUser) -> Access:
    """The caller's role on each brand (resolved once by ``current_user``)."""
    access: Access = request.state.access
    return access


CurrentAccess = Annotated[Access, Depends(current_access)]


async def visible_brands(request: Request, access: CurrentAccess) -> list[int] | None:
    """Brand ids the caller may read (None: every brand, for a global user)."""
    if access.is_global:
        return None
    return access.brands_with("inbox.read")


VisibleBrands = Annotated[list[int] | None, Depends(visible_brands)]


def require_on(access: Access, permission: str, brand_id: int, *, missing: ApiError) -> None:
    """Answer ``missing`` (a 404) for another brand's object and 403 when the role on its brand is too low."""
    if access.role_on(brand_id) is None:
        raise missing
    if not access.can(permission, brand_id):
        raise ApiError("auth.forbidden", f"your role on this brand may not {permission}", status=403)
