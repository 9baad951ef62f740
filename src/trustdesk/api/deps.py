"""Request dependencies as ``Annotated`` aliases: one transaction per request, the caller, their brands."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from trustdesk.api.errors import ApiError
from trustdesk.store.db import unit_of_work
from trustdesk.team import tokens
from trustdesk.team.models import Membership, User
from trustdesk.team.permissions import ROLE_RANK, role_allows, route_permission

_BEARER = {"WWW-Authenticate": 'Bearer realm="trustdesk"'}


def get_engine(request: Request) -> Engine:
    """The engine the app was created with."""
    engine: Engine = request.app.state.engine
    return engine


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back if it raises."""
    with unit_of_work(get_engine(request)) as session:
        yield session


# scope="function": commit before the response is sent, so a failed commit is an error response.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def effective_role(*, session: Session, user: User) -> tuple[str, list[int] | None]:
    """The user's highest role and the brands they may see (None: all, for users without memberships)."""
    memberships = list(session.scalars(select(Membership).where(Membership.user_id == user.id)))
    if not memberships:
        return user.role, None
    top = max((m.role for m in memberships), key=lambda r: ROLE_RANK.get(r, -1))
    return top, sorted(m.brand_id for m in memberships)


def current_user(request: Request, session: SessionDep) -> User:
    """The user behind ``Authorization: Bearer td_...``, allowed to call this route (else 401/403)."""
    header = request.headers.get("authorization")
    if not header:
        raise ApiError("auth.missing_token", "send Authorization: Bearer <API token>", headers=_BEARER)
    scheme, _, value = header.partition(" ")
    user = (
        tokens.authenticate(session=session, plaintext=value.strip()) if scheme.lower() == "bearer" else None
    )
    if user is None:
        raise ApiError(
            "auth.invalid_token", "the API token is unknown, revoked or malformed", headers=_BEARER
        )
    role, brand_ids = effective_role(session=session, user=user)
    route = request.scope.get("route")
    permission = route_permission(request.method, getattr(route, "path", ""))
    # Undeclared routes are refused: forgetting the table must fail closed.
    if permission is None or not role_allows(role, permission):
        raise ApiError("auth.forbidden", f"your role ({role}) may not do this", status=403)
    request.state.user = user
    request.state.brand_ids = brand_ids
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def visible_brands(request: Request, user: CurrentUser) -> list[int] | None:
    """Brand ids the caller may see (None: every brand); async: it only reads what current_user found."""
    brand_ids: list[int] | None = request.state.brand_ids
    return brand_ids


VisibleBrands = Annotated[list[int] | None, Depends(visible_brands)]
