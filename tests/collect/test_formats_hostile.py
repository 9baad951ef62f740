"""Hostile input: nothing crashes, nothing is altered, one bad record never spoils the rest."""

from __future__ import annotations

import json

import pytest

from trustdesk.collect.formats import read
from trustdesk.collect.records import ParsedRecord, Rejected

PAYLOADS = [
    "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "☕️🐦🔥👍🏽👨‍👩‍👧",
    "القهوة كانت باردة جداً والخدمة بطيئة",
    "שירות מעולה, thanks Tom! קפה טוב",
    "  leading and trailing spaces  \n\ttabs\u200bzero-width ",
    "Mixed: très bon café, sehr gut, 非常好喝",
    "\u202eRTL override\u202c and a NUL-free control \x07 bell",
]


def _texts(data: bytes, fmt: str) -> list[str]:
    return [r.text for r in read(data, format=fmt) if isinstance(r, ParsedRecord)]


@pytest.mark.parametrize("text", PAYLOADS)
def test_formats_hostile_text_kept_exactly_in_jsonl(text: str) -> None:
    data = json.dumps({"id": 1, "text": text}, ensure_ascii=False).encode() + b"\n"
    assert _texts(data, "jsonl") == [text]


@pytest.mark.parametrize("text", PAYLOADS)
def test_formats_hostile_text_kept_exactly_in_csv(text: str) -> None:
    cell = '"' + text.replace('"', '""') + '"'
    data = ("id,text\n1," + cell + "\n").encode()
    assert _texts(data, "csv") == [text]


def test_formats_hostile_one_megabyte_text_intact() -> None:
    text = ("Flat white, oat latte, cardamom bun. " * 30_000)[:1_048_576]
    jsonl = json.dumps({"id": "big", "text": text}).encode() + b"\n"
    csv_data = b'id,text\nbig,"' + text.encode() + b'"\n'
    assert _texts(jsonl, "jsonl") == [text]
    assert _texts(csv_data, "csv") == [text]


def test_formats_hostile_invalid_utf8_rejects_only_its_line() -> None:
    data = (
        b'{"id": 1, "text": "ok"}\n'
        b'{"id": 2, "text": "caf\xe9 latte"}\n'
        b'{"id": 3, "text": "\xc3\xa9t\xc3\xa9"}\n'
    )
    results = list(read(data, format="jsonl"))
    assert isinstance(results[1], Rejected)
    assert results[1].line == 2
    assert "invalid UTF-8" in results[1].reason
    assert [r.text for r in results if isinstance(r, ParsedRecord)] == ["ok", "été"]


def test_formats_hostile_invalid_utf8_in_csv_rejects_only_its_row() -> None:
    data = b"id,text\n1,caf\xe9\n2,fine\n"
    results = list(read(data, format="csv"))
    assert isinstance(results[0], Rejected)
    assert (results[0].line, results[0].reason) == (2, "invalid UTF-8 (byte 0xe9)")
    assert isinstance(results[1], ParsedRecord)
    assert results[1].text == "fine"


def test_formats_hostile_invalid_utf8_in_json_document_rejects_only_its_item() -> None:
    data = b'[{"id": 1, "text": "caf\xe9"}, {"id": 2, "text": "fine"}]'
    results = list(read(data, format="json"))
    assert isinstance(results[0], Rejected)
    assert "invalid UTF-8" in results[0].reason
    assert isinstance(results[1], ParsedRecord)


def test_formats_hostile_unpaired_surrogate_escape_rejected() -> None:
    data = b'{"id": 1, "text": "half an emoji \\ud83d"}\n{"id": 2, "text": "whole \\ud83d\\ude00"}\n'
    results = list(read(data, format="jsonl"))
    assert isinstance(results[0], Rejected)
    assert "unpaired UTF-16 surrogate" in results[0].reason
    assert isinstance(results[1], ParsedRecord)
    assert results[1].text == "whole 😀"


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_formats_hostile_bom_crlf_and_blank_lines(fmt: str) -> None:
    if fmt == "jsonl":
        data = b'\xef\xbb\xbf{"id": 1, "text": "a"}\r\n\r\n   \r\n{"id": 2, "text": "b"}\r\n'
    else:
        data = b"\xef\xbb\xbfid,text\r\n1,a\r\n\r\n2,b\r\n"
    results = list(read(data, format=fmt))
    assert all(isinstance(r, ParsedRecord) for r in results)
    assert [(r.line, r.platform_id, r.text) for r in results if isinstance(r, ParsedRecord)] == [
        (1 if fmt == "jsonl" else 2, "1", "a"),
        (4, "2", "b"),
    ]


