"""What every import format produces: normalised records, or rejections with a line and a reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Kind = Literal["review", "comment", "mention", "dm", "reply", "email", "post"]
Direction = Literal["inbound", "outbound"]


@dataclass(slots=True)
class ParsedRecord:
    """One message as read from a source, before it touches the database.

    ``line`` is the 1-based line (JSONL/CSV) or record index (JSON arrays) in the source.
    ``text`` is exactly as received. ``created_at``/``updated_at`` are timezone-aware UTC.
    ``raw`` keeps the whole source record, unknown fields included; ``raw_json`` is its source text when
    the format holds it verbatim (a JSONL line), stored as it is instead of serialising ``raw`` again.
    ``notes`` are warnings about how the record was read (e.g. a timestamp without a zone taken as UTC).
    """

    line: int
    platform_id: str
    text: str
    kind: Kind = "comment"
    direction: Direction = "inbound"
    author_name: str | None = None
    author_platform_id: str | None = None
    author_handle: str | None = None
    author_followers: int | None = None
    rating: float | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    url: str | None = None
    parent_platform_id: str | None = None
    language: str | None = None
    is_public: bool = True
    channel: str | None = None
    title: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    raw_json: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A source record that could not be read, with the line it came from and why."""

    line: int
    reason: str
