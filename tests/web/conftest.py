"""A desk app on the per-test database with two brands, a user per role, and a few conversations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from starlette.routing import Mount
from tests.factories import make_channel, make_conversation, make_customer, make_message

from trustdesk.inbox.models import Brand
from trustdesk.settings import Settings
from trustdesk.store.base import utcnow
from trustdesk.store.db import unit_of_work
from trustdesk.team.auth import hash_password
from trustdesk.team.models import Membership, User
from trustdesk.web.app import create_desk_app

PASSWORD = "a-long-test-password"
ROLES = ("admin", "lead", "agent", "viewer")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_HEADER_CSRF = re.compile(r'X-CSRF-Token": "([^"]+)"')


@cache
def _hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per test session


@dataclass
class Desk:
    """Ids of what the fixture created."""

    brand_id: int
    other_brand_id: int
    users: dict[str, int] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    conversations: dict[str, int] = field(default_factory=dict)
    other_conversation: int = 0
    other_email: str = ""


def _user(session, email: str, role: str, brand_id: int) -> User:  # type: ignore[no-untyped-def]
    user = User(
        email=email, name=f"{role.title()} {email[:3]}", role=role, password_hash=_hash(), session_version=1
    )
    session.add(user)
    session.flush()
    session.add(Membership(user_id=user.id, brand_id=brand_id, role=role))
    return user


def build_desk(engine: Engine) -> Desk:
    """Two brands; the first uses the shipped Bluebird playbook (slug ``bluebird``)."""
    now = utcnow()
    with unit_of_work(engine) as session:
        brand = Brand(
            slug="bluebird",
            name="Bluebird Coffee Co.",
            timezone="Europe/London",
            settings={"sla": {"google_business": {"first_response_hours": 24, "resolution_hours": 72}}},
        )
        other = Brand(slug="fernway", name="Fernway Books", settings={})
        session.add_all([brand, other])
        session.flush()
        desk = Desk(brand_id=brand.id, other_brand_id=other.id)
        for role in ROLES:
            user = _user(session, f"{role}@bluebird.example", role, brand.id)
            desk.users[role], desk.emails[role] = user.id, user.email
        outsider = _user(session, "lead@fernway.example", "lead", other.id)
        desk.other_email = outsider.email
        desk.users["outsider"] = outsider.id
        google = make_channel(session, brand=brand, name="google-canal-street", kind="google_business",
                              display_name="Google – Bluebird Canal Street")  # fmt: skip
        x = make_channel(session, brand=brand, name="x", kind="x", display_name="X – @bluebirdcoffee")
        customer = make_customer(session, brand=brand, identities_on=[google, x], display_name="Rob Tennant")
        angry = make_conversation(
            session, channel=google, customer=customer, priority=90.0, sentiment="negative", emotion="anger",
            intent="complaint", rating=1.0, subject="Cold flat white", last_message_at=now - timedelta(hours=30),
            first_message_at=now - timedelta(hours=30), waiting_since=now - timedelta(hours=30),
        )  # fmt: skip
        make_message(
            session, conversation=angry, kind="review", rating=1.0, author_name="Rob Tennant", sentiment="negative",
            text="My flat white was stone cold and the barista ignored me at Canal Street.",
            created_at=now - timedelta(hours=30), analyzed_at=now, intent="complaint", emotion="anger",
            urgency=0.8, language="en", over_the_top=True, abusive=False,
        )  # fmt: skip
        happy = make_conversation(
            session, channel=x, customer=customer, priority=20.0, sentiment="positive", subject="Lovely oat latte",
            last_message_at=now - timedelta(hours=1),
        )  # fmt: skip
        make_message(
            session, conversation=happy, text="Lovely oat latte this morning!", author_name="Rob Tennant"
        )
        other_channel = make_channel(session, brand=other, name="fernway-google", kind="google_business")
        theirs = make_conversation(session, channel=other_channel, priority=99.0, subject="Fernway only")
        make_message(session, conversation=theirs, text="A Fernway secret complaint")
        desk.conversations = {"angry": angry.id, "happy": happy.id}
        desk.other_conversation = theirs.id
    return desk


@pytest.fixture
def desk(engine: Engine) -> Desk:
    """The fixture data, committed."""
    return build_desk(engine)


@pytest.fixture
def app(engine: Engine, desk: Desk) -> FastAPI:
    """The desk app on the test database."""
    return create_desk_app(engine, Settings(secret_key="test-secret-key-for-the-desk", env="test"))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An anonymous browser."""
    with TestClient(app, follow_redirects=False) as c:
        yield c


def csrf_of(html: str) -> str:
    """The CSRF token a page carries."""
    found = _HEADER_CSRF.search(html) or _CSRF.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in; returns the session's CSRF token."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text), "next": "/inbox"},
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/inbox").text)


@pytest.fixture
def as_role(app: FastAPI, desk: Desk) -> Iterator[object]:
    """``as_role("lead")`` -> (client, csrf) signed in with that role; ``"outsider"`` is the other brand's lead."""
    clients: list[TestClient] = []

    def make(role: str) -> tuple[TestClient, str]:
        c = TestClient(app, follow_redirects=False)
        c.__enter__()
        clients.append(c)
        email = desk.other_email if role == "outsider" else desk.emails[role]
        return c, sign_in(c, email)

    yield make
    for c in clients:
        c.__exit__(None, None, None)


def all_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route, through included routers (FastAPI keeps them nested)."""
    found = []
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, context.path
        if isinstance(route, Mount):
            assert path == "/static", f"unexpected mount {path}"
            continue
        methods: set[str] = getattr(route, "methods", None) or set()
        assert methods, f"route {path} has no methods"
        for method in sorted(methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    assert len(found) > 30, "route enumeration found too few routes"
    return found
