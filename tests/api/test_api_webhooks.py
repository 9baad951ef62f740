"""POST /api/v1/webhooks/{channel}: HMAC signatures, idempotent replays, size limit, bad bodies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from factories import make_brand, make_channel
from trustdesk.api.app import create_app
from trustdesk.api.webhooks import sign_body
from trustdesk.inbox.models import Message

SECRET = "whsec-bluebird-test"


@pytest.fixture
def hook(session: Session) -> str:
    brand = make_brand(session, slug="bluebird")
    make_channel(session, brand=brand, name="webhook", kind="webhook", webhook_secret=SECRET)
    make_channel(session, brand=brand, name="no-secret", kind="website")
    session.commit()
    return "webhook"


def post(
    client: TestClient, body: bytes, channel: str = "webhook", signature: str | bytes | None = "auto"
) -> Any:
    headers: dict[str, str | bytes] = {"Content-Type": "application/json"}
    if signature == "auto":
        signature = sign_body(SECRET, body)
    if signature is not None:
        headers["X-Trustdesk-Signature"] = signature
    return client.post(f"/api/v1/webhooks/{channel}", content=body, headers=headers)


def messages_in_db(session: Session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(Message)) or 0


def record(i: int, **fields: Any) -> dict[str, Any]:
    return {"id": f"w-{i}", "text": f"Oat latte #{i} was great", "author": "Aisha", **fields}


@pytest.mark.parametrize(
    "shape",
    [lambda rs: rs, lambda rs: {"messages": rs}, lambda rs: rs[0]],
    ids=["list", "messages", "object"],
)
def test_api_webhook_signed_body_is_ingested_and_replay_is_idempotent(
    client: TestClient, session: Session, hook: str, shape: Any
) -> None:
    body = json.dumps(shape([record(1), record(2, rating=2, created_at="2026-11-20T10:00:00Z")])).encode()
    first = post(client, body)
    assert first.status_code == 200, first.text
    report = first.json()
    expected = 1 if isinstance(json.loads(body), dict) and "messages" not in json.loads(body) else 2
    assert report["new"] == expected and report["duplicates"] == 0 and len(report["message_ids"]) == expected
    again = post(client, body).json()
    assert again["new"] == 0 and again["duplicates"] == expected
    assert messages_in_db(session) == expected


BAD_SIGNATURES: list[str | bytes | None] = [
    None,
    "",
    "sha256=",
    "sha256=" + "0" * 64,
    "md5=abc",
    sign_body("other-secret", b"[]"),
    "sha256=\u00e9".encode(),
]


def test_api_webhook_missing_or_bad_signature_is_401(client: TestClient, session: Session, hook: str) -> None:
    body = json.dumps([record(1)]).encode()
    for signature in BAD_SIGNATURES:
        response = post(client, body, signature=signature)
        assert response.status_code == 401, signature
        assert response.json()["error"]["code"] == "webhook.bad_signature"
    assert messages_in_db(session) == 0


def test_api_webhook_signature_covers_the_exact_bytes(
    client: TestClient, session: Session, hook: str
) -> None:
    body = json.dumps([record(1)]).encode()
    tampered = body.replace(b"great", b"awful")
    assert post(client, tampered, signature=sign_body(SECRET, body)).status_code == 401
    assert messages_in_db(session) == 0


def test_api_webhook_rejected_records_are_reported_and_good_ones_kept(
    client: TestClient, session: Session, hook: str
) -> None:
    body = json.dumps([record(1), {"text": "no id"}, "not an object", record(4, text="")]).encode()
    report = post(client, body).json()
    assert report["new"] == 1
    assert [r["line"] for r in report["rejected"]] == [2, 3, 4]
    assert all(r["reason"] for r in report["rejected"])
    assert [(r["line"], r["status"]) for r in report["results"]] == [
        (1, "new"), (2, "rejected"), (3, "rejected"), (4, "rejected"),
    ]  # fmt: skip


def test_api_webhook_a_huge_number_rejects_its_record_only(
    client: TestClient, session: Session, hook: str
) -> None:
    """``"followers": 10**30`` gave a 500 and lost the good records of the same body (issue 13)."""
    body = json.dumps([record(1), record(2, followers=10**30), record(3), record(2, id="w-dup")]).encode()
    response = post(client, body)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["new"] == 3 and [r["line"] for r in report["rejected"]] == [2]
    results = report["results"]
    assert [r["status"] for r in results] == ["new", "rejected", "new", "new"]
    assert results[0]["message_id"] and results[0]["id"] == "w-1" and "followers" in results[1]["reason"]
    assert messages_in_db(session) == 3
    replay = post(client, body).json()
    assert [r["status"] for r in replay["results"]] == ["duplicate", "rejected", "duplicate", "duplicate"]
    assert [r["message_id"] for r in replay["results"]] == [r["message_id"] for r in results]


def test_api_webhook_parallel_duplicate_deliveries_answer_duplicate(
    engine: Engine, session: Session, hook: str
) -> None:
    """20 identical deliveries at once answered 500 from a UNIQUE violation in 39-130 of 200 (issue 13)."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx
    from tests.live import live_server

    def deliver(http: httpx.Client, batch: bytes) -> httpx.Response:
        headers = {"Content-Type": "application/json", "X-Trustdesk-Signature": sign_body(SECRET, batch)}
        return http.post("/api/v1/webhooks/webhook", content=batch, headers=headers)

    with live_server(create_app(engine=engine)) as base, httpx.Client(base_url=base, timeout=120) as http:
        for round_ in range(3):
            batch = json.dumps([record(100 * round_ + i) for i in range(1, 6)]).encode()
            with ThreadPoolExecutor(max_workers=20) as pool:
                answers = list(pool.map(deliver, [http] * 20, [batch] * 20))
            failed = [a.text[:200] for a in answers if a.status_code != 200]
            assert not failed
            reports = [a.json() for a in answers]
            assert sum(r["new"] for r in reports) == 5 and sum(r["duplicates"] for r in reports) == 95
    assert messages_in_db(session) == 15


