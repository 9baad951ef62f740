"""Google Business Profile reviews.list payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from trustdesk.collect.formats import detect_format, read
from trustdesk.collect.records import ParsedRecord, Rejected

FIXTURE = Path(__file__).parent / "fixtures" / "google_business_reviews.json"


def _records(data: bytes | Path) -> list[ParsedRecord | Rejected]:
    return list(read(data, format="google_business"))


def test_formats_google_business_fixture_reviews_and_replies() -> None:
    results = _records(FIXTURE)
    assert all(isinstance(r, ParsedRecord) for r in results)
    records = [r for r in results if isinstance(r, ParsedRecord)]
    assert [(r.line, r.kind, r.direction) for r in records] == [
        (1, "review", "inbound"),
        (1, "reply", "outbound"),
        (2, "review", "inbound"),
        (3, "review", "inbound"),
        (4, "review", "inbound"),
        (4, "reply", "outbound"),
    ]
    first, reply = records[0], records[1]
    source = json.loads(FIXTURE.read_text())["reviews"][0]
    assert first.platform_id == "AbFvOqnR8Kx2mQ1pL7zWcD"
    assert first.author_name == "Hannah Clarke"
    assert first.rating == 5.0
    assert first.text == source["comment"]
    assert first.created_at == datetime(2026, 11, 18, 8, 42, 17, 512339, tzinfo=UTC)
    assert first.raw == source
    assert reply.platform_id == "AbFvOqnR8Kx2mQ1pL7zWcD:reply"
    assert reply.parent_platform_id == "AbFvOqnR8Kx2mQ1pL7zWcD"
    assert reply.text == source["reviewReply"]["comment"]
    assert reply.created_at == datetime(2026, 11, 18, 11, 5, 2, 104000, tzinfo=UTC)


def test_formats_google_business_star_only_and_anonymous() -> None:
    star_only = [r for r in _records(FIXTURE) if isinstance(r, ParsedRecord)][3]
    assert (star_only.text, star_only.rating, star_only.author_name) == ("", 4.0, None)


def test_formats_google_business_rtl_translation_kept_verbatim() -> None:
    review = [r for r in _records(FIXTURE) if isinstance(r, ParsedRecord)][4]
    assert review.text.endswith("التوست كان محروقاً ولم يعتذر أحد.")
    assert review.rating == 1.0


def test_formats_google_business_bad_review_rejected_others_kept() -> None:
    doc = {
        "reviews": [
            {"reviewId": "a", "starRating": "SIX", "comment": "?"},
            {"starRating": "FIVE", "comment": "no id"},
            {"reviewId": "c", "reviewer": {"displayName": "Ok"}, "starRating": "THREE", "comment": "Fine"},
            {"reviewId": "d", "comment": "x", "createTime": "not a time"},
            {"reviewId": "e", "starRating": "STAR_RATING_UNSPECIFIED"},
        ]
    }
    results = _records(json.dumps(doc).encode())
    reasons = [(r.line, r.reason) for r in results if isinstance(r, Rejected)]
    assert reasons == [
        (1, "starRating must be ONE..FIVE, got 'SIX'"),
        (2, "missing reviewId"),
        (4, "bad timestamp in createTime: 'not a time' is not ISO 8601"),
        (5, "review has neither comment nor starRating"),
    ]
    assert [r.platform_id for r in results if isinstance(r, ParsedRecord)] == ["c"]


def test_formats_google_business_pages_array_and_empty_page() -> None:
    page = json.loads(FIXTURE.read_text())
    doc = [page, {"averageRating": 4.3, "totalReviewCount": 218}, page]
    results = _records(json.dumps(doc).encode())
    assert len(results) == 12
    assert max(r.line for r in results) == 8  # review index counted across pages


def test_formats_google_business_detected_from_shape() -> None:
    assert detect_format(FIXTURE) == "google_business"
    assert detect_format(FIXTURE.read_bytes()) == "google_business"


def test_formats_google_business_api_error_response_rejected() -> None:
    doc = {
        "error": {
            "code": 403,
            "message": "The caller does not have permission",
            "status": "PERMISSION_DENIED",
        }
    }
    [result] = _records(json.dumps(doc).encode())
    assert isinstance(result, Rejected)
    assert result.line == 0
    assert "API error response" in result.reason
    assert "does not have permission" in result.reason
