"""The one documented generic schema (docs/import-format.md), shared by JSONL, JSON and CSV."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, get_args

from trustdesk.collect.records import Direction, Kind, ParsedRecord, Rejected

from ._values import (
    FieldError,
    as_bool,
    as_count,
    as_id,
    as_language,
    as_rating,
    as_text,
    as_timestamp,
    bad_string,
    may_hold_bad_string,
)

KINDS: frozenset[str] = frozenset(get_args(Kind))
DIRECTIONS: frozenset[str] = frozenset(get_args(Direction))
PRIVATE_KINDS = frozenset({"dm", "email"})
FIELDS = (
    "id",
    "text",
    "author",
    "author_id",
    "author_handle",
    "followers",
    "channel",
    "rating",
    "created_at",
    "updated_at",
    "url",
    "parent_id",
    "language",
    "kind",
    "direction",
    "public",
    "title",
)
BOM = "\ufeff"

Result = ParsedRecord | Rejected


def parse_generic_object(obj: dict[str, Any], *, line: int) -> ParsedRecord | Rejected:
    """Read one generic-schema object (e.g. a webhook body) into a record, or say why not."""
    problem = bad_string(obj)
    return Rejected(line, problem) if problem else _parse(obj, line)


def _parse(obj: Any, line: int) -> ParsedRecord | Rejected:
    """As parse_generic_object, for objects whose strings are already known to be valid Unicode."""
    if not isinstance(obj, dict):
        return Rejected(line, f"expected a JSON object, got {type(obj).__name__}")
    try:
        return _build(obj, line)
    except FieldError as exc:
        return Rejected(line, str(exc))


def _build(obj: dict[str, Any], line: int) -> ParsedRecord:
    platform_id = as_id(obj.get("id"), "id")
    if platform_id is None:
        raise FieldError("missing id")
    rating = as_rating(obj.get("rating"))
    text = as_text(obj.get("text"), "text")
    if text is None or (text == "" and rating is None):
        raise FieldError("missing text (empty text is allowed only with a rating)")
    if text is None:
        text = ""
    kind = _choice(obj.get("kind"), "kind", KINDS) or ("review" if rating is not None else "comment")
    direction = _choice(obj.get("direction"), "direction", DIRECTIONS) or "inbound"
    public = as_bool(obj.get("public"), "public")
    notes: list[str] = []
    return ParsedRecord(
        line=line,
        platform_id=platform_id,
        text=text,
        kind=kind,  # type: ignore[arg-type]  # checked against KINDS above
        direction=direction,  # type: ignore[arg-type]
        author_name=_opt_text(obj.get("author"), "author"),
        author_platform_id=as_id(obj.get("author_id"), "author_id"),
        author_handle=_opt_text(obj.get("author_handle"), "author_handle"),
        author_followers=as_count(obj.get("followers"), "followers"),
        rating=rating,
        created_at=as_timestamp(obj.get("created_at"), "created_at", notes),
        updated_at=as_timestamp(obj.get("updated_at"), "updated_at", notes),
        url=_opt_text(obj.get("url"), "url"),
        parent_platform_id=as_id(obj.get("parent_id"), "parent_id"),
        language=as_language(obj.get("language"), "language", notes),
        is_public=public if public is not None else kind not in PRIVATE_KINDS,
        channel=_opt_text(obj.get("channel"), "channel"),
        title=_opt_text(obj.get("title"), "title"),
        raw=obj,
        notes=notes,
    )


def _opt_text(value: Any, field: str) -> str | None:
    """Optional short string: empty means absent (CSV cells are never null)."""
    text = as_text(value, field)
    return text if text else None


def _choice(value: Any, field: str, allowed: frozenset[str]) -> str | None:
    text = _opt_text(value, field)
    if text is None:
        return None
    word = text.strip().lower()
    if word not in allowed:
        raise FieldError(f"{field} must be one of {', '.join(sorted(allowed))}; got {text!r:.40}")
    return word


def read_jsonl(lines: Iterable[bytes]) -> Iterator[Result]:
    """Yield one result per non-blank physical line; each line is decoded on its own."""
    for number, chunk in enumerate(lines, start=1):
        if number == 1 and chunk.startswith(b"\xef\xbb\xbf"):
            chunk = chunk[3:]
        if not chunk.strip():
            continue
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Rejected(number, f"invalid UTF-8 at byte {exc.start + 1} of the line: {exc.reason}")
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Rejected(number, f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            yield Rejected(number, "invalid JSON: nested too deeply")
            continue
        if may_hold_bad_string(text):
            problem = bad_string(obj)
            if problem:
                yield Rejected(number, problem)
                continue
        result = _parse(obj, line=number)
        if isinstance(result, ParsedRecord):
            result.raw_json = text.strip()
        yield result


def read_json_document(doc: Any) -> Iterator[Result]:
    """Yield results for a parsed generic JSON document: an array or {"messages": [...]}."""
    items = doc.get("messages") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        yield Rejected(0, 'expected a JSON array of messages or an object with a "messages" array')
        return
    for index, obj in enumerate(items, start=1):
        yield parse_generic_object(obj, line=index)


def looks_like_generic_document(doc: Any) -> bool:
    """True for an array of objects or an object with a "messages" array."""
    if isinstance(doc, dict):
        return isinstance(doc.get("messages"), list)
    return isinstance(doc, list) and (not doc or isinstance(doc[0], dict))


def read_csv(lines: Iterable[bytes]) -> Iterator[Result]:
    """Yield one result per CSV row; the header row (line 1) names generic-schema columns."""
    # Texts of a megabyte or more are legitimate; the csv module's default cell limit is 128 KiB.
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    source = _LineSource(lines)
    delimiter = source.delimiter()
    header: list[str] | None = None
    reader = csv.reader(source, strict=True, delimiter=delimiter)
    while True:
        source.start_record()
        start = source.number + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if len(source.record) > 1:
                # A stray quote swallowed the following lines: reject only its first line, re-read the rest.
                end = "the end of the file" if source.exhausted else f"line {source.number}"
                yield Rejected(start, f"malformed CSV: quoted field not closed properly (ran to {end})")
                source.replay(start + 1)
                reader = csv.reader(source, strict=True, delimiter=delimiter)
            else:
                yield Rejected(start, f"malformed CSV: {exc}")
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if header is None:
            header = [name.strip().lower() for name in row]
            if "id" not in header:
                yield Rejected(start, "CSV header has no 'id' column (see docs/import-format.md)")
                return
            doubled = sorted({name for name in header if header.count(name) > 1})
            if doubled:
                yield Rejected(start, f"CSV header repeats column(s): {', '.join(doubled)}")
                return
            continue
        if len(row) != len(header):
            yield Rejected(start, f"ragged row: {len(row)} fields but the header has {len(header)}")
            continue
        problem = bad_string(row)
        if problem:
            yield Rejected(start, problem)
        else:
            yield _parse(dict(zip(header, row, strict=True)), line=start)


def csv_delimiter(header: str) -> str | None:
    """Comma, or the semicolon/tab some spreadsheets write: whichever splits off an ``id`` column."""
    for candidate in (",", ";", "\t", "|"):
        if "id" in (name.strip().strip('"').lower() for name in header.split(candidate)):
            return candidate
    return None


class _LineSource:
    """Feeds decoded physical lines to csv.reader, numbering them and keeping the current record's."""

    def __init__(self, lines: Iterable[bytes]) -> None:
        self._lines = iter(lines)
        self._pending: list[tuple[int, str]] = []
        self.number = 0
        self.exhausted = False
        self.record: list[tuple[int, str]] = []

    def delimiter(self) -> str:
        """The delimiter the header line uses (peeked; the line is still read as the header)."""
        while not self._pending:
            try:
                text = self._decode(next(self._lines))
            except StopIteration:
                return ","
            self._pending.append((len(self._pending) + 1, text))
        return csv_delimiter(self._pending[0][1]) or ","

    def start_record(self) -> None:
        """Forget the lines of the previous record."""
        self.record = []

    def replay(self, first: int) -> None:
        """Feed the current record's lines from line ``first`` on again."""
        self._pending = [item for item in self.record if item[0] >= first]
        self.number = first - 1
        self.exhausted = False

    def __iter__(self) -> _LineSource:
        return self

    def __next__(self) -> str:
        if self._pending:
            self.number, text = self._pending.pop(0)
        else:
            try:
                chunk = next(self._lines)
            except StopIteration:
                self.exhausted = True
                raise
            self.number += 1
            text = self._decode(chunk)
        self.record.append((self.number, text))
        return text

    def _decode(self, chunk: bytes) -> str:
        # surrogateescape keeps a bad byte from spoiling its neighbours; its row is rejected.
        text = chunk.decode("utf-8", errors="surrogateescape")
        return text.removeprefix(BOM) if self.number <= 1 else text
