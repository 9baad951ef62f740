"""API test fixtures: the app on the per-test database and a client with a token per role."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from factories import make_user
from trustdesk.api.app import create_app
from trustdesk.team.tokens import create_token


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    """A client of a fresh app on the per-test database (server errors answer 500, not raise)."""
    with TestClient(create_app(engine=engine), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def token_for(session: Session) -> Callable[..., dict[str, str]]:
    """Make a user with ``role`` and return Authorization headers carrying a fresh token of theirs."""

    def make(role: str = "agent", **fields: object) -> dict[str, str]:
        user = make_user(session, role=role, **fields)
        _, plaintext = create_token(session=session, user_id=user.id, name="tests")
        session.commit()
        return {"Authorization": f"Bearer {plaintext}"}

    return make
