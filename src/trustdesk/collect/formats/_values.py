"""Coercion of loosely typed source values (JSON scalars, CSV cells) into record fields."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

# Lone surrogates come from "\ud83d"-style JSON escapes without their pair, or from invalid UTF-8
# bytes decoded with errors="surrogateescape"; neither can be encoded, so such records are rejected.
_SURROGATE = re.compile("[\x00\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u(?:[dD][89abAB]|0000)")
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*")
# Ids are stored in 500-character columns; leave room for derived ids such as "{id}:reply".
MAX_ID_LENGTH = 480
LANGUAGE_LENGTH = 16

TRUE_WORDS = frozenset({"true", "1", "yes", "y", "t"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "f"})


MAX_COUNT = 2**31 - 1
"""The largest count a record may carry (followers, likes): what the database's integer column holds."""


class FieldError(ValueError):
    """A source value that cannot become the record field it stands for."""


def as_id(value: Any, field: str) -> str | None:
    """Return a platform id as a string (numbers allowed), None when absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise FieldError(f"{field} must be a string or a number, got a boolean")
    if isinstance(value, int | str):
        text = str(value)
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        raise FieldError(f"{field} must be a string or a number, got {type(value).__name__}")
    if len(text) > MAX_ID_LENGTH:
        raise FieldError(f"{field} is longer than {MAX_ID_LENGTH} characters")
    return text if text.strip() else None


def as_language(value: Any, field: str, notes: list[str]) -> str | None:
    """A language code (``en``, ``en-GB``, ``en_GB``) kept as given; anything else is dropped with a note."""
    text = as_text(value, field)
    if not text:
        return None
    if len(text) > LANGUAGE_LENGTH or not _LANGUAGE.fullmatch(text):
        notes.append(f"{field} {text!r:.30} ignored: not a language code")
        return None
    return text


def as_text(value: Any, field: str) -> str | None:
    """Return a string field exactly as received; None when absent."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    raise FieldError(f"{field} must be a string, got {_json_type(value)}")


def as_count(value: Any, field: str) -> int | None:
    """Return a non-negative integer count (int or numeric string); None when absent or empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise FieldError(f"{field} must be a whole number, got a boolean")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise FieldError(f"{field} must be a whole number, got {value!r:.40}") from None
    if not isinstance(value, int):
        raise FieldError(f"{field} must be a whole number, got {_json_type(value)}")
    if value < 0:
        raise FieldError(f"{field} must not be negative, got {value}")
    if value > MAX_COUNT:
        raise FieldError(f"{field} is too large ({str(value)[:20]}…; at most {MAX_COUNT:,})")
    return value


def as_rating(value: Any, field: str = "rating") -> float | None:
    """Return a 1–5 star rating from a number or numeric string; None when absent or empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise FieldError(f"{field} must be a number from 1 to 5, got a boolean")
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise FieldError(f"{field} must be a number from 1 to 5, got {value!r:.40}") from None
    elif isinstance(value, int | float):
        number = float(value)
    else:
        raise FieldError(f"{field} must be a number from 1 to 5, got {_json_type(value)}")
    if not 1.0 <= number <= 5.0:  # also false for NaN
        raise FieldError(f"{field} out of range (1–5): {value!r:.40}")
    return number


def as_bool(value: Any, field: str) -> bool | None:
    """Return a boolean from JSON true/false or a CSV word (true/false, yes/no, 1/0)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise FieldError(f"{field} must be true or false, got {value!r:.40}")


def as_timestamp(value: Any, field: str, notes: list[str] | None = None) -> datetime | None:
    """Return a timezone-aware UTC datetime from ISO 8601 / RFC 3339 text or epoch seconds.

    A timestamp without a zone is taken as UTC, and that is appended to ``notes``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise FieldError(f"bad timestamp in {field}: a boolean")
    if isinstance(value, int | float):
        return from_epoch(value, 0, field)
    if not isinstance(value, str):
        raise FieldError(f"bad timestamp in {field}: {_json_type(value)}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise FieldError(f"bad timestamp in {field}: {value!r:.60} is not ISO 8601") from None
    if parsed.tzinfo is None:
        if notes is not None:
            notes.append(f"{field} had no time zone; taken as UTC")
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise FieldError(f"bad timestamp in {field}: {value!r:.60} is out of range") from None


def from_epoch(seconds: Any, nanos: Any, field: str) -> datetime:
    """Return a UTC datetime from epoch seconds and nanoseconds (ints, floats or numeric strings)."""
    try:
        total = float(seconds) + float(nanos or 0) / 1e9
        return datetime.fromtimestamp(total, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise FieldError(f"bad timestamp in {field}: {seconds!r:.40} is not epoch seconds") from None


def bad_string(obj: Any) -> str | None:
    """Describe the first string in ``obj`` that cannot be stored (lone surrogate, NUL), else None."""
    if isinstance(obj, str):
        match = _SURROGATE.search(obj)
        if match is None:
            return None
        char = ord(match.group())
        if char == 0:
            return "contains a NUL character (U+0000), which cannot be stored"
        if 0xDC80 <= char <= 0xDCFF:  # produced by errors="surrogateescape"
            return f"invalid UTF-8 (byte 0x{char - 0xDC00:02x})"
        return f"unpaired UTF-16 surrogate \\u{char:04x} in a JSON string"
    if isinstance(obj, dict):
        for key, item in obj.items():
            found = bad_string(key) or bad_string(item)
            if found:
                return found
    elif isinstance(obj, list):
        for item in obj:
            found = bad_string(item)
            if found:
                return found
    return None


def may_hold_bad_string(line: str) -> bool:
    """Cheap pre-check of one strictly decoded JSON line: could it hold a lone surrogate or a NUL?

    Strict UTF-8 never yields surrogates and JSON forbids raw control characters, so only escapes count.
    """
    return "\\u" in line and _ESCAPED_SURROGATE.search(line) is not None


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)
