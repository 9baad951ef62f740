"""``trustdesk serve``: run the desk (API + pages) with uvicorn, in one process or several."""

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
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        envvar="TRUSTDESK_WORKERS",
        help="Worker processes (about one per core); the background jobs run once, in the supervisor.",
    ),
    proxy_headers: bool | None = typer.Option(
        None,
        "--proxy-headers/--no-proxy-headers",
        help="Believe X-Forwarded-For / -Proto from the trusted proxies (default: on for "
        "TRUSTDESK_TRUSTED_PROXIES, 127.0.0.1 and ::1); --no-proxy-headers believes no one.",
    ),
    forwarded_allow_ips: str | None = typer.Option(
        None,
        "--forwarded-allow-ips",
        help="Comma-separated proxy addresses whose X-Forwarded-* headers are believed "
        "(overrides TRUSTDESK_TRUSTED_PROXIES; '*' trusts any — only when nothing else can reach the port).",
    ),
) -> None:
    """Run the desk. Refuses an un-migrated database (run `trustdesk db upgrade`) unless --demo."""
    from trustdesk.settings import get_settings
    from trustdesk.store import migrate
    from trustdesk.store.db import get_engine
    from trustdesk.web.serving import ServeOptions
    from trustdesk.web.serving import serve as run

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
    url = f"http://{host}:{port}/"
    typer.echo(f"trustdesk is running at {url}  (sign in at {url}login)")
    if logins:
        typer.echo(f"demo sign-ins (password {password!r}):")
        for email, role in logins:
            typer.echo(f"  {email:28} {role}")
    trusted = None if proxy_headers is None and forwarded_allow_ips is None else ""
    if proxy_headers is not False and forwarded_allow_ips is not None:
        trusted = forwarded_allow_ips
    elif proxy_headers:
        trusted = get_settings().trusted_proxies or "127.0.0.1,::1"
    run(engine, ServeOptions(host=host, port=port, workers=workers, trusted_proxies=trusted))


def register(app: typer.Typer) -> None:
    """Add ``trustdesk serve``."""
    app.command("serve")(serve)
