"""Generic schema as one JSON document: an array of objects or {"messages": [...]}."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from trustdesk.collect.formats import detect_format, read
from trustdesk.collect.records import ParsedRecord, Rejected


def test_formats_json_array_uses_record_index_as_line() -> None:
    doc = [{"id": "a", "text": "Chai latte too sweet"}, {"text": "no id"}, {"id": "c", "text": "ok"}]
    results = list(read(json.dumps(doc, indent=2).encode(), format="json"))
    assert [r.line for r in results] == [1, 2, 3]
    assert isinstance(results[1], Rejected)
    assert results[1].reason == "missing id"
    assert isinstance(results[2], ParsedRecord)
    assert results[2].raw == doc[2]


def test_formats_json_messages_wrapper() -> None:
    doc = {"exported": "2026-11-22", "messages": [{"id": 1, "text": "Cardamom bun heaven", "rating": 5}]}
    [record] = read(json.dumps(doc).encode(), format="json")
    assert isinstance(record, ParsedRecord)
    assert (record.platform_id, record.kind, record.rating) == ("1", "review", 5.0)


def test_formats_json_non_object_items_rejected() -> None:
    results = list(read(b'[{"id": 1, "text": "x"}, "oops", null]', format="json"))
    assert [type(r).__name__ for r in results] == ["ParsedRecord", "Rejected", "Rejected"]


def test_formats_json_invalid_document_is_one_rejection_with_position() -> None:
    [result] = read(b'[{"id": 1, "text": "x"},\n {"id": 2 "text": "y"}]', format="json")
    assert isinstance(result, Rejected)
    assert result.line == 0
    assert result.reason.startswith("invalid JSON at line 2 column 11")


def test_formats_json_wrong_shape_rejected() -> None:
    [result] = read(b'{"items": []}', format="json")
    assert isinstance(result, Rejected)
    assert "messages" in result.reason


def test_formats_json_jsonl_saved_as_json_is_read_line_by_line() -> None:
    data = b'{"id": 1, "text": "x"}\n{"id": 2 "text": "y"}\n{"id": 3, "text": "z"}\n'
    results = list(read(data, format="json"))
    assert [(r.line, type(r).__name__) for r in results] == [
        (1, "ParsedRecord"),
        (2, "Rejected"),
        (3, "ParsedRecord"),
    ]
    assert detect_format(data, filename="export.json") == "jsonl"


def test_formats_json_platform_pages_one_per_line() -> None:
    page = json.loads((Path(__file__).parent / "fixtures" / "trustpilot_reviews.json").read_text())
    data = (json.dumps(page) + "\n" + json.dumps(page) + "\n").encode()
    results = list(read(data, filename="pages.json"))
    assert detect_format(data) == "trustpilot"
    assert [r.line for r in results] == [1, 1, 2, 3, 3, 4]


def test_formats_json_platform_format_several_values_with_bad_line() -> None:
    [result] = read(b'{"reviews": []}\n{"reviews": [\n', format="trustpilot")
    assert isinstance(result, Rejected)
    assert "Extra data" in result.reason


def test_formats_json_fixture_file_with_epoch_and_fractional_rating() -> None:
    path = Path(__file__).parent / "fixtures" / "generic_messages.json"
    records = [r for r in read(path) if isinstance(r, ParsedRecord)]
    assert [r.platform_id for r in records] == ["web-2001", "web-2002", "wh-17"]
    assert records[2].rating == 4.5
    assert records[2].created_at == datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
