"""Declarative base, UTC-only timestamps and the column types every model shares."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, MetaData, TypeDecorator
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
BigId = BigInteger().with_variant(Integer(), "sqlite")
# JSONB on PostgreSQL, JSON text elsewhere.
JSONType = JSON().with_variant(postgresql.JSONB(), "postgresql")


MAX_DB_INT = 2**63 - 1
"""The largest id a 64-bit column holds; a bigger number from a request names nothing (never a 500)."""
MAX_DB_INT32 = 2**31 - 1
"""The largest value of an ``Integer`` column (counts such as followers)."""
_ID_TEXT = re.compile(r"[0-9]{1,19}")


def parse_id(value: object) -> int | None:
    """An id from request text or JSON: a positive whole number that fits a 64-bit column, else None.

    ``str.isdigit`` is not enough: it accepts "²" (``int`` then fails) and numbers past 2**63 - 1.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _ID_TEXT.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_DB_INT else None


class JSONText(str):
    """A JSON document already in its text form (an import's source line): bulk inserts store it as it is
    instead of serialising the parsed object again (``store.bulk``; other writes get the object)."""

    __slots__ = ()


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """``value`` converted to UTC; naive values are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def utc_aware(value: datetime) -> datetime:
    """A timestamp for a time-zone aware database: in UTC; naive values are refused as a bug."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column; attach a time zone first")
    return value if value.tzinfo is UTC else value.astimezone(UTC)


def utc_sqlite_text(value: datetime) -> str:
    """A timestamp as SQLite stores it (SQLAlchemy's ``YYYY-MM-DD HH:MM:SS.ffffff``, in UTC)."""
    return utc_aware(value).replace(tzinfo=None).isoformat(" ", "microseconds")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the database returns.

    SQLite has no time zones and hands back naive values; we store UTC and re-attach it on the way out.
    Naive values on the way in are refused: a naive datetime is a bug, not an input.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = utc_aware(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return as_utc(value)


class Base(DeclarativeBase):
    """Base of every ORM model; constraint names are deterministic for migrations."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime()}


class CreatedAtMixin:
    """A ``created_at`` column set by the application in UTC."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
