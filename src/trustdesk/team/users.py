"""Team members: create, change password (revoking sessions), roles and per-brand memberships."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustdesk.errors import DomainError
from trustdesk.store.base import utcnow
from trustdesk.team import audit
from trustdesk.team.access import Access, access_for
from trustdesk.team.auth import hash_password
from trustdesk.team.models import ROLES, ApiToken, Membership, User

MIN_PASSWORD_LENGTH = 10
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


class UserError(DomainError, ValueError):
    """A user change that cannot be made (codes ``team.bad_email``, ``team.email_taken``, ...)."""


def normalise_email(email: str) -> str:
    """E-mail addresses compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def check_password_policy(password: str) -> None:
    """Refuse passwords too short to resist guessing (code ``team.weak_password``)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            "team.weak_password", f"the password must be at least {MIN_PASSWORD_LENGTH} characters long"
        )


def check_role(role: str) -> None:
    """Refuse unknown roles (code ``team.bad_role``)."""
    if role not in ROLES:
        raise UserError("team.bad_role", f"unknown role {role!r}; one of: {', '.join(ROLES)}")


def get_by_email(*, session: Session, email: str) -> User | None:
    """The user with ``email`` (case-insensitive)."""
    return session.scalars(select(User).where(User.email == normalise_email(email))).first()


def create_user(
    *,
    session: Session,
    email: str,
    name: str,
    role: str,
    password: str,
    actor_id: int | None = None,
    actor_kind: str = "system",
    brand_ids: Sequence[int] | None = None,
) -> User:
    """A new active user with an argon2 password hash, on ``brand_ids`` (None: global); audited."""
    email = normalise_email(email)
    if not _EMAIL.match(email) or len(email) > 320:
        raise UserError("team.bad_email", f"{email!r} is not an e-mail address")
    check_role(role)
    check_password_policy(password)
    if get_by_email(session=session, email=email) is not None:
        raise UserError("team.email_taken", f"a user {email} already exists")
    if brand_ids is not None and not brand_ids:
        raise UserError("team.no_brand", "a brand user needs at least one brand")
    user = User(
        email=email,
        name=name.strip()[:200],
        role=role,
        password_hash=hash_password(password),
        is_active=True,
        session_version=1,
    )
    session.add(user)
    session.flush()
    for brand_id in brand_ids or ():
        session.add(Membership(user_id=user.id, brand_id=brand_id, role=role))
    session.flush()
    audit.record(
        session=session,
        action="user.create",
        entity_type="user",
        entity_id=user.id,
        actor_id=actor_id,
        actor_kind=actor_kind,
        data={"email": email, "role": role, "brands": list(brand_ids) if brand_ids is not None else "all"},
        summary=f"created {email} as {role}",
    )
    return user


def change_password(
    *,
    session: Session,
    user: User,
    new_password: str,
    actor_id: int | None = None,
    revoke_tokens: bool = False,
) -> int:
    """Set a new password and bump ``session_version`` so every existing session stops working.

    API tokens survive unless ``revoke_tokens``; returns how many tokens were revoked.
    """
    check_password_policy(new_password)
    user.password_hash = hash_password(new_password)
    user.session_version = (user.session_version or 1) + 1
    session.flush()
    revoked = 0
    if revoke_tokens:
        tokens = session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        ).all()
        for token in tokens:
            token.revoked_at = utcnow()
        revoked = len(tokens)
        session.flush()
    audit.record(
        session=session,
        action="user.password_change",
        entity_type="user",
        entity_id=user.id,
        actor_id=actor_id if actor_id is not None else user.id,
        actor_kind="user",
        data={"tokens_revoked": revoked},
        summary="password changed; sessions revoked"
        + (f"; {revoked} API token(s) revoked" if revoked else ""),
    )
    return revoked


def update_user(
    *,
    session: Session,
    user: User,
    actor_id: int | None,
    role: str | None = None,
    is_active: bool | None = None,
    brand_id: int | None = None,
    actor_kind: str = "user",
) -> None:
    """Change a user's role (on one brand when ``brand_id`` is given) or deactivate them; audited."""
    changes: dict[str, object] = {}
    if role is not None:
        check_role(role)
        if brand_id is not None:
            membership = session.get(Membership, (user.id, brand_id))
            if membership is None:
                session.add(Membership(user_id=user.id, brand_id=brand_id, role=role))
            else:
                membership.role = role
        else:
            user.role = role
        changes["role"] = role
    if is_active is not None and is_active != user.is_active:
        user.is_active = is_active
        # A deactivated user's open sessions must die with the account.
        user.session_version = (user.session_version or 1) + 1
        changes["is_active"] = is_active
    session.flush()
    if changes:
        audit.record(
            session=session,
            action="user.update",
            entity_type="user",
            entity_id=user.id,
            brand_id=brand_id,
            actor_id=actor_id,
            actor_kind=actor_kind,
            data=changes,
            summary=", ".join(f"{k}={v}" for k, v in changes.items()),
        )


def list_users(*, session: Session) -> list[User]:
    """Every user, by name."""
    return list(session.scalars(select(User).order_by(func.lower(User.name), User.id)))


def team_of(*, session: Session, admin: Access) -> list[tuple[Access, bool]]:
    """The users who work on a brand ``admin`` administers, each with whether ``admin`` may change them.

    Users of other brands only are not listed: an admin of one brand learns nothing about another's team.
    """
    managed = set(admin.brands_with("team.manage"))
    people = []
    for user in list_users(session=session):
        access = access_for(session=session, user=user)
        if access.is_global or managed & set(access.brand_roles) or user.id == admin.id:
            people.append((access, admin.manages(access)))
    return people


def managed_user(*, session: Session, admin: Access, user_id: int) -> Access:
    """The user ``user_id`` if ``admin`` may change their account (codes ``team.user_not_found``, ``team.not_yours``)."""
    user = session.get(User, user_id)
    target = access_for(session=session, user=user) if user is not None else None
    if target is None or not (
        target.is_global or set(target.brand_roles) & set(admin.brands_with("team.manage"))
    ):
        raise UserError("team.user_not_found", f"no user {user_id}")
    if not admin.manages(target):
        raise UserError(
            "team.not_yours",
            "you may change only other users whose every brand you administer",
        )
    return target


def set_role(*, session: Session, target: Access, role: str, actor_id: int) -> None:
    """Give ``target`` ``role`` on each of their brands (a global user: their global role); audited."""
    if target.is_global:
        update_user(session=session, user=target.user, actor_id=actor_id, role=role)
        return
    for brand_id in sorted(target.brand_roles):
        update_user(session=session, user=target.user, actor_id=actor_id, role=role, brand_id=brand_id)
