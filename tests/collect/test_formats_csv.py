"""Generic schema as CSV: header row of generic column names, physical line numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from trustdesk.collect.formats import read
from trustdesk.collect.records import ParsedRecord, Rejected


def _summary(data: bytes) -> list[tuple[int, str]]:
    return [(r.line, r.reason if isinstance(r, Rejected) else r.text) for r in read(data, format="csv")]


def test_formats_csv_reads_header_columns_and_coerces_values() -> None:
    data = (
        b"id,text,author,rating,created_at,public,followers,channel,source_sheet\r\n"
        b'tp-1,"Beans arrived fast, Morning Blend is great",Sam Patel,5,2026-11-19T10:00:00Z,true,12,'
        b"trustpilot,Nov\r\n"
    )
    [record] = read(data, format="csv")
    assert isinstance(record, ParsedRecord)
    assert record.line == 2
    assert record.platform_id == "tp-1"
    assert record.text == "Beans arrived fast, Morning Blend is great"
    assert record.rating == 5.0
    assert record.kind == "review"
    assert record.created_at == datetime(2026, 11, 19, 10, tzinfo=UTC)
    assert record.author_followers == 12
    assert record.raw["source_sheet"] == "Nov"


def test_formats_csv_empty_cells_mean_absent() -> None:
    [record] = read(b"id,text,rating,author,created_at\n7,Nice bun,,,\n", format="csv")
    assert isinstance(record, ParsedRecord)
    assert (record.rating, record.author_name, record.created_at, record.kind) == (
        None,
        None,
        None,
        "comment",
    )


def test_formats_csv_multiline_field_reports_starting_line() -> None:
    data = b'id,text\n1,"first line\nsecond line"\n2,after\n'
    assert _summary(data) == [(2, "first line\nsecond line"), (4, "after")]


def test_formats_csv_ragged_row_rejected_and_batch_continues() -> None:
    data = b"id,text,rating\n1,ok,5\n2,too,many,cells\n3,short\n4,fine,\n"
    assert _summary(data) == [
        (2, "ok"),
        (3, "ragged row: 4 fields but the header has 3"),
        (4, "ragged row: 2 fields but the header has 3"),
        (5, "fine"),
    ]


def test_formats_csv_unclosed_quote_only_rejects_its_line() -> None:
    data = b'id,text\n1,"never closed\n2,b\n3,c\n'
    summary = _summary(data)
    assert summary[0][0] == 2
    assert "quoted field not closed properly" in summary[0][1]
    assert summary[1:] == [(3, "b"), (4, "c")]


def test_formats_csv_header_without_id_rejected_once() -> None:
    assert _summary(b"name,text\nx,y\nz,w\n") == [
        (1, "CSV header has no 'id' column (see docs/import-format.md)")
    ]


def test_formats_csv_blank_lines_skipped_and_header_case_tolerated() -> None:
    data = b" ID , Text \n\n1,a\n\n\n2,b\n"
    assert _summary(data) == [(3, "a"), (6, "b")]


def test_formats_csv_fixture_file() -> None:
    path = Path(__file__).parent / "fixtures" / "generic_messages.csv"
    records = [r for r in read(path) if isinstance(r, ParsedRecord)]
    assert [(r.line, r.platform_id, r.kind, r.is_public) for r in records] == [
        (2, "gbp-old-town-12", "review", True),
        (3, "fb-dm-301", "dm", False),
        (5, "app-88", "review", True),
        (6, "x-4410", "mention", True),
    ]
    assert records[1].text == "Hi, my Bluebird Rewards card stopped working — can you help?\nThanks, Ben"
    assert records[0].raw["store_code"] == "EDI-01"
    assert records[3].text == "Riverside has the comfiest sofas in Bristol 🛋️☕"


def test_formats_csv_semicolon_and_tab_delimiters_from_header() -> None:
    semicolon = b'"Id";"Text";"Rating"\r\n1;"Caf\xc3\xa9 au lait, tr\xc3\xa8s bon";4\r\n'
    tab = b"id\ttext\n2\tFlat white, no sugar\n"
    assert _summary(semicolon) == [(2, "Café au lait, très bon")]
    assert _summary(tab) == [(2, "Flat white, no sugar")]


def test_formats_csv_repeated_header_column_rejected() -> None:
    assert _summary(b"id,text,Text\n1,a,b\n") == [(1, "CSV header repeats column(s): text")]
