"""Passwords, throttling and session tokens."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from trustdesk.team.auth import (
    LoginThrottle,
    LoginThrottled,
    SessionSigner,
    authenticate,
    end_session,
    hash_password,
    session_user,
    start_session,
    verify_password,
)
from trustdesk.team.users import UserError, change_password, create_user


def test_auth_hash_is_argon2_and_verifies() -> None:
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "correct horse batterz")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


def test_auth_authenticate_accepts_good_and_refuses_bad(session: Session) -> None:
    create_user(
        session=session, email="Ada@Example.com", name="Ada", role="admin", password="a-long-password"
    )
    throttle = LoginThrottle()
    assert authenticate(
        session=session, email=" ada@example.COM", password="a-long-password", throttle=throttle
    )
    assert (
        authenticate(session=session, email="ada@example.com", password="wrong-password", throttle=throttle)
        is None
    )
    assert authenticate(session=session, email="nobody@example.com", password="x", throttle=throttle) is None


def test_auth_throttle_locks_after_repeated_failures(session: Session) -> None:
    create_user(session=session, email="a@example.com", name="A", role="agent", password="a-long-password")
    throttle = LoginThrottle(limit=3)
    for _ in range(3):
        assert (
            authenticate(session=session, email="a@example.com", password="nope", throttle=throttle) is None
        )
    with pytest.raises(LoginThrottled) as info:
        authenticate(session=session, email="a@example.com", password="a-long-password", throttle=throttle)
    assert info.value.retry_after > 0


def test_auth_throttle_window_expires() -> None:
    throttle = LoginThrottle(limit=2, window=10, lockout=5)
    throttle.fail(["k"], now=0)
    throttle.fail(["k"], now=1)
    with pytest.raises(LoginThrottled):
        throttle.check(["k"], now=2)
    throttle.check(["k"], now=20)  # the window passed: allowed again


def test_auth_session_dies_on_password_change(session: Session) -> None:
    user = create_user(
        session=session, email="s@example.com", name="S", role="agent", password="a-long-password"
    )
    signer = SessionSigner("test-secret")
    data = signer.loads(signer.dumps(start_session(session=session, signer=signer, user=user)))
    assert data is not None and session_user(session=session, data=data) is user
    change_password(session=session, user=user, new_password="another-long-one")
    assert session_user(session=session, data=data) is None


def test_auth_signed_out_session_stays_dead(session: Session) -> None:
    """Sign-out only deleted the cookie: a copied cookie stayed valid for 14 days (issue 13)."""
    user = create_user(
        session=session, email="o@example.com", name="O", role="agent", password="a-long-password"
    )
    signer = SessionSigner("test-secret")
    one = start_session(session=session, signer=signer, user=user)
    two = start_session(session=session, signer=signer, user=user)
    end_session(session=session, data=one)
    assert session_user(session=session, data=one) is None
    assert session_user(session=session, data=two) is user  # the other browser stays signed in
    # a cookie signed with the right key but never recorded (or from before sessions were kept) is refused
    assert session_user(session=session, data=signer.new_session(user)) is None


def test_auth_password_change_may_revoke_api_tokens(session: Session) -> None:
    from trustdesk.team.tokens import authenticate as token_user
    from trustdesk.team.tokens import create_token

    user = create_user(
        session=session, email="t@example.com", name="T", role="agent", password="a-long-password"
    )
    _, kept = create_token(session=session, user_id=user.id, name="kept")
    change_password(session=session, user=user, new_password="another-long-one")
    assert token_user(session=session, plaintext=kept) is user
    assert (
        change_password(session=session, user=user, new_password="a-third-long-one", revoke_tokens=True) == 1
    )
    assert token_user(session=session, plaintext=kept) is None


def test_auth_forged_or_foreign_cookie_is_refused() -> None:
    signer = SessionSigner("secret-one")
    other = SessionSigner("secret-two")
    value = other.dumps(other.new_session(type("U", (), {"id": 1, "session_version": 1})()))  # type: ignore[arg-type]
    assert signer.loads(value) is None
    assert signer.loads("garbage") is None
    assert signer.loads_pre("garbage") is None


def test_users_refuse_weak_password_bad_role_and_duplicates(session: Session) -> None:
    with pytest.raises(UserError) as weak:
        create_user(session=session, email="w@example.com", name="W", role="agent", password="short")
    assert weak.value.code == "team.weak_password"
    with pytest.raises(UserError) as role:
        create_user(
            session=session, email="w@example.com", name="W", role="owner", password="a-long-password"
        )
    assert role.value.code == "team.bad_role"
    create_user(session=session, email="w@example.com", name="W", role="agent", password="a-long-password")
    with pytest.raises(UserError) as dup:
        create_user(
            session=session, email="W@example.com", name="W", role="agent", password="a-long-password"
        )
    assert dup.value.code == "team.email_taken"
    with pytest.raises(UserError) as bad:
        create_user(session=session, email="<script>@x", name="X", role="agent", password="a-long-password")
    assert bad.value.code == "team.bad_email"
