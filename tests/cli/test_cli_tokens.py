"""`trustdesk tokens create/list/revoke`: a token made on the command line opens the API, until revoked."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from trustdesk.api.app import create_app
from trustdesk.cli.main import app
from trustdesk.store.db import get_engine

runner = CliRunner()


def test_cli_tokens_create_list_revoke(db_url):
    made = runner.invoke(app, ["users", "create", "--role", "viewer", "--email", "vic@example.com", "--password",
                               "correct horse battery"])  # fmt: skip
    assert made.exit_code == 0, made.output
    created = runner.invoke(app, ["tokens", "create", "--email", "vic@example.com", "--name", "reports"])
    assert created.exit_code == 0, created.output
    plaintext = created.stdout.strip().splitlines()[-1]
    assert plaintext.startswith("td_")
    listed = runner.invoke(app, ["tokens", "list", "--email", "vic@example.com"])
    assert "reports" in listed.stdout and plaintext not in listed.stdout
    token_id = listed.stdout.split()[0]
    with TestClient(create_app(engine=get_engine())) as client:
        headers = {"Authorization": f"Bearer {plaintext}"}
        assert client.get("/api/v1/conversations", headers=headers).status_code == 200
        assert runner.invoke(app, ["tokens", "revoke", token_id]).exit_code == 0
        assert client.get("/api/v1/conversations", headers=headers).status_code == 401
    assert runner.invoke(app, ["tokens", "revoke", "99999"]).exit_code == 1
    assert runner.invoke(app, ["tokens", "create", "--email", "nobody@example.com"]).exit_code == 1


def test_cli_tokens_create_in_a_fresh_process(db_url):
    """Only the CLI's own imports are loaded there: every model must still be mapped (regression)."""
    import os
    import subprocess
    import sys

    made = runner.invoke(app, ["users", "create", "--role", "lead", "--email", "jess@example.com", "--password",
                               "correct horse battery"])  # fmt: skip
    assert made.exit_code == 0, made.output
    env = {**os.environ, "TRUSTDESK_DATABASE_URL": db_url}
    done = subprocess.run(
        [sys.executable, "-m", "trustdesk.cli.main", "tokens", "create", "--email", "jess@example.com"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1].startswith("td_")
