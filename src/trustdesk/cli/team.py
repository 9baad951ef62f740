"""CLI commands of trustdesk.team (registered by trustdesk.cli.main)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
