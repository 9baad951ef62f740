"""GET /api/v1 inbox reads: filters, sorts, cursors, one conversation, search, channels — both databases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from factories import (
    BASE_TIME,
    make_brand,
    make_channel,
    make_conversation,
    make_customer,
    make_message,
)
from trustdesk.team.models import Membership


@pytest.fixture
def desk(session: Session) -> dict[str, Any]:
    brand = make_brand(session, slug="bluebird")
    google = make_channel(session, brand=brand, name="google-riverside")
    hook = make_channel(session, brand=brand, name="webhook", kind="webhook", webhook_secret="s3cret")
    customer = make_customer(session, brand=brand, identities_on=[google, hook], display_name="Maria Lopez")
    convs = []
    for i in range(12):
        conv = make_conversation(
            session,
            channel=google if i % 2 else hook,
            customer=customer if i == 0 else None,
            priority=float(100 - i * 5),
            sentiment="negative" if i % 3 == 0 else "positive",
            emotion="anger" if i == 0 else None,
            status="open" if i < 8 else "resolved",
            tags=["refund"] if i in (0, 5) else [],
            last_message_at=BASE_TIME + timedelta(hours=i),
        )
        make_message(
            session,
            conversation=conv,
            text="cold oat latte, want a refund" if i == 0 else f"flat white number {i}",
            sentiment=conv.sentiment,
            sentiment_score=0.9,
            emotion="anger" if i == 0 else None,
            urgency=0.7,
            analysis_reasons=["low rating"],
            abusive=i == 4,
            language="es" if i in (2, 9) else "en",
        )
        convs.append(conv)
    session.commit()
    return {"brand": brand, "google": google, "hook": hook, "customer": customer, "convs": convs}


def ids_of(response: Any) -> list[int]:
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["items"]]


def test_api_conversations_default_priority_order(
    client: TestClient, token_for: Any, desk: dict[str, Any]
) -> None:
    headers = token_for("viewer")
    body = client.get("/api/v1/conversations", headers=headers).json()
    assert [c["id"] for c in body["items"]] == [c.id for c in desk["convs"]]
    assert body["next_cursor"] is None
    first = body["items"][0]
    assert first["channel"]["name"] == "webhook" and first["customer"]["display_name"] == "Maria Lopez"
    assert first["tags"] == ["refund"] and first["last_message_at"].startswith("2026-11-01T09:00:00")


FILTER_CASES: list[tuple[str, list[int]]] = [
    ("status=resolved", [8, 9, 10, 11]),
    ("sentiment=negative&status=open", [0, 3, 6]),
    ("channel=google-riverside&status=open", [1, 3, 5, 7]),
    ("tag=refund", [0, 5]),
    ("q=refund", [0]),
    ("priority_min=80&sort=oldest", [0, 1, 2, 3, 4]),
    ("sort=newest&limit=3", [11, 10, 9]),
    ("since=2026-11-01T19:00:00Z", [10, 11]),
    ("since=2026-11-01T19:00:00&until=2026-11-01T20:00:00%2B00:00", [10]),
    ("brand=bluebird&assignee=none&emotion=anger", [0]),
    ("abusive=true", [4]),
    ("language=es&status=open", [2]),
    ("abusive=false&language=es", [2, 9]),
]


def test_api_conversations_filters(client: TestClient, token_for: Any, desk: dict[str, Any]) -> None:
    headers = token_for("viewer")
    wrong = []
    for query, expected in FILTER_CASES:
        got = ids_of(client.get(f"/api/v1/conversations?{query}", headers=headers))
        if got != [desk["convs"][i].id for i in expected]:
            wrong.append((query, expected, got))
    assert not wrong, wrong


def test_api_conversations_cursor_pages_survive_inserts(
    client: TestClient, token_for: Any, desk: dict[str, Any], session: Session
) -> None:
    headers = token_for("viewer")
    seen: list[int] = []
    url = "/api/v1/conversations"
    response = client.get(url, params={"sort": "newest", "limit": 5}, headers=headers)
    seen += ids_of(response)
    # Newer conversations arrive after page 1: they belong before the cursor and must not disturb later pages.
    for i in range(3):
        make_conversation(
            session, channel=desk["google"], last_message_at=BASE_TIME + timedelta(days=2, hours=i)
        )
    session.commit()
    while (cursor := response.json()["next_cursor"]) is not None:
        response = client.get(url, params={"sort": "newest", "limit": 5, "cursor": cursor}, headers=headers)
        seen += ids_of(response)
    assert seen == [c.id for c in reversed(desk["convs"])]


BAD_INPUT: list[tuple[str, str, int]] = [
    ("status=closed", "inbox.invalid_filter", 400),
    ("assignee=somebody", "inbox.invalid_filter", 400),
    ("cursor=bm9wZQ", "inbox.invalid_cursor", 400),
    ("sort=random", "request.invalid", 422),
    ("limit=0", "request.invalid", 422),
    ("limit=201", "request.invalid", 422),
    ("priority_min=abc", "request.invalid", 422),
    ("unknown=1", "request.invalid", 422),
]


def test_api_conversations_bad_input_has_error_shape(
    client: TestClient, token_for: Any, desk: dict[str, Any]
) -> None:
    headers = token_for("viewer")
    for query, code, status in BAD_INPUT:
        response = client.get(f"/api/v1/conversations?{query}", headers=headers)
        assert response.status_code == status, query
        error = response.json()["error"]
        assert error["code"] == code and error["message"] and "Unknown" not in error["message"], query


def test_api_conversation_detail_has_messages_analysis_and_identities(
    client: TestClient, token_for: Any, desk: dict[str, Any]
) -> None:
    conv = desk["convs"][0]
    body = client.get(f"/api/v1/conversations/{conv.id}", headers=token_for("viewer")).json()
    assert body["id"] == conv.id and body["message_count"] == 1
    (message,) = body["messages"]
    assert message["text"] == "cold oat latte, want a refund"
    assert message["sentiment"] == "negative" and message["emotion"] == "anger"
    assert message["urgency"] == 0.7 and message["analysis_reasons"] == ["low rating"]
    assert {i["channel_id"] for i in body["customer"]["identities"]} == {desk["google"].id, desk["hook"].id}


def test_api_conversation_missing_is_404_with_code(client: TestClient, token_for: Any) -> None:
    response = client.get("/api/v1/conversations/999999", headers=token_for("viewer"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "inbox.conversation_not_found"
    assert client.get("/api/v1/nope", headers=token_for("viewer")).json()["error"]["code"] == "http.not_found"


def test_api_search_newest_first_and_paged(client: TestClient, token_for: Any, desk: dict[str, Any]) -> None:
    headers = token_for("viewer")
    first = client.get(
        "/api/v1/messages/search", params={"q": "flat white", "limit": 4}, headers=headers
    ).json()
    assert [m["text"] for m in first["items"]] == [f"flat white number {i}" for i in (11, 10, 9, 8)]
    rest = client.get(
        "/api/v1/messages/search", params={"q": "flat white", "cursor": first["next_cursor"]}, headers=headers
    ).json()
    assert len(rest["items"]) == 7 and rest["next_cursor"] is None
    hostile = client.get("/api/v1/messages/search", params={"q": 'NEAR( " * OR'}, headers=headers)
    assert hostile.status_code == 200


def test_api_channels_never_show_secrets(client: TestClient, token_for: Any, desk: dict[str, Any]) -> None:
    response = client.get("/api/v1/channels", headers=token_for("viewer"))
    items = {c["name"]: c for c in response.json()["items"]}
    assert (
        items["webhook"]["webhook_enabled"] is True and items["google-riverside"]["webhook_enabled"] is False
    )
    assert "s3cret" not in response.text


def test_api_memberships_limit_what_a_user_sees(
    client: TestClient, token_for: Any, desk: dict[str, Any], session: Session
) -> None:
    other = make_channel(session, brand=make_brand(session), name="x-other", kind="x")
    hidden = make_conversation(session, channel=other, priority=99.0)
    session.commit()
    headers = token_for("viewer", email="scoped@bluebirdcoffee.example")
    from trustdesk.team.models import User

    user = session.query(User).filter_by(email="scoped@bluebirdcoffee.example").one()
    session.add(Membership(user_id=user.id, brand_id=desk["brand"].id, role="viewer"))
    session.commit()
    listed = ids_of(client.get("/api/v1/conversations?limit=200", headers=headers))
    assert hidden.id not in listed and len(listed) == 12
    assert client.get(f"/api/v1/conversations/{hidden.id}", headers=headers).status_code == 404
    assert "x-other" not in client.get("/api/v1/channels", headers=headers).text
    everyone = ids_of(client.get("/api/v1/conversations?limit=200", headers=token_for("viewer")))
    assert hidden.id in everyone
