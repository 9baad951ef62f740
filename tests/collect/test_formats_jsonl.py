"""Generic schema as JSONL: one object per physical line, streamed."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from trustdesk.collect.formats import CountingReader, parse_generic_object, read
from trustdesk.collect.records import ParsedRecord, Rejected


def _jsonl(*objects: object) -> bytes:
    return b"".join(json.dumps(obj, ensure_ascii=False).encode() + b"\n" for obj in objects)


def test_formats_jsonl_maps_every_generic_field() -> None:
    line = {
        "id": "gbp-1001",
        "text": "Best flat white in Manchester, Priya's team are lovely.",
        "author": "Hannah Clarke",
        "author_id": 88231,
        "author_handle": "@hannahc",
        "followers": "1520",
        "channel": "google-canal-street",
        "rating": 5,
        "created_at": "2026-11-20T08:15:00Z",
        "updated_at": "2026-11-20T09:30:00+01:00",
        "url": "https://example.test/r/1001",
        "parent_id": 77,
        "language": "en",
        "kind": "review",
        "direction": "inbound",
        "public": True,
        "title": "Lovely",
        "visit": "weekday",
    }
    [record] = read(_jsonl(line), format="jsonl")
    assert isinstance(record, ParsedRecord)
    assert record.line == 1
    assert record.platform_id == "gbp-1001"
    assert record.text == line["text"]
    assert (record.author_name, record.author_platform_id, record.author_handle) == (
        "Hannah Clarke",
        "88231",
        "@hannahc",
    )
    assert record.author_followers == 1520
    assert record.channel == "google-canal-street"
    assert record.rating == 5.0
    assert record.created_at == datetime(2026, 11, 20, 8, 15, tzinfo=UTC)
    assert record.updated_at == datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    assert record.url == "https://example.test/r/1001"
    assert record.parent_platform_id == "77"
    assert (record.language, record.kind, record.direction, record.is_public) == (
        "en",
        "review",
        "inbound",
        True,
    )
    assert record.title == "Lovely"
    assert record.raw == line  # unknown "visit" kept too
    assert record.notes == []


def test_formats_jsonl_defaults_follow_kind_and_rating() -> None:
    results = list(
        read(
            _jsonl(
                {"id": 1, "text": "Is the oat latte vegan?"},
                {"id": 2, "text": "", "rating": "4"},
                {"id": 3, "text": "My order BB-123456 never came", "kind": "dm"},
                {"id": 4, "text": "Refund please", "kind": "email", "public": "true"},
                {"id": 5, "text": "Thanks Hannah!", "direction": "outbound", "kind": "reply"},
            ),
            format="jsonl",
        )
    )
    assert all(isinstance(r, ParsedRecord) for r in results)
    kinds = [(r.kind, r.is_public, r.direction) for r in results if isinstance(r, ParsedRecord)]
    assert kinds == [
        ("comment", True, "inbound"),
        ("review", True, "inbound"),
        ("dm", False, "inbound"),
        ("email", True, "inbound"),
        ("reply", True, "outbound"),
    ]


@pytest.mark.parametrize(
    ("obj", "reason"),
    [
        ({"text": "no id"}, "missing id"),
        ({"id": "", "text": "blank id"}, "missing id"),
        ({"id": True, "text": "x"}, "id must be a string or a number"),
        ({"id": 1}, "missing text"),
        ({"id": 1, "text": ""}, "missing text"),
        ({"id": 1, "text": 42}, "text must be a string"),
        ({"id": 1, "text": "x", "rating": 6}, "rating out of range"),
        ({"id": 1, "text": "x", "rating": 0}, "rating out of range"),
        ({"id": 1, "text": "x", "rating": "five"}, "rating must be a number"),
        ({"id": 1, "text": "x", "created_at": "yesterday"}, "bad timestamp in created_at"),
        ({"id": 1, "text": "x", "updated_at": "2026-13-40T00:00:00Z"}, "bad timestamp in updated_at"),
        ({"id": 1, "text": "x", "kind": "tweet"}, "kind must be one of"),
        ({"id": 1, "text": "x", "direction": "sideways"}, "direction must be one of"),
        ({"id": 1, "text": "x", "public": "maybe"}, "public must be true or false"),
        ({"id": 1, "text": "x", "followers": -3}, "followers must not be negative"),
    ],
)
def test_formats_jsonl_rejects_bad_fields_with_reason(obj: dict[str, object], reason: str) -> None:
    [result] = read(_jsonl(obj), format="jsonl")
    assert isinstance(result, Rejected)
    assert result.line == 1
    assert reason in result.reason


def test_formats_jsonl_naive_timestamp_is_utc_and_noted() -> None:
    [record] = read(_jsonl({"id": 1, "text": "x", "created_at": "2026-11-20 07:05:00"}), format="jsonl")
    assert isinstance(record, ParsedRecord)
    assert record.created_at == datetime(2026, 11, 20, 7, 5, tzinfo=UTC)
    assert record.notes == ["created_at had no time zone; taken as UTC"]


def test_formats_jsonl_epoch_seconds_timestamp() -> None:
    [record] = read(_jsonl({"id": 1, "text": "x", "created_at": 1763625600}), format="jsonl")
    assert isinstance(record, ParsedRecord)
    assert record.created_at == datetime(2025, 11, 20, 8, 0, tzinfo=UTC)


def test_formats_jsonl_bad_line_does_not_abort_batch() -> None:
    data = _jsonl({"id": 1, "text": "a"}) + b'{"id": 2, "text": "b"\n' + _jsonl({"id": 3, "text": "c"})
    results = list(read(data, format="jsonl"))
    assert [type(r).__name__ for r in results] == ["ParsedRecord", "Rejected", "ParsedRecord"]
    bad = results[1]
    assert isinstance(bad, Rejected)
    assert bad.line == 2
    assert bad.reason.startswith("invalid JSON: Expecting")


def test_formats_jsonl_non_object_line_rejected() -> None:
    [result] = read(b"[1, 2]\n", format="jsonl")
    assert isinstance(result, Rejected)
    assert "expected a JSON object" in result.reason


def test_formats_jsonl_streams_from_file_object_and_counts_bytes() -> None:
    data = _jsonl(*({"id": i, "text": f"cup {i}"} for i in range(10_000)))
    reader = CountingReader(io.BytesIO(data))
    stream = read(reader, format="jsonl")
    first = next(stream)
    assert isinstance(first, ParsedRecord)
    assert reader.bytes_read < len(data)  # not slurped
    assert sum(1 for _ in stream) == 9_999
    assert reader.bytes_read == len(data)


def test_formats_parse_generic_object_for_webhook() -> None:
    record = parse_generic_object({"id": 9, "text": "Cold brew was lovely"}, line=1)
    assert isinstance(record, ParsedRecord)
    assert record.platform_id == "9"
    rejected = parse_generic_object({"text": "x"}, line=1)
    assert rejected == Rejected(1, "missing id")


def test_formats_jsonl_fixture_file() -> None:
    path = Path(__file__).parent / "fixtures" / "generic_messages.jsonl"
    results = list(read(path))
    assert all(isinstance(r, ParsedRecord) for r in results)
    records = [r for r in results if isinstance(r, ParsedRecord)]
    assert [r.line for r in records] == [1, 2, 3, 4, 5, 6]
    email, mention, reply, review = records[2], records[3], records[4], records[5]
    assert (email.kind, email.is_public, email.title) == ("email", False, "Return request")
    assert email.notes == ["created_at had no time zone; taken as UTC"]
    assert (mention.platform_id, mention.author_followers) == ("90017", 312)
    assert (reply.direction, reply.parent_platform_id) == ("outbound", "90017")
    assert review.raw["campaign"] == "autumn-survey"


def test_formats_parse_generic_object_rejects_lone_surrogates() -> None:
    result = parse_generic_object({"id": 1, "text": "half \ud83d emoji"}, line=1)
    assert isinstance(result, Rejected)
    assert "unpaired UTF-16 surrogate \\ud83d" in result.reason
