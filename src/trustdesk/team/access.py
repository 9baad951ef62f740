"""Who may do what on which brand: one access model for the desk and the API.

A user's role is resolved per brand, once per request (``brand_roles``): from their membership of each
brand, or, for a user with no memberships at all (a *global* user, made by the CLI), ``User.role`` on
every brand. Every check names a brand; "the user's highest role anywhere" only decides whether a route
can be useful at all, never whether an object may be touched.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustdesk.errors import DomainError
from trustdesk.inbox.models import Brand
from trustdesk.roles import rank
from trustdesk.team.models import Membership, User
from trustdesk.team.permissions import role_allows


class Forbidden(DomainError, PermissionError):
    """The signed-in user may not do this (code ``auth.forbidden``)."""

    code = "auth.forbidden"
    status = 403


class NotVisible(DomainError, LookupError):
    """The object is on a brand the user cannot see; answered like a missing one (code ``web.not_found``)."""

    code = "web.not_found"
    status = 404


@dataclass(frozen=True)
class Access:
    """A signed-in user (desk session or API token) with their role on each brand they can see."""

    user: User
    brand_roles: dict[int, str]
    csrf: str = ""
    is_global: bool = False

    @property
    def id(self) -> int:
        """The user id."""
        return self.user.id

    @property
    def top_role(self) -> str:
        """The highest role the user holds anywhere (for pages that are not about one brand)."""
        roles = list(self.brand_roles.values()) or [self.user.role]
        return max(roles, key=rank)

    @property
    def brand_ids(self) -> list[int]:
        """Brands the user can see."""
        return sorted(self.brand_roles)

    def role_on(self, brand_id: int) -> str | None:
        """The user's role on ``brand_id`` (None: not a member)."""
        return self.brand_roles.get(brand_id)

    def can(self, permission: str, brand_id: int | None = None) -> bool:
        """True when the user holds ``permission`` (on ``brand_id`` when given, else anywhere)."""
        if brand_id is None:
            return role_allows(self.top_role, permission)
        return role_allows(self.role_on(brand_id), permission)

    def brands_with(self, permission: str) -> list[int]:
        """Brands on which the user holds ``permission``."""
        return [b for b, role in sorted(self.brand_roles.items()) if role_allows(role, permission)]

    def lowest_role(self, permission: str) -> str | None:
        """The lowest role among the brands where the user holds ``permission`` (None: nowhere).

        For work that names no brand (checking a reply against a shipped playbook): what a reply may
        offer depends on the role, so the role that allows least is the safe one.
        """
        roles = [r for r in self.brand_roles.values() if role_allows(r, permission)]
        return min(roles, key=rank) if roles else None

    def manages(self, target: Access) -> bool:
        """True when this user may change ``target``'s account: admin on every brand ``target`` works on.

        A global user (no memberships) works on every brand, present and future, so only a global admin
        manages them; nobody manages their own role or activation here (no self-lockout).
        """
        if target.user.id == self.user.id or not self.can("team.manage"):
            return False
        if target.is_global:
            return self.is_global
        managed = set(self.brands_with("team.manage"))
        return bool(target.brand_roles) and set(target.brand_roles) <= managed

    def require(self, permission: str, brand_id: int) -> None:
        """Raise ``NotVisible`` for another brand's object, ``Forbidden`` when the role is too low."""
        if brand_id not in self.brand_roles:
            raise NotVisible(f"nothing here for brand {brand_id}")
        if not self.can(permission, brand_id):
            raise Forbidden(f"your role may not {permission}")


def brand_roles(*, session: Session, user: User) -> dict[int, str]:
    """brand id -> role; a user without memberships holds ``User.role`` on every brand (single-brand desks)."""
    return access_for(session=session, user=user).brand_roles


def access_for(*, session: Session, user: User, csrf: str = "") -> Access:
    """The user's role on each brand, resolved once (for one request)."""
    memberships = session.scalars(select(Membership).where(Membership.user_id == user.id)).all()
    if memberships:
        return Access(user=user, brand_roles={m.brand_id: m.role for m in memberships}, csrf=csrf)
    roles = dict.fromkeys(session.scalars(select(Brand.id)), user.role)
    return Access(user=user, brand_roles=roles, csrf=csrf, is_global=True)


def team_for(*, session: Session, brand_ids: list[int]) -> list[User]:
    """Active users who work on any of these brands (members, or users without memberships: every brand)."""
    members = select(Membership.user_id).where(Membership.brand_id.in_(brand_ids))
    anywhere = ~select(Membership.user_id).where(Membership.user_id == User.id).exists()
    return list(
        session.scalars(
            select(User)
            .where(User.is_active.is_(True), User.id.in_(members) | anywhere)
            .order_by(User.name, User.id)
        )
    )


Viewer = Access
"""The desk's name for the signed-in user's ``Access``."""
