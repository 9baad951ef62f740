"""Trustpilot business-unit reviews payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from trustdesk.collect.formats import detect_format, read
from trustdesk.collect.records import ParsedRecord, Rejected

FIXTURE = Path(__file__).parent / "fixtures" / "trustpilot_reviews.json"


def _records(data: bytes | Path) -> list[ParsedRecord | Rejected]:
    return list(read(data, format="trustpilot"))


def test_formats_trustpilot_fixture_reviews_and_company_reply() -> None:
    records = [r for r in _records(FIXTURE) if isinstance(r, ParsedRecord)]
    assert [(r.line, r.kind, r.direction) for r in records] == [
        (1, "review", "inbound"),
        (1, "reply", "outbound"),
        (2, "review", "inbound"),
    ]
    review, reply, german = records
    assert review.platform_id == "6741f0c2a9b8c7d6e5f40312"
    assert (review.author_name, review.author_platform_id) == ("Rachel Green", "5d2e9f0a1b3c4d5e6f708192")
    assert (review.rating, review.title, review.language) == (5.0, "Monthly Beans never disappoint", "en")
    assert review.url == "https://www.trustpilot.com/reviews/6741f0c2a9b8c7d6e5f40312"
    assert review.updated_at is None
    assert reply.platform_id == "6741f0c2a9b8c7d6e5f40312:reply"
    assert reply.created_at == datetime(2026, 11, 21, 9, 10, tzinfo=UTC)
    assert reply.raw["authorBusinessUserName"] == "Jess"
    assert german.language == "de"
    assert german.updated_at == datetime(2026, 11, 22, 8, 11, 2, tzinfo=UTC)


def test_formats_trustpilot_bad_reviews_rejected() -> None:
    doc = {
        "reviews": [
            {"id": "a", "stars": 7, "text": "x"},
            {"id": "b", "stars": 4, "text": "ok", "companyReply": {"text": 5}},
            {"id": "c", "stars": 4, "text": "ok", "consumer": "Rachel"},
            {"id": "d", "stars": 3, "text": "fine"},
        ]
    }
    results = _records(json.dumps(doc).encode())
    assert [(r.line, r.reason) for r in results if isinstance(r, Rejected)] == [
        (1, "stars out of range (1–5): 7"),
        (2, "owner reply text must be a string"),
        (3, "consumer must be an object"),
    ]
    assert [r.platform_id for r in results if isinstance(r, ParsedRecord)] == ["b", "d"]  # b's review kept


def test_formats_trustpilot_detected_from_shape() -> None:
    assert detect_format(FIXTURE) == "trustpilot"
