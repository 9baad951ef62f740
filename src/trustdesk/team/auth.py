"""Passwords (argon2), sign-in with throttling, and signed session tokens that die with session_version."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from trustdesk.errors import DomainError
from trustdesk.store.base import utcnow
from trustdesk.team.models import User, WebSession

SESSION_MAX_AGE = 14 * 24 * 3600
_HASHER = PasswordHasher()
# Verified against when the e-mail is unknown, so a miss takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not-a-real-password-" + secrets.token_hex(8))


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``password_hash`` (False for a missing or broken hash)."""
    if not password_hash:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class LoginThrottled(DomainError):
    """Too many failed sign-ins for this e-mail or address (code ``auth.throttled``)."""

    code = "auth.throttled"
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after} s")
        self.retry_after = retry_after


@dataclass
class LoginThrottle:
    """Counts failures per key in a sliding window; a key locks after its limit.

    Keys carry their own limit: ``("pair:…", 5)`` — one e-mail from one address — is tight, an e-mail
    from anywhere and an address for any e-mail are looser, so that many people behind one address (an
    office, a proxy that is not trusted) are not locked out by one person's typos.
    """

    limit: int = 5
    window: float = 15 * 60.0
    lockout: float = 5 * 60.0
    _failures: dict[str, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, keys: list[str] | list[tuple[str, int]], now: float | None = None) -> None:
        """Raise ``LoginThrottled`` when any key is locked."""
        now = time.monotonic() if now is None else now
        with self._lock:
            for key, limit in self._limits(keys):
                recent = [t for t in self._failures.get(key, []) if now - t < self.window]
                self._failures[key] = recent
                if len(recent) >= limit:
                    retry = int(self.lockout - (now - recent[-1])) + 1
                    if retry > 0:
                        raise LoginThrottled(retry)

    def fail(self, keys: list[str] | list[tuple[str, int]], now: float | None = None) -> None:
        """Remember one failed attempt for every key."""
        now = time.monotonic() if now is None else now
        with self._lock:
            for key, _ in self._limits(keys):
                self._failures.setdefault(key, []).append(now)

    def succeed(self, keys: list[str] | list[tuple[str, int]]) -> None:
        """Forget the failures of these keys after a good sign-in."""
        with self._lock:
            for key, _ in self._limits(keys):
                self._failures.pop(key, None)

    def _limits(self, keys: list[str] | list[tuple[str, int]]) -> list[tuple[str, int]]:
        return [(k, self.limit) if isinstance(k, str) else k for k in keys]


EMAIL_LIMIT = 20
"""Failures of one e-mail from any address (a spread-out guess at one account)."""
CLIENT_LIMIT = 100
"""Failures from one address for any e-mail (one guesser trying many accounts)."""


def throttle_keys(email: str, client: str, pair_limit: int) -> list[tuple[str, int]]:
    """The throttle's keys for a sign-in attempt, each with its limit (one e-mail from one address:
    ``pair_limit``)."""
    keys = [(f"pair:{email}|{client}", pair_limit), (f"email:{email}", EMAIL_LIMIT)]
    if client:
        keys.append((f"client:{client}", CLIENT_LIMIT))
    return keys


def authenticate(
    *, session: Session, email: str, password: str, throttle: LoginThrottle, client: str = ""
) -> User | None:
    """The active user with these credentials, or None; raises ``LoginThrottled`` when locked out."""
    email = email.strip().lower()
    keys = throttle_keys(email, client, throttle.limit)
    throttle.check(keys)
    user = session.scalars(select(User).where(User.email == email)).first()
    if user is None:
        _verify_dummy(password)
        throttle.fail(keys)
        return None
    if not user.is_active or not verify_password(user.password_hash, password):
        throttle.fail(keys)
        return None
    # Only this pair's failures are forgotten: a correct password must not reset the spread-out counts.
    throttle.succeed(keys[:1])
    if user.password_hash and _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    session.flush()
    return user


def _verify_dummy(password: str) -> None:
    with contextlib.suppress(VerifyMismatchError, VerificationError, InvalidHashError):
        _HASHER.verify(_DUMMY_HASH, password)


@dataclass(frozen=True)
class SessionData:
    """What a session cookie carries: the user, their session version, the CSRF token and the session's
    secret (whose hash is the ``WebSession`` row)."""

    user_id: int
    version: int
    csrf: str
    sid: str = ""


class SessionSigner:
    """Signs and reads session cookies; a cookie is only as good as the user's current session_version."""

    def __init__(self, secret_key: str, max_age: int = SESSION_MAX_AGE) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="trustdesk.session")
        self._pre = URLSafeTimedSerializer(secret_key, salt="trustdesk.pre-session")
        self.max_age = max_age

    def dumps(self, data: SessionData) -> str:
        """The cookie value for ``data``."""
        return self._serializer.dumps({"u": data.user_id, "v": data.version, "c": data.csrf, "s": data.sid})

    def loads(self, value: str) -> SessionData | None:
        """The session in ``value``, or None when it is forged, expired or malformed."""
        try:
            raw = self._serializer.loads(value, max_age=self.max_age)
            return SessionData(
                user_id=int(raw["u"]), version=int(raw["v"]), csrf=str(raw["c"]), sid=str(raw["s"])
            )
        except (BadSignature, KeyError, TypeError, ValueError):
            return None

    def new_session(self, user: User) -> SessionData:
        """A fresh session (new secret and CSRF token) for ``user``; ``start_session`` records it."""
        return SessionData(
            user_id=user.id,
            version=user.session_version,
            csrf=secrets.token_urlsafe(32),
            sid=secrets.token_urlsafe(32),
        )

    def dumps_pre(self, token: str) -> str:
        """A signed anonymous CSRF token (for the sign-in form, before there is a session)."""
        return self._pre.dumps(token)

    def loads_pre(self, value: str) -> str | None:
        """The anonymous CSRF token in ``value``, or None."""
        try:
            return str(self._pre.loads(value, max_age=24 * 3600))
        except (BadSignature, TypeError, ValueError):
            return None


def _session_key(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def start_session(*, session: Session, signer: SessionSigner, user: User) -> SessionData:
    """Record a new signed-in browser for ``user`` (and forget their expired ones)."""
    data = signer.new_session(user)
    now = utcnow()
    session.execute(delete(WebSession).where(WebSession.user_id == user.id, WebSession.expires_at < now))
    session.add(
        WebSession(
            id=_session_key(data.sid), user_id=user.id, expires_at=now + timedelta(seconds=signer.max_age)
        )
    )
    session.flush()
    return data


def end_session(*, session: Session, data: SessionData) -> None:
    """Sign this browser out for good: its cookie no longer opens anything, even if it was copied."""
    row = session.get(WebSession, _session_key(data.sid))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()


def session_user(*, session: Session, data: SessionData) -> User | None:
    """The user of a session, or None when it was signed out or expired, or the user is gone, deactivated
    or changed their password since."""
    user = session.get(User, data.user_id)
    if user is None or not user.is_active or user.session_version != data.version or not data.sid:
        return None
    row = session.get(WebSession, _session_key(data.sid))
    if row is None or row.user_id != user.id or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return user
