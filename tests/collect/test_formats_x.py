"""X API v2 mention/tweet payloads with expansions=author_id."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from trustdesk.collect.formats import detect_format, read
from trustdesk.collect.records import ParsedRecord, Rejected

FIXTURE = Path(__file__).parent / "fixtures" / "x_mentions.json"


def _records(data: bytes | Path) -> list[ParsedRecord | Rejected]:
    return list(read(data, format="x"))


def test_formats_x_fixture_mentions_with_authors() -> None:
    records = [r for r in _records(FIXTURE) if isinstance(r, ParsedRecord)]
    assert len(records) == 3
    first, reply, influencer = records
    assert (first.line, first.kind, first.direction, first.is_public) == (1, "mention", "inbound", True)
    assert first.platform_id == "1992345678901234567"
    assert (first.author_name, first.author_handle, first.author_platform_id) == (
        "Olivia Brennan",
        "@liv_brennan",
        "1458912345678901248",
    )
    assert first.author_followers == 842
    assert first.created_at == datetime(2026, 11, 21, 8, 3, 11, tzinfo=UTC)
    assert first.url == "https://x.com/liv_brennan/status/1992345678901234567"
    assert first.parent_platform_id is None
    assert first.language == "en"
    assert first.text.endswith("Cash only in 2026?? 😤")
    assert reply.parent_platform_id == "1992350000111122223"  # referenced_tweets replied_to
    assert influencer.author_followers == 48210


def test_formats_x_note_tweet_gives_full_text_and_und_language_dropped() -> None:
    long_text = "Bluebird Riverside review thread: " + "the oat latte was great. " * 20
    doc = {
        "data": [
            {
                "id": "1",
                "text": long_text[:270] + "…",
                "note_tweet": {"text": long_text},
                "author_id": "9",
                "lang": "und",
                "edit_history_tweet_ids": ["1"],
            }
        ],
        "meta": {"result_count": 1},
    }
    [record] = _records(json.dumps(doc).encode())
    assert isinstance(record, ParsedRecord)
    assert record.text == long_text
    assert record.language is None
    assert record.author_handle is None  # author not in includes
    assert record.url == "https://x.com/i/web/status/1"


def test_formats_x_bad_tweets_rejected() -> None:
    doc = {
        "data": [
            {"text": "no id", "author_id": "1"},
            {"id": "2", "author_id": "1"},
            {"id": "3", "text": "bad time", "created_at": "Sat Nov 22 09:12:40 +0000 2026"},
            {"id": "4", "text": "ok", "author_id": "1"},
        ],
        "includes": {
            "users": [{"id": "1", "name": "N", "username": "n", "public_metrics": {"followers_count": -1}}]
        },
    }
    results = _records(json.dumps(doc).encode())
    assert [(r.line, r.reason) for r in results if isinstance(r, Rejected)] == [
        (1, "missing id"),
        (2, "missing text"),
        (3, "bad timestamp in created_at: 'Sat Nov 22 09:12:40 +0000 2026' is not ISO 8601"),
        (4, "followers_count must not be negative, got -1"),
    ]


def test_formats_x_empty_result_page_detected_and_yields_nothing() -> None:
    data = json.dumps({"meta": {"result_count": 0}}).encode()
    assert detect_format(data) == "x"
    assert _records(data) == []


def test_formats_x_detected_from_shape() -> None:
    assert detect_format(FIXTURE) == "x"
