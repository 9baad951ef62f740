"""Apply and inspect Alembic migrations; the server refuses to start on an un-migrated database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from trustdesk.errors import DomainError
from trustdesk.store.db import get_engine, normalise_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseNotMigrated(DomainError, RuntimeError):
    """The database schema is older than this version of trustdesk (code ``db.not_migrated``)."""

    code = "db.not_migrated"
    status = 503


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """The newest migration this code knows."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None if it was never migrated."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine | None = None, revision: str = "head") -> None:
    """Bring the database up to ``revision`` (default: the newest)."""
    engine = engine or get_engine()
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def ensure_migrated(engine: Engine | None = None) -> None:
    """Raise ``DatabaseNotMigrated`` with a clear message unless the schema is at head."""
    engine = engine or get_engine()
    current, head = current_revision(engine), head_revision()
    if current != head:
        where = engine.url.render_as_string(hide_password=True)
        raise DatabaseNotMigrated(
            f"The database at {where} is at schema revision {current or 'none (empty)'}, "
            f"but this trustdesk needs {head}. Run `trustdesk db upgrade` first."
        )
