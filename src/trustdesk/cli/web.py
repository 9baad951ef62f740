"""``trustdesk serve``: run the desk (API + pages) with uvicorn."""

from __future__ import annotations

import typer


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    demo: bool = typer.Option(
        False, "--demo", help="Migrate and load the Bluebird Coffee demo into an empty database first."
    ),
) -> None:
    """Run the desk. Refuses an un-migrated database (run `trustdesk db upgrade`) unless --demo."""
    import uvicorn

    from trustdesk.store import migrate
    from trustdesk.store.db import get_engine
    from trustdesk.web.app import create_desk_app
    from trustdesk.web.background import start_background

    engine = get_engine()
    logins: list[tuple[str, str]] = []
    password = ""
    if demo:
        from trustdesk.demo.loader import load_demo

        migrate.upgrade(engine)
        summary = load_demo(engine)
        logins, password = summary.users, summary.password
    try:
        migrate.ensure_migrated(engine)
    except migrate.DatabaseNotMigrated as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=2) from None
    app = create_desk_app(engine)
    start_background(app, engine)
    url = f"http://{host}:{port}/"
    typer.echo(f"trustdesk is running at {url}  (sign in at {url}login)")
    if logins:
        typer.echo(f"demo sign-ins (password {password!r}):")
        for email, role in logins:
            typer.echo(f"  {email:28} {role}")
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)


def register(app: typer.Typer) -> None:
    """Add ``trustdesk serve``."""
    app.command("serve")(serve)
