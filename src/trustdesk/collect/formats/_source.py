"""Byte sources: open a path/bytes/stream, peek at its start, then stream its lines or read it whole."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from trustdesk.collect.records import Rejected

PEEK_BYTES = 64 * 1024


class ByteStream(Protocol):
    """What ``read`` needs from a file-like source."""

    def read(self, size: int = -1, /) -> bytes: ...

    def readline(self, size: int = -1, /) -> bytes: ...


Source = BinaryIO | ByteStream | bytes | bytearray | Path


class CountingReader:
    """Wraps a binary stream and counts the bytes read through it (for progress bars)."""

    def __init__(self, raw: BinaryIO | ByteStream) -> None:
        self._raw = raw
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        """Read and count up to ``size`` bytes."""
        data = self._raw.read(size)
        self.bytes_read += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        """Read and count one line."""
        data = self._raw.readline(size)
        self.bytes_read += len(data)
        return data

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")


class Opened:
    """An opened source with its first bytes already read, so the format can be sniffed."""

    def __init__(self, source: Source) -> None:
        self._owned: BinaryIO | None = None
        self.stream: BinaryIO | ByteStream
        if isinstance(source, Path):
            self._owned = self.stream = source.open("rb")
        elif isinstance(source, bytes | bytearray):
            self.stream = io.BytesIO(bytes(source))
        else:
            self.stream = source
        self.prefix: bytes = self.stream.read(PEEK_BYTES)

    def close(self) -> None:
        """Close the file if this object opened it."""
        if self._owned is not None:
            self._owned.close()

    def lines(self) -> Iterator[bytes]:
        """Yield physical lines (with their endings), the peeked prefix first."""
        pending = b""
        for line in io.BytesIO(self.prefix):
            if line.endswith(b"\n"):
                yield line
            else:
                pending = line
        stream = self.stream
        # Iterating a file object is much faster than calling readline() per line.
        rest: Iterator[bytes] = iter(stream) if isinstance(stream, Iterable) else iter(stream.readline, b"")
        if pending:
            yield pending + next(rest, b"")
        yield from rest

    def read_all(self) -> bytes:
        """The whole source (for JSON documents, which are parsed in one piece)."""
        return self.prefix + self.stream.read()


def parse_document(data: bytes) -> tuple[Any, Rejected | None, bool]:
    """Parse one JSON document: (value, None, False), or (None, rejection, several values?)."""
    # Bad UTF-8 survives as surrogate escapes, so only the items holding it are rejected later.
    text = data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    try:
        return json.loads(text), None, False
    except json.JSONDecodeError as exc:
        reason = f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        return None, Rejected(0, reason), exc.msg == "Extra data"
    except RecursionError:
        return None, Rejected(0, "invalid JSON: nested too deeply"), False


def values_per_line(data: bytes) -> list[Any] | None:
    """One JSON value per non-blank line (API pages saved as JSONL), or None if a line is not JSON."""
    values = []
    for line in data.removeprefix(b"\xef\xbb\xbf").splitlines():
        if line.strip():
            try:
                values.append(json.loads(line.decode("utf-8", errors="surrogateescape")))
            except (ValueError, RecursionError):
                return None
    return values
