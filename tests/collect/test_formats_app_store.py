"""App Store Connect customerReviews payloads (JSON:API with included responses)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from trustdesk.collect.formats import detect_format, read
from trustdesk.collect.records import ParsedRecord, Rejected

FIXTURE = Path(__file__).parent / "fixtures" / "app_store_customer_reviews.json"


def _records(data: bytes | Path) -> list[ParsedRecord | Rejected]:
    return list(read(data, format="app_store"))


def test_formats_app_store_fixture_reviews_and_responses() -> None:
    records = [r for r in _records(FIXTURE) if isinstance(r, ParsedRecord)]
    assert [(r.line, r.kind, r.direction, r.is_public) for r in records] == [
        (1, "review", "inbound", True),
        (1, "reply", "outbound", True),
        (2, "review", "inbound", True),
        (2, "reply", "outbound", False),
        (3, "review", "inbound", True),
    ]
    review, reply = records[0], records[1]
    assert review.platform_id == "00000061-7a3c-5e01-9b2d-c4e800000000"
    assert (review.title, review.rating, review.author_name) == (
        "Great for skipping the queue",
        4.0,
        "edinburgh_latte",
    )
    assert review.created_at == datetime(2026, 11, 19, 15, 58, 12, tzinfo=UTC)  # -08:00 converted
    assert review.raw["attributes"]["territory"] == "GBR"
    assert reply.platform_id == "00000061-7a3c-5e01-9b2d-c4e800000000:reply"
    assert reply.parent_platform_id == review.platform_id
    assert reply.raw["id"] == "7f3e2a10-4b6c-4d8e-9f01-2a3b4c5d6e7f"
    assert reply.created_at == datetime(2026, 11, 19, 18, 2, 44, tzinfo=UTC)
    pending = records[3]
    assert pending.notes == ["response state is PENDING_PUBLISH; not public yet"]


def test_formats_app_store_response_without_included_is_skipped() -> None:
    doc = json.loads(FIXTURE.read_text())
    del doc["included"]
    records = [r for r in _records(json.dumps(doc).encode()) if isinstance(r, ParsedRecord)]
    assert [r.kind for r in records] == ["review", "review", "review"]


def test_formats_app_store_bad_resources_rejected() -> None:
    doc = {
        "data": [
            {"type": "customerReviews", "id": "a", "attributes": {"rating": 0, "body": "x"}},
            {"type": "apps", "id": "b", "attributes": {}},
            {"type": "customerReviews", "attributes": {"rating": 3, "body": "no id"}},
            {"type": "customerReviews", "id": "d", "attributes": {"rating": 3, "body": "ok"}},
        ]
    }
    results = _records(json.dumps(doc).encode())
    assert [(r.line, r.reason) for r in results if isinstance(r, Rejected)] == [
        (1, "rating out of range (1–5): 0"),
        (2, "expected a customerReviews resource, got type 'apps'"),
        (3, "missing id"),
    ]


def test_formats_app_store_detected_from_shape() -> None:
    assert detect_format(FIXTURE) == "app_store"
