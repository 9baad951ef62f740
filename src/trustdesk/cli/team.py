"""``trustdesk users``: create the first admin and other team members from the command line."""

from __future__ import annotations

import typer

users_app = typer.Typer(help="Team members: create users.", no_args_is_help=True)


@users_app.command("create")
def create(
    email: str = typer.Option(..., "--email", help="Sign-in e-mail."),
    name: str = typer.Option("", "--name", help="Display name."),
    role: str = typer.Option("agent", "--role", help="admin, lead, agent or viewer."),
    password: str = typer.Option(
        None, "--password", help="Password (10+ characters); prompted for when left out.", show_default=False
    ),
) -> None:
    """Create a user (e.g. the first admin: `trustdesk users create --role admin --email you@example.com`)."""
    from trustdesk.store import migrate
    from trustdesk.store.db import get_engine, unit_of_work
    from trustdesk.team.users import UserError, create_user

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    engine = get_engine()
    try:
        migrate.ensure_migrated(engine)
    except migrate.DatabaseNotMigrated as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=2) from None
    try:
        with unit_of_work(engine) as session:
            user = create_user(
                session=session, email=email, name=name, role=role, password=password, actor_kind="cli"
            )
            user_id, user_email = user.id, user.email
    except UserError as exc:
        typer.echo(f"error ({exc.code}): {exc}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"created user {user_id}: {user_email} ({role})")


def register(app: typer.Typer) -> None:
    """Add ``trustdesk users ...``."""
    app.add_typer(users_app, name="users")
