"""Every route × every role (and another brand's lead, and nobody) against the one permission table.

Routes come from ``app.routes``, so a new route without a row in ROUTE_PERMISSIONS fails here, and a
route whose handler forgets to check the brand shows up as "allowed" for the other brand's lead.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.web.conftest import Desk, all_routes, csrf_of, sign_in

from trustdesk.inbox.models import Conversation, Customer, CustomerSuggestion
from trustdesk.knowledge.schemas import Entry
from trustdesk.knowledge.service import create_entry
from trustdesk.publish.models import OutboxItem, Reply
from trustdesk.publish.outbox import enqueue
from trustdesk.store.db import unit_of_work
from trustdesk.team.permissions import PUBLIC, role_allows, route_permission
from trustdesk.team.tokens import create_token

WHO = ("admin", "lead", "agent", "viewer", "outsider", "anonymous")
BRAND_OBJECT_PARAMS = {"conversation_id", "reply_id", "item_id", "customer_id", "suggestion_id", "entry_id"}
SIGNATURE_AUTH = ("/api/v1/webhooks/",)  # authenticated by HMAC, not by a user: tested in tests/api


def _objects(engine: Engine, desk: Desk) -> dict[str, Any]:
    """A pending reply, a manual outbox item and a knowledge entry on the first brand, for the routes that take them."""
    conv = desk.conversations["angry"]
    with unit_of_work(engine) as s:
        pending = Reply(brand_id=desk.brand_id, conversation_id=conv, text="Hi Rob", status="pending")
        approved = Reply(brand_id=desk.brand_id, conversation_id=conv, text="Hi again Rob", status="approved")
        s.add_all([pending, approved])
        s.flush()
        item: OutboxItem = enqueue(session=s, reply=approved)
        admins_token, _ = create_token(session=s, user_id=desk.users["admin"], name="admin's own")
        rob = s.get_one(Conversation, conv).customer_id
        namesake = Customer(brand_id=desk.brand_id, display_name="Rob Tennant", match_key="rob tennant")
        s.add(namesake)
        s.flush()
        suggestion = CustomerSuggestion(brand_id=desk.brand_id, customer_id=namesake.id, candidate_id=rob,
                                        reason="same name", status="open")  # fmt: skip
        s.add(suggestion)
        s.flush()
        # its delete route runs after its GET and save routes: the app declares them in that order
        entry = create_entry(session=s, brand_id=desk.brand_id, actor_id=None,
                             entry=Entry(title="Opening hours", answer="Mon–Fri 07:00–18:00."))  # fmt: skip
        return {
            "customer_id": namesake.id,
            "suggestion_id": suggestion.id,
            "token_id": admins_token.id,
            "conversation_id": conv,
            "reply_id": pending.id,
            "item_id": item.id,
            "entry_id": entry.id,
            "user_id": desk.users["agent"],
            "channel_name": "google-canal-street",
        }


def _call(client: TestClient, method: str, path: str, *, csrf: str, token: str | None) -> tuple[int, str]:
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if path == "/events":
        path += "?once=1"
    if (method, path) == ("POST", "/login"):  # the sign-in form carries its own pre-session token
        token_field = csrf_of(client.get("/login").text)
        form = {"email": "nobody@example.com", "password": "wrong", "csrf_token": token_field}
        response = client.post(path, data=form)
    elif method == "GET":
        response = client.get(path, headers=headers)
    elif path.startswith("/api/"):
        response = client.request(method, path, headers=headers, json={"reply": "Thanks, Rob!"})
    else:
        response = client.request(method, path, headers=headers, data={"csrf_token": csrf})
    return response.status_code, response.headers.get("location", "")


def _denied(status: int, location: str) -> bool:
    # "/login?next=..." is the sign-in wall; a bare "/login" is where signing out lands.
    return status in (401, 403, 404) or (status == 303 and location.startswith("/login?next="))


def test_authz_matrix_every_route_is_declared(app: FastAPI) -> None:
    missing = [(m, p) for m, p in all_routes(app) if route_permission(m, p) is None]
    assert not missing, f"routes without a row in ROUTE_PERMISSIONS: {missing}"


@pytest.mark.parametrize("who", WHO)
def test_authz_matrix_role_against_every_route(app: FastAPI, desk: Desk, engine: Engine, who: str) -> None:
    ids = _objects(engine, desk)
    routes = [r for r in all_routes(app) if not r[1].startswith(SIGNATURE_AUTH)]
    # Sign out last: it ends the session the other calls use.
    routes.sort(key=lambda r: r[1] == "/logout")
    with TestClient(app, follow_redirects=False) as client:
        csrf, token, role = "", None, None
        if who != "anonymous":
            email = desk.other_email if who == "outsider" else desk.emails[who]
            csrf = sign_in(client, email)
            role = "lead" if who == "outsider" else who
            with unit_of_work(engine) as s:
                _, token = create_token(
                    session=s,
                    user_id=desk.users["outsider"] if who == "outsider" else desk.users[who],
                    name="matrix",
                )
        wrong: list[str] = []
        for method, template in routes:
            permission = route_permission(method, template)
            assert permission is not None
            path = template.format(**{k: ids[k] for k in ids if "{" + k + "}" in template})
            expected = role_allows(role, permission) if permission != PUBLIC else True
            if who == "outsider" and BRAND_OBJECT_PARAMS & {k for k in ids if "{" + k + "}" in template}:
                expected = False  # another brand's object: must look like it does not exist
            if "{token_id}" in template and who != "admin":
                expected = False  # tokens are their owner's alone (the admin owns this one)
            response_status, location = _call(
                client, method, path, csrf=csrf, token=token if template.startswith("/api/") else None
            )
            assert response_status < 500, f"{who} {method} {path} -> {response_status}"
            denied = _denied(response_status, location)
            if expected == denied:
                wrong.append(
                    f"{method} {path} ({permission}): got {response_status}, expected {'allow' if expected else 'deny'}"
                )
        assert not wrong, f"{who}:\n" + "\n".join(wrong)
