"""Migrations and models agree, on both databases; an un-migrated database is refused clearly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from trustdesk.store import migrate
from trustdesk.store.db import make_engine
from trustdesk.store.models import Base

# Made by migrations only, on purpose: search machinery that the ORM never reads directly.
MIGRATION_ONLY = {"message_fts", "ix_messages_search_order", "ix_messages_search", "search_vector"}


def _named(diff: object) -> bool:
    return any(name in str(diff) for name in MIGRATION_ONLY)


def test_migrations_match_the_models(engine):
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diffs if not _named(d)] == []


def test_migrations_refuse_an_unmigrated_database(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(migrate.DatabaseNotMigrated) as err:
        migrate.ensure_migrated(engine)
    assert "trustdesk db upgrade" in str(err.value) and err.value.code == "db.not_migrated"
    migrate.upgrade(engine)
    migrate.ensure_migrated(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_audit_log_is_append_only_in_the_database(session):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from trustdesk.team import audit

    event = audit.record(session=session, action="test.event", entity_type="test", entity_id=1)
    session.commit()
    statements = ["UPDATE audit_events SET action = 'forged'", "DELETE FROM audit_events"]
    if session.get_bind().dialect.name == "postgresql":
        # Row triggers do not fire on TRUNCATE: it emptied the log on PostgreSQL (issue 13).
        statements += ["TRUNCATE audit_events", "TRUNCATE brands CASCADE"]
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
    assert session.get(type(event), event.id).action == "test.event"


def test_unit_of_work_rolls_back_everything_when_the_block_fails(engine):
    from sqlalchemy import func, select

    from trustdesk.inbox.channels import create_brand
    from trustdesk.inbox.models import Brand
    from trustdesk.store.db import session_factory, unit_of_work

    with pytest.raises(RuntimeError), unit_of_work(engine) as session:
        create_brand(session=session, slug="doomed", name="Doomed")
        raise RuntimeError("handler failed")
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Brand)) == 0
