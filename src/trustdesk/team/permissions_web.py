"""Who may do what on which brand: effective roles from memberships, checked against team.permissions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustdesk.inbox.models import Brand
from trustdesk.team.models import Membership, User
from trustdesk.team.permissions import ROLE_RANK, role_allows


class Forbidden(PermissionError):
    """The signed-in user may not do this (code ``auth.forbidden``)."""

    code = "auth.forbidden"


class NotVisible(LookupError):
    """The object is on a brand the user cannot see; answered like a missing one (code ``web.not_found``)."""

    code = "web.not_found"


@dataclass(frozen=True)
class Viewer:
    """A signed-in user with their role on each brand they can see and their CSRF token."""

    user: User
    brand_roles: dict[int, str]
    csrf: str

    @property
    def id(self) -> int:
        """The user id."""
        return self.user.id

    @property
    def top_role(self) -> str:
        """The highest role the user holds anywhere (for pages that are not about one brand)."""
        roles = list(self.brand_roles.values()) or [self.user.role]
        return max(roles, key=lambda r: ROLE_RANK.get(r, -1))

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

    def require(self, permission: str, brand_id: int) -> None:
        """Raise ``NotVisible`` for another brand's object, ``Forbidden`` when the role is too low."""
        if brand_id not in self.brand_roles:
            raise NotVisible(f"nothing here for brand {brand_id}")
        if not self.can(permission, brand_id):
            raise Forbidden(f"your role may not {permission}")


def brand_roles(*, session: Session, user: User) -> dict[int, str]:
    """brand id -> role; a user without memberships holds ``User.role`` on every brand (single-brand desks)."""
    memberships = session.scalars(select(Membership).where(Membership.user_id == user.id)).all()
    if memberships:
        return {m.brand_id: m.role for m in memberships}
    return dict.fromkeys(session.scalars(select(Brand.id)), user.role)


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
