"""``trustdesk serve``: run the desk (API + pages) with uvicorn."""

from __future__ import annotations

import typer


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    demo: bool = typer.Option(
        False,
        "--demo",
        help="Run the Bluebird Coffee demo in its own database (TRUSTDESK_DEMO_DATABASE_URL, default "
        "./trustdesk-demo.db): migrated and loaded first; a database with other data is refused.",
    ),
) -> None:
    """Run the desk. Refuses an un-migrated database (run `trustdesk db upgrade`) unless --demo."""
    import uvicorn

    from trustdesk.settings import get_settings
    from trustdesk.store import migrate
    from trustdesk.store.db import get_engine
    from trustdesk.web.app import create_desk_app
    from trustdesk.web.background import start_background

    engine = get_engine(get_settings().demo_database_url if demo else None)
    logins: list[tuple[str, str]] = []
    password = ""
    if demo:
        from trustdesk.demo.loader import NotADemoDatabase, check_demo_database, load_demo

        migrate.upgrade(engine)
        try:
            check_demo_database(engine)
        except NotADemoDatabase as exc:
            typer.echo(f"error ({exc.code}): {exc}", err=True)
            raise typer.Exit(code=2) from None
        typer.echo(f"demo database: {engine.url.render_as_string(hide_password=True)}")
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
