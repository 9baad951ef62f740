"""Bulk INSERT that hands back the new ids in parameter order, batched on both databases."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    Boolean,
    ColumnElement,
    Table,
    any_,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from trustdesk.store.base import JSONText, UTCDateTime, utc_aware, utc_sqlite_text

LOOKUP_CHUNK = 5000
"""Values per lookup query (SQLite allows 32,766 bound variables; PostgreSQL gets one array)."""


def chunked(items: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterator[Sequence[Any]]:
    """``items`` in consecutive slices of at most ``size`` (one lookup query each)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def one_of(session: Session, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN (values)``, as each database runs it best.

    PostgreSQL: ``column = ANY(:array)``, one parameter however many values (an IN list of hundreds
    of parameters cost more to plan than to run, and was most of an import's lookups); SQLite: one JSON
    array unpacked by ``json_each`` for strings and integers, a plain IN list otherwise.
    """
    values = list(values)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type), unique=True))
    if dialect == "sqlite" and all(type(v) is str or type(v) is int for v in values):
        # One JSON array parameter, unpacked by SQLite itself: an IN list of thousands of parameters
        # cost SQLAlchemy more to render than SQLite to run.
        array: BindParameter[str] = bindparam(None, json.dumps(values), unique=True)
        return column.in_(select(literal_column("value")).select_from(func.json_each(array)))
    return column.in_(values)


@contextmanager
def unprepared(session: Session) -> Iterator[None]:
    """No server-side prepared statements for this session's work on PostgreSQL (no-op on SQLite).

    psycopg prepares a statement once it has run five times; PostgreSQL may then settle on a generic
    plan made when the tables were small, and an import's lookups, run while the tables grow from
    nothing to millions of rows, would keep a plan that scans. Planned afresh, each uses the index.
    """
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    driver: Any = session.connection().connection.driver_connection
    before = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = before


COPY_FROM = 64
"""From this many rows on, PostgreSQL gets COPY (below it, a pipelined INSERT is as quick)."""


def insert_returning_ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` into ``model``'s table; the new primary keys, in the order of ``rows``.

    PostgreSQL: COPY from ``COPY_FROM`` rows on, psycopg's pipelined executemany below that; rows
    whose column sets differ go through SQLAlchemy's ordered "insertmanyvalues" with ``render_nulls``.
    SQLite: SQLAlchemy cannot order RETURNING there and falls back to one INSERT per row (and splices
    the results quadratically), so one executemany instead: SQLite has a single writer and gives a new
    row max(rowid)+1, so the rows got consecutive ids ending at last_insert_rowid(); checked below.
    """
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql" and _uniform(rows):
        if len(rows) >= COPY_FROM:
            return _copy_postgresql(session, model.__table__, rows)
        return _executemany_postgresql(session, model.__table__, rows)
    if dialect != "sqlite":
        stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
        return list(session.scalars(stmt, _parsed(rows), execution_options={"render_nulls": True}))
    _executemany_sqlite(session, model.__table__, rows)
    last = session.execute(text("SELECT last_insert_rowid()")).scalar_one()
    first = last - len(rows) + 1
    count = session.scalar(
        select(func.count()).select_from(model.__table__).where(model.id.between(first, last))
    )
    if count != len(rows):
        raise RuntimeError(f"{model.__tablename__}: new ids are not consecutive ({count} of {len(rows)})")
    return list(range(first, last + 1))


def _parsed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with any ``JSONText`` value parsed, for SQLAlchemy's own INSERT (which serialises)."""
    if not any(type(v) is JSONText for row in rows for v in row.values()):
        return rows
    return [{k: json.loads(v) if type(v) is JSONText else v for k, v in row.items()} for row in rows]


def _uniform(rows: list[dict[str, Any]]) -> bool:
    keys = rows[0].keys()
    return all(row.keys() == keys for row in rows)


def _driver_statement(
    session: Session, table: Table, rows: list[dict[str, Any]], mark: str, suffix: str = ""
) -> tuple[str, list[tuple[Any, ...]]]:
    """The INSERT for the rows' columns, and the rows as ``_driver_rows`` gives them."""
    dialect = session.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in rows[0])
    marks = ", ".join(mark for _ in rows[0])
    # Identifiers come from our own table metadata, quoted by the dialect; every value is bound.
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks}){suffix}"  # noqa: S608
    return sql, _driver_rows(session, table, rows)