@pytest.mark.parametrize(
    ("body", "code", "status"),
    [
        (b"{not json", "webhook.invalid_json", 400),
        (b"\xff\xfe\x00garbage", "webhook.invalid_json", 400),
        (b"", "webhook.invalid_json", 400),
    ],
)
def test_api_webhook_unreadable_body(
    client: TestClient, session: Session, hook: str, body: bytes, code: str, status: int
) -> None:
    response = post(client, body)
    assert response.status_code == status and response.json()["error"]["code"] == code


def test_api_webhook_unknown_channel_and_channel_without_secret(client: TestClient, hook: str) -> None:
    body = b"[]"
    assert post(client, body, channel="nope").json()["error"]["code"] == "webhook.unknown_channel"
    response = post(client, body, channel="no-secret")
    assert response.status_code == 403 and response.json()["error"]["code"] == "webhook.disabled"


def test_api_webhook_hostile_text_is_stored_exactly(client: TestClient, session: Session, hook: str) -> None:
    texts = ["<script>alert(1)</script>", "مرحبا بالعالم", "☕" * 50, "x" * 1_000_000]
    body = json.dumps([record(i, text=t) for i, t in enumerate(texts)]).encode()
    assert post(client, body).json()["new"] == 4
    session.rollback()
    stored = sorted(session.scalars(select(Message.text)), key=len)
    assert stored == sorted(texts, key=len)


@pytest.fixture
def small_client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine=engine, webhook_max_bytes=1000)) as c:
        yield c


def test_api_webhook_body_over_limit_is_413(small_client: TestClient, session: Session, hook: str) -> None:
    big = json.dumps([record(i) for i in range(40)]).encode()
    assert len(big) > 1000
    response = post(small_client, big)
    assert response.status_code == 413 and response.json()["error"]["code"] == "webhook.too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is enforced while reading
        for i in range(0, len(big), 100):
            yield big[i : i + 100]

    streamed = small_client.post(
        "/api/v1/webhooks/webhook",
        content=chunks(),
        headers={"X-Trustdesk-Signature": sign_body(SECRET, big)},
    )
    assert streamed.status_code == 413
    assert messages_in_db(session) == 0


def test_api_webhook_default_limit_is_5_mb(client: TestClient, hook: str) -> None:
    body = b" " * (5 * 1024 * 1024 + 1)
    assert post(client, body).status_code == 413


def test_api_webhook_messages_are_analysed_after_commit_by_the_sweeper(
    client: TestClient, session: Session, hook: str, engine: Engine
) -> None:
    from trustdesk.worker import start_inprocess, stop_inprocess

    sweeper = start_inprocess(client.app.state.engine, interval=3600)  # type: ignore[attr-defined]
    try:
        assert sweeper.idle.wait(timeout=60)
        body = json.dumps(
            [record(1, text="Furious: my Monthly Beans box never arrived, BB-123456!")]
        ).encode()
        assert post(client, body).status_code == 200
        assert sweeper.idle.wait(timeout=120)
    finally:
        stop_inprocess(client.app.state.engine)  # type: ignore[attr-defined]
    session.rollback()
    message = session.scalars(select(Message)).one()
    assert message.analyzed_at is not None and message.analysis_model and message.intent
