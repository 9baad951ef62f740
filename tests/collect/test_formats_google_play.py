"""Google Play Developer API reviews.list payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from trustdesk.collect.formats import detect_format, read
from trustdesk.collect.records import ParsedRecord, Rejected

FIXTURE = Path(__file__).parent / "fixtures" / "google_play_reviews.json"


def _records(data: bytes | Path) -> list[ParsedRecord | Rejected]:
    return list(read(data, format="google_play"))


def test_formats_google_play_fixture_user_and_developer_comments() -> None:
    records = [r for r in _records(FIXTURE) if isinstance(r, ParsedRecord)]
    assert [(r.line, r.kind, r.direction, r.rating) for r in records] == [
        (1, "review", "inbound", 2.0),
        (1, "reply", "outbound", None),
        (2, "review", "inbound", 5.0),
        (3, "review", "inbound", 1.0),
    ]
    review, reply = records[0], records[1]
    assert review.platform_id == "gp:AOqpTOGx7k2mW9vQ1dNcRz8eL5yHbT3sPaU0iJfK"
    assert review.author_name == "Chloe Martin"
    assert review.language == "en_GB"
    # int64 seconds arrive as a JSON string; nanos add the fraction
    assert review.created_at == datetime.fromtimestamp(1795248342.581, tz=UTC)
    assert review.created_at.microsecond == 581000
    assert review.raw["comments"][0]["userComment"]["deviceMetadata"]["manufacturer"] == "Samsung"
    assert reply.platform_id == f"{review.platform_id}:reply"
    assert reply.parent_platform_id == review.platform_id
    assert reply.created_at == datetime.fromtimestamp(1795276800, tz=UTC)
    assert reply.text.startswith("Sorry Chloe!")


def test_formats_google_play_tab_joined_title_kept_in_text() -> None:
    review = [r for r in _records(FIXTURE) if isinstance(r, ParsedRecord)][2]
    assert review.text == "Quick\tThe cold brew is always ready when I arrive. Five stars 👍"


def test_formats_google_play_bad_reviews_rejected() -> None:
    doc = {
        "reviews": [
            {"reviewId": "r1", "authorName": "A", "comments": []},
            {"reviewId": "r2", "comments": [{"userComment": {"text": "x", "starRating": 9}}]},
            {"reviewId": "r3", "comments": [{"userComment": {"text": "x", "lastModified": {"nanos": 5}}}]},
            {"reviewId": "r4", "comments": [{"userComment": {"text": "ok", "starRating": 3}}]},
        ]
    }
    results = _records(json.dumps(doc).encode())
    assert [(r.line, r.reason) for r in results if isinstance(r, Rejected)] == [
        (1, "review has no userComment"),
        (2, "userComment.starRating out of range (1–5): 9"),
        (3, "bad timestamp in userComment.lastModified: no seconds"),
    ]
    assert [r.platform_id for r in results if isinstance(r, ParsedRecord)] == ["r4"]


def test_formats_google_play_detected_from_shape() -> None:
    assert detect_format(FIXTURE) == "google_play"


def test_formats_google_play_original_text_preferred_over_translation() -> None:
    comment = {
        "text": "Impossible to pay with my French card",
        "originalText": "Impossible de payer avec ma carte française",
        "starRating": 1,
        "reviewerLanguage": "fr",
        "lastModified": {"seconds": 1795339500},
    }
    doc = {"reviews": [{"reviewId": "r", "authorName": "Léa", "comments": [{"userComment": comment}]}]}
    [record] = _records(json.dumps(doc).encode())
    assert isinstance(record, ParsedRecord)
    assert record.text == "Impossible de payer avec ma carte française"
    assert record.notes == ["text is the reviewer's originalText; Google's translation is in raw"]
    assert record.raw["comments"][0]["userComment"]["text"] == comment["text"]
