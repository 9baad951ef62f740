"""Shared fixtures: a migrated database per test, on SQLite and (when it answers) on PostgreSQL."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from trustdesk.settings import get_settings
from trustdesk.store import migrate
from trustdesk.store.db import make_engine, session_factory
from trustdesk.store.models import Base

POSTGRES_URL = os.environ.get(
    "TRUSTDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _postgres_unavailable_reason() -> str | None:
    try:
        engine = make_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {type(exc).__name__}: {exc}".splitlines()[0]
    return None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A private schema in the test database, migrated once for this test session."""
    reason = _postgres_unavailable_reason()
    if reason:
        pytest.skip(reason)
    schema = f"trustdesk_test_{os.getpid()}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        # The audit log refuses TRUNCATE (a statement trigger); a superuser's replica role skips triggers.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """URL of an empty, migrated database — once on SQLite, once on PostgreSQL.

    Also points TRUSTDESK_DATABASE_URL at it, so code that reads settings uses the same database.
    """
    if request.param == "sqlite":
        path = tmp_path / "trustdesk.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_schema_url")
        _truncate_all(make_engine(url))
    monkeypatch.setenv("TRUSTDESK_DATABASE_URL", url)
    monkeypatch.setenv("TRUSTDESK_ENV", "test")
    get_settings.cache_clear()
    from trustdesk.store.db import get_engine

    get_engine.cache_clear()
    yield url
    get_engine.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the per-test database."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the per-test database; the test decides when to commit."""
    s = session_factory(engine)()
    yield s
    s.rollback()
    s.close()
