"""`trustdesk serve` refuses an un-migrated database; `trustdesk users create` makes the first admin."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from trustdesk.cli.main import app
from trustdesk.settings import get_settings
from trustdesk.store.db import get_engine, make_engine, unit_of_work
from trustdesk.team.auth import verify_password
from trustdesk.team.models import User


def test_cli_serve_refuses_unmigrated_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    get_engine.cache_clear()
    result = CliRunner().invoke(app, ["serve", "--port", "1"])
    get_engine.cache_clear()
    get_settings.cache_clear()
    assert result.exit_code == 2
    assert "Run `trustdesk db upgrade` first" in result.output


def test_cli_users_create_admin(db_url: str) -> None:
    result = CliRunner().invoke(
        app,
        [
            "users",
            "create",
            "--role",
            "admin",
            "--email",
            "Ada@Example.com",
            "--name",
            "Ada",
            "--password",
            "a-long-password",
        ],
    )
    assert result.exit_code == 0, result.output
    engine = make_engine(db_url)
    with unit_of_work(engine) as s:
        user = s.scalars(select(User).where(User.email == "ada@example.com")).one()
        assert user.role == "admin" and verify_password(user.password_hash, "a-long-password")
    again = CliRunner().invoke(
        app,
        ["users", "create", "--role", "admin", "--email", "ada@example.com", "--password", "a-long-password"],
    )
    assert again.exit_code == 1 and "team.email_taken" in again.output


def test_cli_users_create_prompts_for_password(db_url: str) -> None:
    result = CliRunner().invoke(
        app, ["users", "create", "--email", "sam@example.com"], input="another-password\nanother-password\n"
    )
    assert result.exit_code == 0, result.output
    weak = CliRunner().invoke(app, ["users", "create", "--email", "x@example.com", "--password", "short"])
    assert weak.exit_code == 1 and "team.weak_password" in weak.output


def test_cli_serve_demo_never_writes_into_a_real_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``serve --demo`` added a brand and an admin with the README's password to the configured database."""
    from trustdesk.store import migrate
    from trustdesk.team.users import create_user

    real = tmp_path / "real.db"
    engine = make_engine(f"sqlite:///{real}")
    migrate.upgrade(engine)
    with unit_of_work(engine) as s:
        create_user(
            session=s, email="owner@acme.example", name="Owner", role="admin", password="a-long-password"
        )
    monkeypatch.setenv("TRUSTDESK_DATABASE_URL", f"sqlite:///{real}")
    monkeypatch.setenv("TRUSTDESK_DEMO_DATABASE_URL", f"sqlite:///{real}")  # pointed at it by mistake
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        refused = CliRunner().invoke(app, ["serve", "--demo", "--port", "1"])
        assert refused.exit_code == 2 and "demo.not_a_demo_database" in refused.output
        with unit_of_work(engine) as s:
            assert [u.email for u in s.scalars(select(User))] == ["owner@acme.example"]
        # by default the demo uses a file of its own, whatever TRUSTDESK_DATABASE_URL says
        monkeypatch.delenv("TRUSTDESK_DEMO_DATABASE_URL")
        monkeypatch.chdir(tmp_path)
        get_settings.cache_clear()
        assert get_settings().demo_database_url.endswith("trustdesk-demo.db")
        assert get_settings().demo_database_url != get_settings().database_url
    finally:
        get_engine.cache_clear()
        get_settings.cache_clear()
        engine.dispose()
