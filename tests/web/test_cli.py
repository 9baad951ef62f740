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
