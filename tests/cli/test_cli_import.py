"""`trustdesk db upgrade`, `brands/channels add` and `trustdesk import` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from trustdesk.cli.main import app
from trustdesk.inbox.models import Message
from trustdesk.settings import get_settings
from trustdesk.store.db import get_engine, session_factory

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def shop(db_url: str) -> str:
    assert run("brands", "add", "bluebird", "--name", "Bluebird Coffee Co.")[0] == 0
    code, out, _ = run("channels", "add", "google-canal-street", "--kind", "google_business")
    assert code == 0, out
    return db_url


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_bytes("\n".join(lines).encode("utf-8") + b"\n")
    return path


def test_cli_import_json_summary_is_the_last_stdout_line(shop, tmp_path):
    lines = [
        json.dumps(
            {"id": "r1", "text": "Cold oat latte at Canal Street", "rating": 2, "author": "Maria Lopez"}
        ),
        "{not json",
        json.dumps(
            {"id": "r2", "text": "Priya was lovely", "rating": 5, "created_at": "2026-11-01T10:00:00"}
        ),
        json.dumps({"text": "no id here"}),
        json.dumps(
            {"id": "r1", "text": "Cold oat latte at Canal Street", "rating": 2, "author": "Maria Lopez"}
        ),
    ]
    code, out, err = run(
        "import",
        str(write_jsonl(tmp_path / "reviews.jsonl", lines)),
        "--channel",
        "google-canal-street",
        "--json",
        "--no-analyze",
    )
    assert code == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert set(summary) == {"new", "updated", "duplicates", "rejected"}
    assert (summary["new"], summary["updated"], summary["duplicates"]) == (2, 0, 1)
    assert [r["line"] for r in summary["rejected"]] == [2, 4]
    assert all(r["reason"] for r in summary["rejected"])

    # Importing the same file again changes nothing: every valid line is a duplicate.
    code, out, _ = run(
        "import",
        str(tmp_path / "reviews.jsonl"),
        "--channel",
        "google-canal-street",
        "--json",
        "--no-analyze",
    )
    again = json.loads(out.strip().splitlines()[-1])
    assert (again["new"], again["duplicates"]) == (0, 3)
    with session_factory(get_engine())() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 2


def test_cli_import_human_summary_lists_rejected_lines(shop, tmp_path):
    path = write_jsonl(tmp_path / "x.jsonl", [json.dumps({"id": "a", "text": "fine"}), "[1, 2"])
    code, out, _ = run("import", str(path), "--channel", "google-canal-street", "--no-analyze")
    assert code == 0
    assert "1 new" in out and "1 rejected" in out and "line 2:" in out


def test_cli_import_reports_timestamps_taken_as_utc(shop, tmp_path):
    path = write_jsonl(
        tmp_path / "x.jsonl", [json.dumps({"id": "a", "text": "fine", "created_at": "2026-11-01T10:00:00"})]
    )
    code, out, _ = run("import", str(path), "--channel", "google-canal-street", "--no-analyze")
    assert code == 0
    assert "1 stored with a note" in out and "UTC" in out


def test_cli_import_unknown_channel_fails_clearly(shop, tmp_path):
    path = write_jsonl(tmp_path / "x.jsonl", [json.dumps({"id": "a", "text": "fine"})])
    code, _, err = run("import", str(path), "--channel", "yelp")
    assert code == 2
    assert "No channel named 'yelp'" in err and "google-canal-street" in err


def test_cli_import_refuses_an_unmigrated_database(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    get_engine.cache_clear()
    path = write_jsonl(tmp_path / "x.jsonl", [json.dumps({"id": "a", "text": "fine"})])
    code, _, err = run("import", str(path), "--channel", "x")
    assert code == 2
    assert "trustdesk db upgrade" in err
    code, out, _ = run("db", "upgrade")
    assert code == 0 and "database at" in out
    get_settings.cache_clear()
    get_engine.cache_clear()


def test_cli_analyze_pending_refuses_an_unmigrated_database_clearly(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    get_engine.cache_clear()
    code, _, err = run("analyze-pending")
    get_settings.cache_clear()
    get_engine.cache_clear()
    assert code == 2 and "trustdesk db upgrade" in err
