"""Bulk inserts: ids in row order, and values stored exactly as the ORM would store them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import DateTime, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from trustdesk.inbox.channels import create_brand
from trustdesk.inbox.models import Customer
from trustdesk.store.base import utc_aware, utc_sqlite_text
from trustdesk.store.bulk import insert_returning_ids, one_of, unprepared

MOMENTS = [
    datetime(2026, 11, 23, 14, 5, 9, 123456, tzinfo=UTC),
    datetime(2026, 1, 1, 0, 0, tzinfo=UTC),  # no microseconds: still six digits
    datetime(2026, 3, 29, 2, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-8))),
]


@pytest.mark.parametrize("moment", MOMENTS)
def test_sqlite_text_matches_sqlalchemys_own_datetime_processor(moment):
    dialect = sqlite.dialect()
    processor = DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert processor is not None
    assert utc_sqlite_text(moment) == processor(moment.astimezone(UTC).replace(tzinfo=None))


def test_naive_timestamps_are_refused():
    with pytest.raises(ValueError, match="naive"):
        utc_aware(datetime(2026, 11, 23, 14, 5))
    assert utc_aware(MOMENTS[2]) == MOMENTS[2] and utc_aware(MOMENTS[2]).tzinfo is UTC


def test_bulk_insert_returns_ids_in_order_and_stores_what_the_orm_reads_back(session: Session):
    brand = create_brand(session=session, slug="bluebird", name="Bluebird Coffee Co.")
    rows = [
        {"brand_id": brand.id, "display_name": f"Customer {i}", "match_key": None, "notes": "",
         "created_at": moment}
        for i, moment in enumerate(MOMENTS)
    ]  # fmt: skip
    ids = insert_returning_ids(session, Customer, rows)
    session.commit()
    assert len(set(ids)) == len(rows)
    stored = {c.id: c for c in session.scalars(select(Customer))}
    for row, new_id in zip(rows, ids, strict=True):
        assert stored[new_id].display_name == row["display_name"]
        assert stored[new_id].created_at == row["created_at"]
        assert stored[new_id].created_at.tzinfo is not None


def test_one_of_matches_exactly_the_listed_values_on_both_databases(session: Session):
    brand = create_brand(session=session, slug="bluebird", name="Bluebird Coffee Co.")
    rows = [{"brand_id": brand.id, "display_name": f"c{i}", "match_key": f"key {i}", "notes": "",
             "created_at": MOMENTS[0]} for i in range(50)]  # fmt: skip
    insert_returning_ids(session, Customer, rows)
    wanted = [f"key {i}" for i in range(0, 50, 7)] + ["no such key", "key 7'; DROP TABLE customers; --"]
    found = session.scalars(select(Customer.match_key).where(one_of(session, Customer.match_key, wanted)))
    assert sorted(found) == sorted(f"key {i}" for i in range(0, 50, 7))
    assert session.scalars(select(Customer.id).where(one_of(session, Customer.match_key, []))).all() == []
    # numbers, and strings JSON must escape (SQLite receives the values as one JSON array)
    ids = session.scalars(select(Customer.id).order_by(Customer.id)).all()
    assert session.scalars(select(Customer.id).where(one_of(session, Customer.id, ids[:3]))).all() == ids[:3]
    odd = ['quote " back\\slash', "caf\u00e9 \U0001f600", "new\nline", "\u0645\u0631\u062d\u0628\u0627"]
    insert_returning_ids(session, Customer, [dict(rows[0], match_key=k) for k in odd])
    found = session.scalars(select(Customer.match_key).where(one_of(session, Customer.match_key, odd)))
    assert sorted(found) == sorted(odd)


def test_unprepared_keeps_postgresql_from_preparing_repeated_lookups(session: Session):
    dialect = session.get_bind().dialect.name
    with unprepared(session):
        for _ in range(8):  # psycopg prepares a statement from its fifth run on
            session.scalars(select(Customer.id).where(one_of(session, Customer.match_key, ["a", "b"]))).all()
        if dialect == "postgresql":
            prepared = session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
            assert prepared == 0
    if dialect == "postgresql":
        driver = session.connection().connection.driver_connection
        assert driver.prepare_threshold == 5  # restored
