"""The ``trustdesk`` command: a thin Typer layer over the capability packages."""

from __future__ import annotations

import typer

from trustdesk.cli import collect, db, knowledge, respond, team, understand, web, worker

app = typer.Typer(
    name="trustdesk",
    help="trustdesk — answer every public comment and review, fast, personally and consistently.",
    no_args_is_help=True,
    add_completion=False,
)

for _module in (db, collect, understand, respond, knowledge, team, web, worker):
    _module.register(app)

if __name__ == "__main__":  # pragma: no cover
    app()
