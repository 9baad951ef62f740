"""What every CLI command that touches the database shares."""

from __future__ import annotations

import typer
from sqlalchemy import Engine


def migrated_engine() -> Engine:
    """The configured engine, or exit 2 with the clear message when the database is not migrated."""
    from trustdesk.store import migrate
    from trustdesk.store.db import get_engine

    engine = get_engine()
    try:
        migrate.ensure_migrated(engine)
    except migrate.DatabaseNotMigrated as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    return engine
