"""API tokens and the API's auth, permissions, transactions, errors, health and docs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from factories import make_brand, make_user
from trustdesk.api.app import create_app
from trustdesk.api.deps import CurrentUser, SessionDep
from trustdesk.inbox.models import Brand
from trustdesk.store.base import utcnow
from trustdesk.store.db import make_engine
from trustdesk.team import permissions
from trustdesk.team.models import ApiToken
from trustdesk.team.tokens import TokenError, authenticate, create_token, revoke_token


def test_tokens_plaintext_shown_once_only_hash_stored(session: Session) -> None:
    user = make_user(session)
    token, plaintext = create_token(session=session, user_id=user.id, name="zapier")
    assert plaintext.startswith("td_") and len(plaintext) >= 40
    stored = session.scalars(select(ApiToken)).one()
    assert stored.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert (
        plaintext not in (stored.prefix + stored.name + stored.token_hash) and stored.prefix == plaintext[:10]
    )
    assert authenticate(session=session, plaintext=plaintext) == user
    other, plaintext2 = create_token(session=session, user_id=user.id, name="second")
    assert plaintext2 != plaintext and other.token_hash != token.token_hash


@pytest.mark.parametrize("bad", ["", "td_", "td_wrong", "x" * 300, "Bearer td_x", "td_\x00", "td_é"])
def test_tokens_unknown_or_malformed_are_refused(session: Session, bad: str) -> None:
    user = make_user(session)
    create_token(session=session, user_id=user.id, name="t")
    assert authenticate(session=session, plaintext=bad) is None


def test_tokens_revoked_and_inactive_refused(session: Session) -> None:
    user = make_user(session)
    token, plaintext = create_token(session=session, user_id=user.id, name="t")
    revoke_token(session=session, token_id=token.id)
    revoke_token(session=session, token_id=token.id)
    assert authenticate(session=session, plaintext=plaintext) is None
    _, second = create_token(session=session, user_id=user.id, name="t2")
    user.is_active = False
    assert authenticate(session=session, plaintext=second) is None
    with pytest.raises(TokenError):
        create_token(session=session, user_id=user.id, name="t3")
    with pytest.raises(TokenError):
        revoke_token(session=session, token_id=10**9)


def test_tokens_last_used_written_at_most_once_a_minute(session: Session) -> None:
    user = make_user(session)
    token, plaintext = create_token(session=session, user_id=user.id, name="t")
    t0 = utcnow()
    authenticate(session=session, plaintext=plaintext, now=t0)
    assert token.last_used_at == t0
    authenticate(session=session, plaintext=plaintext, now=t0 + timedelta(seconds=59))
    assert token.last_used_at == t0
    authenticate(session=session, plaintext=plaintext, now=t0 + timedelta(seconds=61))
    assert token.last_used_at == t0 + timedelta(seconds=61)


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "auth.missing_token"),
        ({"Authorization": "Bearer td_nope"}, "auth.invalid_token"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "auth.invalid_token"),
        ({"Authorization": "Bearer"}, "auth.invalid_token"),
    ],
)
def test_api_auth_missing_or_bad_token_is_401(client: TestClient, headers: dict[str, str], code: str) -> None:
    response = client.get("/api/v1/conversations", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"error": {"code": code, "message": response.json()["error"]["message"]}}
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_api_auth_revoked_token_is_401(client: TestClient, session: Session) -> None:
    user = make_user(session, role="admin")
    token, plaintext = create_token(session=session, user_id=user.id, name="t")
    session.commit()
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert client.get("/api/v1/channels", headers=headers).status_code == 200
    revoke_token(session=session, token_id=token.id)
    session.commit()
    assert client.get("/api/v1/channels", headers=headers).json()["error"]["code"] == "auth.invalid_token"


@pytest.fixture
def write_app(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app plus a test router that writes, declared as needing an agent."""
    router = APIRouter()

    @router.post("/api/v1/test-brands")
    def add_brand(session: SessionDep, user: CurrentUser, fail: bool = False) -> dict[str, int]:
        session.add(Brand(slug="written-by-handler", name="Written", settings={}))
        session.flush()
        if fail:
            raise KeyError("boom")  # a bug, not a domain error
        return {"ok": 1}

    monkeypatch.setitem(permissions.ROUTE_PERMISSIONS, ("POST", "/api/v1/test-brands"), "conversation.work")
    with TestClient(create_app(engine=engine, routers=[router]), raise_server_exceptions=False) as c:
        yield c


def brands_named(session: Session, slug: str) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(Brand).where(Brand.slug == slug)) or 0


def test_api_viewer_reads_but_may_not_write(write_app: TestClient, token_for: Any, session: Session) -> None:
    viewer = token_for("viewer")
    assert write_app.get("/api/v1/conversations", headers=viewer).status_code == 200
    response = write_app.post("/api/v1/test-brands", headers=viewer)
    assert response.status_code == 403 and response.json()["error"]["code"] == "auth.forbidden"
    assert brands_named(session, "written-by-handler") == 0
    assert write_app.post("/api/v1/test-brands", headers=token_for("agent")).status_code == 200
    assert brands_named(session, "written-by-handler") == 1


def test_api_failing_handler_leaves_no_rows(write_app: TestClient, token_for: Any, session: Session) -> None:
    response = write_app.post("/api/v1/test-brands?fail=true", headers=token_for("admin"))
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal.error"
    assert "boom" not in response.text
    assert brands_named(session, "written-by-handler") == 0


def test_api_undeclared_route_is_refused(engine: Engine, token_for: Any) -> None:
    router = APIRouter()

    @router.get("/api/v1/undeclared")
    def undeclared(user: CurrentUser) -> dict[str, int]:
        return {"ok": 1}

    with TestClient(create_app(engine=engine, routers=[router])) as c:
        response = c.get("/api/v1/undeclared", headers=token_for("admin"))
    assert response.status_code == 403 and response.json()["error"]["code"] == "auth.forbidden"


def test_api_every_route_is_declared_in_the_permission_table(engine: Engine) -> None:
    app = create_app(engine=engine)
    declared = [(method.upper(), path) for path, ops in app.openapi()["paths"].items() for method in ops]
    declared += [(m, r.path) for r in app.routes if isinstance(r, APIRoute) for m in r.methods]  # /healthz
    assert len(declared) >= 6
    for method, path in declared:
        assert permissions.route_permission(method, path) is not None, (method, path)


def test_api_healthz_ready_only_when_migrated(client: TestClient, tmp_path: Any) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/healthz").status_code == 200
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with TestClient(create_app(engine=empty)) as c:
        response = c.get("/healthz")
    assert response.status_code == 503 and response.json()["error"]["code"] == "db.not_migrated"
    empty.dispose()


def test_api_openapi_and_docs_are_served(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/conversations" in spec["paths"] and "/api/v1/webhooks/{channel_name}" in spec["paths"]
    # the docs page is the desk's (its static files): see tests/e2e/test_api_docs.py
    from trustdesk.settings import Settings
    from trustdesk.web.app import create_desk_app

    desk = create_desk_app(client.app.state.engine, Settings(secret_key="docs-test-secret-key", env="test"))
    with TestClient(desk) as browser:
        page = browser.get("/api/docs")
        assert page.status_code == 200 and "/static/swagger/init.js" in page.text and "cdn" not in page.text
        assert browser.get("/static/swagger/swagger-ui-bundle.js").status_code == 200


def test_api_brand_fixture_isolated(session: Session) -> None:
    # Factories flush without committing: the rollback at the end of each test leaves nothing behind.
    make_brand(session, slug="temporary")
    assert brands_named(session, "temporary") == 0
