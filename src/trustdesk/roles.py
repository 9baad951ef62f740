"""The one role scale of the team, shared by every capability (the drafter's offers, the desk, the API).

Roles are ranked: each holds everything the ones below it hold. Statuses of conversations live with the
conversation module; roles are here because the respond capability (what a role may offer) sits below
the team capability that stores users.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A role on a brand (or, for a global user, on every brand)."""

    VIEWER = "viewer"
    AGENT = "agent"
    LEAD = "lead"
    ADMIN = "admin"


ROLES: tuple[str, ...] = (Role.ADMIN, Role.LEAD, Role.AGENT, Role.VIEWER)
"""Every role, highest first (as the desk lists them)."""

ROLE_RANK: dict[str, int] = {Role.VIEWER: 0, Role.AGENT: 1, Role.LEAD: 2, Role.ADMIN: 3}
"""Role -> rank; a higher rank holds everything a lower one does."""


def rank(role: str | None, default: int = -1) -> int:
    """The rank of ``role`` (``default`` for None or an unknown name)."""
    return ROLE_RANK.get(role or "", default)


def at_least(role: str | None, minimum: str) -> bool:
    """True when ``role`` holds everything ``minimum`` holds."""
    return role is not None and rank(role) >= ROLE_RANK[minimum]
