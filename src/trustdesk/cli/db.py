"""``trustdesk db``: apply and inspect schema migrations."""

from __future__ import annotations

import typer

db_app = typer.Typer(help="Database schema: migrate and inspect.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Target revision (default: the newest).")) -> None:
    """Apply migrations (creates the SQLite file on first use)."""
    from trustdesk.store import migrate
    from trustdesk.store.db import get_engine

    engine = get_engine()
    migrate.upgrade(engine, revision)
    typer.echo(
        f"database at {migrate.current_revision(engine)}: {engine.url.render_as_string(hide_password=True)}"
    )


@db_app.command("current")
def current() -> None:
    """Print the schema revision of the database and the one this code needs."""
    from trustdesk.store import migrate
    from trustdesk.store.db import get_engine

    engine = get_engine()
    typer.echo(f"current: {migrate.current_revision(engine) or 'none'}  head: {migrate.head_revision()}")


def register(app: typer.Typer) -> None:
    """Add ``trustdesk db ...``."""
    app.add_typer(db_app, name="db")
