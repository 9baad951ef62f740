"""`trustdesk users list|set-role|deactivate|reactivate|reset-password` and `brands list` (issue 13: there
was no way to reactivate a user or reset a password from the command line)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from trustdesk.api.app import create_app
from trustdesk.cli.main import app
from trustdesk.store.db import get_engine

runner = CliRunner()
PASSWORD = "correct horse battery"


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _users() -> dict[str, dict]:  # type: ignore[type-arg]
    return {u["email"]: u for u in map(json.loads, _ok("users", "list", "--json").splitlines())}


def test_cli_users_and_brands_manage_the_team(db_url: str) -> None:
    _ok("brands", "add", "acme", "--name", "Acme Coffee")
    _ok("brands", "add", "rival", "--name", "Rival Beans")
    _ok("channels", "add", "x", "--kind", "x", "--brand", "acme")
    _ok("users", "create", "--role", "admin", "--email", "owner@example.com", "--password", PASSWORD)
    _ok(
        "users",
        "create",
        "--role",
        "agent",
        "--email",
        "sam@acme.example",
        "--password",
        PASSWORD,
        "--brand",
        "acme",
    )
    users = _users()
    assert users["owner@example.com"]["global"] and users["owner@example.com"]["role"] == "admin"
    assert users["sam@acme.example"]["brands"] == {"acme": "agent"}
    brands = [json.loads(line) for line in _ok("brands", "list", "--json").splitlines()]
    assert [(b["slug"], b["channels"], b["members"]) for b in brands] == [
        ("acme", ["x"], 1),
        ("rival", [], 0),
    ]

    assert json.loads(_ok("users", "set-role", "sam@acme.example", "--role", "lead", "--json"))["brands"] == {
        "acme": "lead"
    }
    both = json.loads(
        _ok("users", "set-role", "sam@acme.example", "--role", "viewer", "--brand", "rival", "--json")
    )
    assert both["brands"] == {"acme": "lead", "rival": "viewer"}

    token = _ok("tokens", "create", "--email", "sam@acme.example").strip().splitlines()[-1]
    with TestClient(create_app(engine=get_engine())) as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/conversations", headers=headers).status_code == 200
        assert json.loads(_ok("users", "deactivate", "sam@acme.example", "--json"))["active"] is False
        assert client.get("/api/v1/conversations", headers=headers).status_code == 401
        assert json.loads(_ok("users", "reactivate", "sam@acme.example", "--json"))["active"] is True
        assert client.get("/api/v1/conversations", headers=headers).status_code == 200
        reset = json.loads(
            _ok("users", "reset-password", "sam@acme.example", "--password", "a brand new one", "--json")
        )
        assert reset["tokens_revoked"] == 1
        assert client.get("/api/v1/conversations", headers=headers).status_code == 401


def test_cli_users_errors_are_clear(db_url: str) -> None:
    missing = runner.invoke(app, ["users", "deactivate", "nobody@example.com"])
    assert missing.exit_code == 1 and "no user" in missing.output
    _ok("users", "create", "--email", "a@example.com", "--password", PASSWORD)
    bad_role = runner.invoke(app, ["users", "set-role", "a@example.com", "--role", "owner"])
    assert bad_role.exit_code == 1 and "team.bad_role" in bad_role.output
    weak = runner.invoke(app, ["users", "reset-password", "a@example.com", "--password", "short"])
    assert weak.exit_code == 1 and "team.weak_password" in weak.output
    no_brand = runner.invoke(
        app, ["users", "create", "--email", "b@example.com", "--password", PASSWORD, "--brand", "nope"]
    )
    assert no_brand.exit_code == 1 and "no brand" in no_brand.output
