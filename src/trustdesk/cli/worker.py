"""``trustdesk worker`` and ``trustdesk analyze-pending``: background work outside the web server."""

from __future__ import annotations

from typing import Annotated

import typer


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
    from trustdesk.store.db import get_engine
    from trustdesk.store.migrate import ensure_migrated
    from trustdesk.worker.analysis import analyze_all_pending

    engine = get_engine()
    ensure_migrated(engine)
    typer.echo(f"analysed {analyze_all_pending(engine=engine)} messages")


def register(app: typer.Typer) -> None:
    """Add ``worker`` and ``analyze-pending``."""
    app.command("worker")(worker)
    app.command("analyze-pending")(analyze_pending)