def test_formats_hostile_duplicate_ids_pass_through() -> None:
    data = b'{"id": 1, "text": "a"}\n{"id": 1, "text": "a again"}\n'
    assert [r.platform_id for r in read(data, format="jsonl") if isinstance(r, ParsedRecord)] == ["1", "1"]


def test_formats_hostile_deeply_nested_json_rejected() -> None:
    data = b'{"id": 1, "text": "x", "deep": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"
    data += b'{"id": 2, "text": "y"}\n'
    results = list(read(data, format="jsonl"))
    assert isinstance(results[0], Rejected)
    assert isinstance(results[1], ParsedRecord)


def test_formats_hostile_empty_and_whitespace_only_sources() -> None:
    for fmt in ("jsonl", "csv"):
        assert list(read(b"", format=fmt)) == []
        assert list(read(b"\n\n  \r\n", format=fmt)) == []


def test_formats_hostile_emoji_only_text_accepted() -> None:
    assert _texts(b'{"id": 1, "text": "\\ud83d\\udc4d"}\n', "jsonl") == ["👍"]


def test_formats_hostile_platform_payload_with_bom_and_bad_bytes() -> None:
    data = (
        b'\xef\xbb\xbf{"reviews": ['
        b'{"id": "a", "stars": 5, "text": "Lovely \xff beans"},'
        b'{"id": "b", "stars": 4, "text": "\xd9\x82\xd9\x87\xd9\x88\xd8\xa9 \xf0\x9f\x98\x8d"}'
        b"]}"
    )
    results = list(read(data))  # detected as trustpilot despite the BOM
    assert isinstance(results[0], Rejected)
    assert (results[0].line, results[0].reason) == (1, "invalid UTF-8 (byte 0xff)")
    assert isinstance(results[1], ParsedRecord)
    assert results[1].text == "قهوة 😍"


def test_formats_hostile_platform_items_of_wrong_type() -> None:
    data = b'{"reviews": [null, 3, {"id": "ok", "stars": 5, "text": "fine"}], "links": []}'
    results = list(read(data, format="trustpilot"))
    assert [type(r).__name__ for r in results] == ["Rejected", "Rejected", "ParsedRecord"]
    assert [r.line for r in results] == [1, 2, 3]


def test_formats_hostile_platform_payload_truncated() -> None:
    [result] = read(b'{"reviews": [{"reviewId": "a", "starRating": "FIVE"', format="google_business")
    assert isinstance(result, Rejected)
    assert result.line == 0
    assert result.reason.startswith("invalid JSON at line 1")


def test_formats_hostile_nul_characters_rejected_not_stored() -> None:
    jsonl = b'{"id": 1, "text": "nul \\u0000 inside"}\n{"id": 2, "text": "fine"}\n'
    csv_data = b"id,text\n1,nul \x00 byte\n2,fine\n"
    for data, fmt in ((jsonl, "jsonl"), (csv_data, "csv")):
        results = list(read(data, format=fmt))
        assert isinstance(results[0], Rejected)
        assert "NUL character" in results[0].reason
        assert isinstance(results[1], ParsedRecord)


def test_formats_hostile_overlong_id_rejected_and_junk_language_dropped() -> None:
    data = json.dumps({"id": "x" * 481, "text": "a"}) + "\n"
    data += json.dumps({"id": 2, "text": "b", "language": "<script>alert(1)</script>"}) + "\n"
    data += json.dumps({"id": 3, "text": "c", "language": "pt-BR"}) + "\n"
    results = list(read(data.encode(), format="jsonl"))
    assert isinstance(results[0], Rejected)
    assert results[0].reason == "id is longer than 480 characters"
    dropped, kept = results[1], results[2]
    assert isinstance(dropped, ParsedRecord) and isinstance(kept, ParsedRecord)
    assert dropped.language is None
    assert dropped.notes == ["language '<script>alert(1)</script>' ignored: not a language code"]
    assert kept.language == "pt-BR"
