"""Format detection from the file name and first bytes, and the record counter."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from trustdesk.collect.formats import FORMATS, UnknownFormat, count_records, detect_format, read
from trustdesk.collect.records import ParsedRecord


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b'{"id": 1, "text": "a"}\n{"id": 2, "text": "b"}\n', None, "jsonl"),
        (b'\xef\xbb\xbf  {"id": 1, "text": "a"}\n', None, "jsonl"),
        (b'[{"id": 1, "text": "a"}]', None, "json"),
        (b'{\n  "messages": [{"id": 1, "text": "a"}]\n}', None, "json"),
        (b'{"messages": [{"id": 1, "text": "a"}]}', None, "json"),
        (b"id,text\n1,a\n", None, "csv"),
        (b"\xef\xbb\xbfId;text\n", "export.csv", "csv"),
        (b'{"id": 1, "text": "a"}\n', "dump.ndjson", "jsonl"),
        (b'[{"id": 1, "text": "a"}]', "messages.json", "json"),
    ],
)
def test_formats_detect_from_name_and_first_bytes(data: bytes, filename: str | None, expected: str) -> None:
    assert detect_format(data, filename=filename) == expected


@pytest.mark.parametrize("data", [b"hello world\nthis is not data\n", b"\x89PNG\r\n\x1a\n", b'{"foo": 1}'])
def test_formats_detect_unknown_raises_clear_error(data: bytes) -> None:
    with pytest.raises(UnknownFormat, match="pass a format"):
        read(data)


def test_formats_unknown_format_name_raises() -> None:
    with pytest.raises(UnknownFormat, match="unknown import format 'xml'"):
        read(b"", format="xml")
    assert UnknownFormat.code == "collect.unknown_format"


def test_formats_read_path_detects_by_suffix_and_closes(tmp_path: Path) -> None:
    path = tmp_path / "inbox.csv"
    path.write_bytes(b"id,text\n1,Dark Harbour beans\n")
    [record] = read(path)
    assert isinstance(record, ParsedRecord)
    assert record.text == "Dark Harbour beans"


def test_formats_registry_names() -> None:
    assert {"jsonl", "json", "csv"} <= set(FORMATS)
    assert FORMATS["jsonl"].streaming and FORMATS["csv"].streaming
    assert not FORMATS["json"].streaming


def test_formats_count_records_line_formats(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"id": 1, "text": "a"}\n\n{"id": 2, "text": "b"}\n{"id": 3}')
    assert count_records(path) == 3
    assert count_records(b"id,text\n1,a\n2,b\n", format="csv") == 2
    assert count_records(b'[{"id": 1, "text": "a"}]') is None


def test_formats_read_accepts_plain_binary_stream() -> None:
    results = list(read(io.BytesIO(b'{"id": 1, "text": "a"}\n'), filename="upload.jsonl"))
    assert len(results) == 1


def test_formats_detect_semicolon_csv_without_name() -> None:
    assert detect_format(b"id;text;rating\n1;ok;5\n") == "csv"


def test_formats_utf16_file_refused_with_advice() -> None:
    data = "id,text\n1,hello\n".encode("utf-16")
    with pytest.raises(UnknownFormat, match="UTF-16 encoded; save it as UTF-8"):
        read(data, format="csv")
