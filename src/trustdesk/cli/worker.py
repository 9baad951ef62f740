"""``trustdesk worker`` and ``trustdesk analyze-pending``: background work outside the web server."""

from __future__ import annotations

from typing import Annotated

import typer

from trustdesk.cli._common import migrated_engine


def worker(
    processes: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    threads: Annotated[int, typer.Option(help="Threads per process.")] = 2,
) -> None:
    """Run Dramatiq workers on Redis (TRUSTDESK_QUEUE=redis) for analysis and other queued jobs."""
    import os
    import sys

    argv = ["dramatiq", "trustdesk.worker.tasks", "--processes", str(processes), "--threads", str(threads)]
    os.execvp(sys.executable, [sys.executable, "-m", *argv])  # noqa: S606 - replaces this process on purpose


def analyze_pending() -> None:
    """Analyse every message still waiting for analysis, here and now."""
    from trustdesk.worker.analysis import analyze_all_pending

    engine = migrated_engine()
    typer.echo(f"analysed {analyze_all_pending(engine=engine)} messages")


def register(app: typer.Typer) -> None:
    """Add ``worker`` and ``analyze-pending``."""
    app.command("worker")(worker)
    app.command("analyze-pending")(analyze_pending)
