"""Import formats: the generic JSONL/JSON/CSV schema and the platforms' own JSON exports.

Pure parsing, no database: ``read`` yields ParsedRecord or Rejected, one per source record
(platform reviews may also yield the owner's reply as an outbound record).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trustdesk.collect.records import ParsedRecord, Rejected
from trustdesk.errors import DomainError

from . import app_store, facebook, generic, google_business, google_play, trustpilot, x
from ._source import CountingReader, Opened, Source, parse_document, values_per_line
from .generic import parse_generic_object

__all__ = [
    "FORMATS",
    "CountingReader",
    "FormatSpec",
    "UnknownFormat",
    "count_records",
    "detect_format",
    "parse_generic_object",
    "read",
]

Result = ParsedRecord | Rejected


class UnknownFormat(DomainError, ValueError):
    """The format could not be recognised from the file name and first bytes, or is not known."""

    code = "collect.unknown_format"


@dataclass(frozen=True, slots=True)
class FormatSpec:
    """One import format: line-streamed (``read_lines``) or a whole JSON document (``read_document``)."""

    name: str
    description: str
    extensions: tuple[str, ...] = ()
    read_lines: Callable[[Iterable[bytes]], Iterator[Result]] | None = None
    read_document: Callable[[Any], Iterator[Result]] | None = None
    matches: Callable[[Any], bool] | None = None

    @property
    def streaming(self) -> bool:
        """True when records are read line by line without loading the whole source."""
        return self.read_lines is not None


_SPECS = [
    FormatSpec(
        "jsonl",
        "generic schema, one JSON object per line",
        (".jsonl", ".ndjson"),
        read_lines=generic.read_jsonl,
    ),
    FormatSpec(
        "json",
        'generic schema, a JSON array of objects or {"messages": [...]}',
        (".json",),
        read_document=generic.read_json_document,
        matches=generic.looks_like_generic_document,
    ),
    FormatSpec("csv", "generic schema, CSV with a header row", (".csv",), read_lines=generic.read_csv),
]
_PLATFORMS = [
    ("google_business", google_business, "Google Business Profile accounts.locations.reviews.list response"),
    ("google_play", google_play, "Google Play Developer API reviews.list response"),
    ("app_store", app_store, "App Store Connect API customerReviews response (include=response)"),
    ("x", x, "X API v2 tweets response, e.g. /2/users/:id/mentions with expansions=author_id"),
    ("facebook", facebook, "Facebook Graph API /{post-id}/comments or /{page-id}/feed?fields=comments{...}"),
    ("trustpilot", trustpilot, "Trustpilot business-units/{id}/reviews response"),
]
_SPECS += [
    FormatSpec(name, description, read_document=module.read_document, matches=module.matches)
    for name, module, description in _PLATFORMS
]
FORMATS: dict[str, FormatSpec] = {spec.name: spec for spec in _SPECS}
# Platform payloads are checked before the generic JSON shape when sniffing a document.
_DOCUMENT_ORDER: list[FormatSpec] = [spec for spec in _SPECS if spec.read_document and spec.name != "json"]
_DOCUMENT_ORDER.append(FORMATS["json"])


def read(
    source: Source, *, format: str | None = None, filename: str | None = None
) -> Iterator[ParsedRecord | Rejected]:
    """Yield a ParsedRecord or Rejected for each record of ``source``; raise UnknownFormat up front."""
    return _plan(source, format, filename)[1]


def detect_format(source: Source, *, filename: str | None = None) -> str:
    """Return the name of the format ``read`` would use for ``source`` (loads JSON documents)."""
    spec, results = _plan(source, None, filename, detect_only=True)
    if spec is None:
        failure = next(results, None)
        reason = failure.reason if isinstance(failure, Rejected) else "unreadable"
        raise UnknownFormat(f"not a known format: {reason}")
    return spec.name


def count_records(source: Path | bytes, *, format: str | None = None) -> int | None:
    """Cheaply count the records of a line format (non-blank lines); None for JSON documents."""
    name = format or detect_format(source)
    if not FORMATS[name].streaming:
        return None
    opened = Opened(source)
    try:
        count = sum(1 for line in opened.lines() if line.strip())
    finally:
        opened.close()
    return max(count - 1, 0) if name == "csv" else count


def _plan(
    source: Source, format: str | None, filename: str | None, *, detect_only: bool = False
) -> tuple[FormatSpec | None, Iterator[Result]]:
    """Choose the format and start reading; the spec is None only for an unparseable JSON document."""
    if format is not None and format not in FORMATS:
        raise UnknownFormat(f"unknown import format {format!r}; known: {', '.join(FORMATS)}")
    if filename is None and isinstance(source, Path):
        filename = source.name
    opened = Opened(source)
    try:
        if opened.prefix.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise UnknownFormat(
                f"{filename or 'the input'} is UTF-16 encoded; save it as UTF-8 (e.g. CSV UTF-8)"
            )
        spec = FORMATS[format] if format else _sniff(opened.prefix, filename)
        if spec is not None and spec.read_lines is not None:
            if detect_only:
                opened.close()
                return spec, iter([])
            return spec, _closing(opened, spec.read_lines(opened.lines()))
        data = opened.read_all()
    except BaseException:
        opened.close()
        raise
    opened.close()
    doc, failure, several = parse_document(data)
    if failure is None:
        spec = spec or _document_format(doc, filename)
        assert spec.read_document is not None  # line formats returned above
        return spec, spec.read_document(doc)
    if several:
        # Several JSON values: API pages saved one per line, or generic JSONL saved as ".json".
        pages = values_per_line(data)
        if spec is None or spec.name == "json":
            platform = next(
                (s for s in _DOCUMENT_ORDER[:-1] if pages and s.matches and s.matches(pages)), None
            )
            if platform is not None and platform.read_document is not None and pages is not None:
                return platform, platform.read_document(pages)
            return FORMATS["jsonl"], generic.read_jsonl(io.BytesIO(data))
        if pages is not None and spec.read_document is not None:
            return spec, spec.read_document(pages)
    return spec, iter([failure])


def _closing(opened: Opened, results: Iterator[Result]) -> Iterator[Result]:
    try:
        yield from results
    finally:
        opened.close()


def _sniff(prefix: bytes, filename: str | None) -> FormatSpec | None:
    """Pick a line format, or None for "a JSON document: look at its structure"."""
    suffix = Path(filename).suffix.lower() if filename else ""
    for spec in _SPECS:
        if suffix in spec.extensions:
            return spec if spec.streaming else None
    head = prefix.removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"["):
        return None
    first_line = head.split(b"\n", 1)[0]
    if head.startswith(b"{"):
        try:
            first = json.loads(first_line)
        except (ValueError, RecursionError):
            return None  # a pretty-printed or very long document
        if isinstance(first, dict) and "id" in first:
            return FORMATS["jsonl"]
        return None
    if generic.csv_delimiter(first_line.decode("utf-8", errors="replace")):
        return FORMATS["csv"]
    raise UnknownFormat(
        f"cannot tell the format of {filename or 'the input'}: not JSON, JSONL or a CSV with an 'id' "
        f"column; pass a format ({', '.join(FORMATS)})"
    )


def _document_format(doc: Any, filename: str | None) -> FormatSpec:
    for spec in _DOCUMENT_ORDER:
        if spec.matches is not None and spec.matches(doc):
            return spec
    raise UnknownFormat(
        f"{filename or 'the input'} is JSON but not a known shape (generic array or messages, or a "
        f"platform export); pass a format ({', '.join(FORMATS)})"
    )
