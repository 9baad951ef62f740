"""Opaque keyset cursors: the sort key and id of the last row of a page, base64url-encoded JSON."""

from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import datetime
from typing import Any

from trustdesk.errors import DomainError
from trustdesk.store.base import MAX_DB_INT

MAX_CURSOR_CHARS = 512


class InvalidCursor(DomainError, ValueError):
    """A cursor that was not made by this server for this listing (code ``inbox.invalid_cursor``)."""

    code = "inbox.invalid_cursor"


def encode_cursor(kind: str, values: list[Any]) -> str:
    """An opaque cursor for ``values`` (JSON-serialisable) of a listing called ``kind``."""
    raw = json.dumps([kind, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, kind: str, types: tuple[type, ...]) -> list[Any]:
    """The values in ``cursor``, checked against ``kind`` and ``types``; raise InvalidCursor if not ours."""
    try:
        if len(cursor) > MAX_CURSOR_CHARS:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        if not isinstance(data, list) or len(data) != len(types) + 1 or data[0] != kind:
            raise ValueError("wrong shape")
        return [_coerce(value, typ) for value, typ in zip(data[1:], types, strict=True)]
    except (ValueError, TypeError, binascii.Error, RecursionError) as exc:
        raise InvalidCursor(f"invalid cursor for {kind}; start again without a cursor") from exc


def _coerce(value: Any, typ: type) -> Any:
    if typ is datetime:
        if not isinstance(value, str):
            raise TypeError("expected a timestamp")
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("naive timestamp")
        return parsed
    if typ is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError("expected a number")
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        return float(value)
    if typ is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("expected an integer")
        if abs(value) > MAX_DB_INT:
            raise ValueError("out of range")
        return value
    raise TypeError(f"unsupported cursor type {typ}")
