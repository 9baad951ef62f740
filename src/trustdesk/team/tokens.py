"""API tokens: shown once as ``td_<random>``, stored only as SHA-256, refused once revoked.

Tokens are 256-bit random strings, not passwords, so a fast hash is enough: looking a token up by its
hash never compares secret bytes in a data-dependent way, and ``hmac.compare_digest`` re-checks it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustdesk.errors import DomainError
from trustdesk.store.base import utcnow
from trustdesk.team import audit
from trustdesk.team.models import ApiToken, User

TOKEN_PREFIX = "td_"  # noqa: S105 - a marker, not a secret
MAX_TOKEN_CHARS = 200
# last_used_at is for humans ("used 3 minutes ago"); writing it on every request would make reads write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(DomainError, ValueError):
    """A token cannot be created or revoked as asked; ``code`` names the reason."""


def hash_token(plaintext: str) -> str:
    """The stored form of a token: hex SHA-256."""
    return hashlib.sha256(plaintext.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(*, session: Session, user_id: int, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user_id``; the plaintext is returned here once and never stored."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise TokenError("auth.unknown_user", f"no active user {user_id}")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user_id, name=name[:200], prefix=plaintext[:10], token_hash=hash_token(plaintext)
    )
    session.add(token)
    session.flush()
    audit.record(
        session=session,
        action="token.create",
        entity_type="api_token",
        entity_id=token.id,
        actor_id=user_id,
        actor_kind="user",
        summary=f"API token {token.prefix}… ({token.name}) created",
    )
    return token, plaintext


def authenticate(*, session: Session, plaintext: str, now: datetime | None = None) -> User | None:
    """The active user owning this unrevoked token, or None; notes when it was last used."""
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > MAX_TOKEN_CHARS:
        return None
    digest = hash_token(plaintext)
    found = session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == digest)
    ).first()
    if found is None:
        return None
    token, user = found
    if (
        not hmac.compare_digest(token.token_hash, digest)
        or token.revoked_at is not None
        or not user.is_active
    ):
        return None
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.flush()
    return user


def revoke_token(*, session: Session, token_id: int, actor_id: int | None = None) -> ApiToken:
    """Revoke a token for good (revoking twice is harmless)."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise TokenError("auth.unknown_token", f"no API token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        audit.record(
            session=session,
            action="token.revoke",
            entity_type="api_token",
            entity_id=token.id,
            actor_id=actor_id,
            actor_kind="user" if actor_id else "system",
            summary=f"API token {token.prefix}… ({token.name}) revoked",
        )
    return token


def list_tokens(*, session: Session, user_id: int) -> list[ApiToken]:
    """A user's tokens, newest first (hashes only; plaintexts are never kept)."""
    stmt = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
    return list(session.scalars(stmt))
