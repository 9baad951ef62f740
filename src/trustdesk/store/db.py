"""Engines, sessions and the one transaction per request or job (``unit_of_work``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from trustdesk.errors import DomainError
from trustdesk.settings import get_settings

T = TypeVar("T")


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` URLs and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web server read while an import writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA temp_store=MEMORY")
    # Checkpoint the WAL every 64 MB rather than every 4 MB: an import batch writes more than 4 MB, and
    # index pages that several batches touch are then copied into the database once, not each time
    # (about +15 % import throughput, measured); the file is cut back to 64 MB after a checkpoint.
    cursor.execute("PRAGMA wal_autocheckpoint=16384")
    cursor.execute("PRAGMA journal_size_limit=67108864")
    cursor.close()


class NulInText(DomainError, ValueError):
    """A text value with a NUL character, which PostgreSQL cannot store or compare (code ``request.nul``)."""

    code = "request.nul"


def _refuse_nul(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> None:
    # One request's few parameters; bulk writes (COPY, executemany) take records the parsers already
    # refused NUL in. Without this, a NUL in any filter, name or form field answered 500 on PostgreSQL.
    if executemany or not parameters:
        return
    values = parameters.values() if isinstance(parameters, dict) else parameters
    for value in values:
        if isinstance(value, str) and "\x00" in value:
            raise NulInText("text with a NUL character cannot be stored or searched")


def pool_options() -> dict[str, Any]:
    """Pool size and wait from the settings: one connection per request thread, plus headroom."""
    settings = get_settings()
    # Every request thread may hold a connection, and so may the SSE polls and the background jobs;
    # a pool smaller than that makes threads wait for each other (the 30 s stalls of issue 13).
    size = settings.db_pool_size or settings.web_threads + 8
    return {"pool_size": size, "max_overflow": 0, "pool_timeout": settings.db_pool_timeout}


def make_engine(url: str, **kwargs: Any) -> Engine:
    """A configured engine for ``url`` (SQLite or PostgreSQL), its pool sized by the settings."""
    url = normalise_url(url)
    sized = {} if "poolclass" in kwargs or url in ("sqlite://", "sqlite:///:memory:") else pool_options()
    options = sized | kwargs
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, pool_pre_ping=True, **options)
    event.listen(engine, "before_cursor_execute", _refuse_nul)
    return engine


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for ``url`` (default: settings.database_url)."""
    return make_engine(url or get_settings().database_url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine``; objects stay usable after commit."""
    # Every mapper must be known before the first flush, whichever capability opened the session
    # (an audit event points at brands even when only team code was imported).
    import trustdesk.store.models  # noqa: F401

    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


@contextmanager
def unit_of_work(engine: Engine | None = None, *, write: bool = False) -> Iterator[Session]:
    """One transaction: commit if the block succeeds, roll back (leaving no rows) if it raises.

    ``write``: the block will write. On SQLite it then takes the write lock up front (``BEGIN
    IMMEDIATE``): a transaction that reads and only later writes fails at once, not after
    ``busy_timeout``, when another writer committed in between (SQLITE_BUSY_SNAPSHOT), so racing
    writers answered 500. Writers now queue, and each sees what the one before it committed.
    """
    session = session_factory(engine or get_engine())()
    try:
        if write and session.get_bind().dialect.name == "sqlite":
            session.execute(text("BEGIN IMMEDIATE"))
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def locked(session: Session, model: type[T], ident: Any) -> T | None:
    """Re-read a row and hold it until the transaction ends (``FOR UPDATE`` on PostgreSQL; on SQLite the
    write transaction's lock already serialises writers). Check a row's state only after this."""
    return session.get(model, ident, with_for_update=True, populate_existing=True)
