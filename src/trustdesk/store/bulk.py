"""Bulk INSERT that hands back the new ids in parameter order, batched on both databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select, text
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
    if session.get_bind().dialect.name != "sqlite":
        stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
        return list(session.scalars(stmt, rows, execution_options={"render_nulls": True}))
    session.execute(insert(model.__table__), rows)
    last = session.execute(text("SELECT last_insert_rowid()")).scalar_one()
    first = last - len(rows) + 1
    count = session.scalar(
        select(func.count()).select_from(model.__table__).where(model.id.between(first, last))
    )
    if count != len(rows):
        raise RuntimeError(f"{model.__tablename__}: new ids are not consecutive ({count} of {len(rows)})")
    return list(range(first, last + 1))