def _driver_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The rows as tuples in the first row's column order, each value through its column's processor.

    SQLAlchemy's executemany rebuilds a parameter dictionary per row (about a fifth of an import on
    SQLite) and, on PostgreSQL, renders one huge multi-row statement that psycopg re-parses every time
    (about half of an import); the column types' own processors still run, so storage is unchanged.
    """
    return list(_driver_row_iter(session, table, rows))


def _driver_row_iter(session: Session, table: Table, rows: list[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    """``_driver_rows`` one at a time (a COPY converts each row as it sends it)."""
    columns = list(rows[0])
    dialect = session.get_bind().dialect
    processors = [_processor(table, name, dialect) for name in columns]
    # A batch's rows share most of their timestamps (the time of the import, a message's created_at that
    # is also its conversation's first, last and waiting time): each distinct one is converted once.
    converted_times: dict[Any, Any] = {}
    for i, name in enumerate(columns):
        if processors[i] is not None and isinstance(table.c[name].type, UTCDateTime):
            processors[i] = _memo(processors[i], converted_times)
    values_of = itemgetter(*columns)
    converted = [(i, proc) for i, proc in enumerate(processors) if proc is not None]
    for row in rows:
        values = list(values_of(row)) if len(columns) > 1 else [row[columns[0]]]
        for i, proc in converted:
            if values[i] is not None:
                values[i] = proc(values[i])
        yield tuple(values)


def _memo(processor: Any, cache: dict[Any, Any]) -> Callable[[Any], Any]:
    """``processor`` that converts each distinct value once, remembering the results in ``cache``."""

    def convert(value: Any) -> Any:
        done = cache.get(value)
        if done is None:
            done = cache[value] = processor(value)
        return done

    return convert


def _executemany_sqlite(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """One driver-level executemany (uneven rows: SQLAlchemy fills the gaps)."""
    if not _uniform(rows):
        session.execute(insert(table), _parsed(rows))
        return
    sql, params = _driver_statement(session, table, rows, "?")
    session.connection().exec_driver_sql(sql, params)


def _copy_postgresql(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """COPY with ids drawn from the table's own sequence first: the fastest load PostgreSQL has.

    Same rows, triggers, constraints, defaults and generated columns as INSERT; about a third of the
    server's per-row cost of even a prepared, pipelined INSERT. The ids come from ``nextval`` in one
    round trip, so concurrent writers still never collide, and are handed out in row order.
    """
    connection = session.connection()
    sequence = connection.exec_driver_sql(
        "SELECT pg_get_serial_sequence(%s, 'id')", (table.name,)
    ).scalar_one()
    ids = sorted(
        connection.exec_driver_sql(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", (sequence, len(rows))
        ).scalars()
    )
    quote = connection.dialect.identifier_preparer.quote
    columns = ", ".join(quote(c) for c in ["id", *rows[0]])
    psycopg_connection: Any = connection.connection.driver_connection
    with (
        psycopg_connection.cursor() as cursor,
        cursor.copy(
            f"COPY {quote(table.name)} ({columns}) FROM STDIN"  # noqa: S608 - our own quoted identifiers
        ) as copy,
    ):
        # Rows are converted as they are sent: PostgreSQL stores the first ones while Python works on the rest.
        for new_id, values in zip(ids, _driver_row_iter(session, table, rows), strict=True):
            copy.write_row((new_id, *values))
    return ids


def _executemany_postgresql(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """psycopg's pipelined executemany with RETURNING: one small statement, one result per row, in order."""
    sql, params = _driver_statement(session, table, rows, "%s", " RETURNING id")
    # The psycopg connection under this session's transaction (its executemany takes returning=True).
    psycopg_connection: Any = session.connection().connection.driver_connection
    ids: list[int] = []
    with psycopg_connection.cursor() as cursor:
        cursor.executemany(sql, params, returning=True)
        while True:
            ids.append(int(cursor.fetchone()[0]))
            if not cursor.nextset():
                break
    if len(ids) != len(rows):
        raise RuntimeError(f"{table.name}: {len(ids)} ids returned for {len(rows)} rows")
    return ids


def _processor(table: Table, name: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    declared = table.c[name].type
    if isinstance(declared, UTCDateTime):
        # The same values UTCDateTime and SQLAlchemy's own processors give (tested), at a fraction of
        # the cost: three timestamps a message made them a tenth of an import.
        return utc_sqlite_text if dialect.name == "sqlite" else utc_aware
    if isinstance(declared, Boolean):
        return None  # both drivers take Python bools as they are
    column_type = declared.dialect_impl(dialect)
    processor: Callable[[Any], Any] | None = column_type.bind_processor(dialect)
    if processor is not None and isinstance(column_type, JSON):
        serialise = processor

        def json_processor(value: Any) -> Any:
            # already JSON text: SQLite stores it as it is, PostgreSQL's COPY parses it into jsonb
            return value if type(value) is JSONText else serialise(value)

        return json_processor
    return processor
