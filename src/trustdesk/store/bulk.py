"""Bulk INSERT that hands back the new ids in parameter order, batched on both databases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session


def insert_returning_ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` into ``model``'s table; the new primary keys, in the order of ``rows``.

    PostgreSQL: batched INSERT ... RETURNING with SQLAlchemy's ordered "insertmanyvalues";
    ``render_nulls`` keeps every row's column set identical (the ORM otherwise drops None keys and
    splits the batch into one statement per distinct set — one per row in practice).
    SQLite: SQLAlchemy cannot order RETURNING there and falls back to one INSERT per row (and splices
    the results quadratically), so one executemany instead: SQLite has a single writer and gives a new
    row max(rowid)+1, so the rows got consecutive ids ending at last_insert_rowid(); checked below.
    """
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql" and _uniform(rows):
        return _executemany_postgresql(session, model.__table__, rows)
    if dialect != "sqlite":
        stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
        return list(session.scalars(stmt, rows, execution_options={"render_nulls": True}))
    _executemany_sqlite(session, model.__table__, rows)
    last = session.execute(text("SELECT last_insert_rowid()")).scalar_one()
    first = last - len(rows) + 1
    count = session.scalar(
        select(func.count()).select_from(model.__table__).where(model.id.between(first, last))
    )
    if count != len(rows):
        raise RuntimeError(f"{model.__tablename__}: new ids are not consecutive ({count} of {len(rows)})")
    return list(range(first, last + 1))


def _uniform(rows: list[dict[str, Any]]) -> bool:
    keys = rows[0].keys()
    return all(row.keys() == keys for row in rows)


def _driver_statement(
    session: Session, table: Table, rows: list[dict[str, Any]], mark: str, suffix: str = ""
) -> tuple[str, list[tuple[Any, ...]]]:
    """The INSERT for the rows' columns and the rows as tuples, each value through its column's processor.

    SQLAlchemy's executemany rebuilds a parameter dictionary per row (about a fifth of an import on
    SQLite) and, on PostgreSQL, renders one huge multi-row statement that psycopg re-parses every time
    (about half of an import); the column types' own processors still run, so storage is unchanged.
    """
    columns = list(rows[0])
    dialect = session.get_bind().dialect
    processors = [_processor(table, name, dialect) for name in columns]
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join(mark for _ in columns)
    # Identifiers come from our own table metadata, quoted by the dialect; every value is bound.
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks}){suffix}"  # noqa: S608
    params = [
        tuple(
            value if proc is None or value is None else proc(value)
            for proc, value in zip(processors, (row[c] for c in columns), strict=True)
        )
        for row in rows
    ]
    return sql, params


def _executemany_sqlite(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """One driver-level executemany (uneven rows: SQLAlchemy fills the gaps)."""
    if not _uniform(rows):
        session.execute(insert(table), rows)
        return
    sql, params = _driver_statement(session, table, rows, "?")
    session.connection().exec_driver_sql(sql, params)


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
    column_type = table.c[name].type.dialect_impl(dialect)
    processor: Callable[[Any], Any] | None = column_type.bind_processor(dialect)
    return processor
