"""``trustdesk users``: create the first admin and other team members from the command line."""

from __future__ import annotations

import typer

from trustdesk.cli._common import migrated_engine

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
    from trustdesk.store.db import unit_of_work
    from trustdesk.team.users import UserError, create_user

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    engine = migrated_engine()
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


tokens_app = typer.Typer(help="API tokens: create (shown once), list, revoke.", no_args_is_help=True)


@tokens_app.command("create")
def token_create(
    email: str = typer.Option(..., "--email", help="The user the token acts as."),
    name: str = typer.Option("cli", "--name", help="What the token is for."),
) -> None:
    """Create an API token for a user; the token is printed once and only its hash is kept."""
    from sqlalchemy import select

    from trustdesk.store.db import unit_of_work
    from trustdesk.team.models import User
    from trustdesk.team.tokens import create_token

    with unit_of_work(migrated_engine()) as session:
        user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
        if user is None:
            typer.echo(f"error: no user {email!r}", err=True)
            raise typer.Exit(code=1)
        token, plaintext = create_token(session=session, user_id=user.id, name=name)
        typer.echo(f"token {token.id} for {user.email} ({name}); it is shown only now:")
        typer.echo(plaintext)


@tokens_app.command("list")
def token_list(email: str = typer.Option(..., "--email", help="Whose tokens.")) -> None:
    """List a user's tokens (prefix, name, last use; never the secret)."""
    from sqlalchemy import select

    from trustdesk.store.db import unit_of_work
    from trustdesk.team.models import User
    from trustdesk.team.tokens import list_tokens

    with unit_of_work(migrated_engine()) as session:
        user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
        for token in list_tokens(session=session, user_id=user.id) if user else []:
            state = "revoked" if token.revoked_at else f"last used {token.last_used_at or 'never'}"
            typer.echo(f"{token.id:>5}  {token.prefix}…  {token.name:20} {state}")


@tokens_app.command("revoke")
def token_revoke(token_id: int) -> None:
    """Revoke a token at once."""
    from trustdesk.store.db import unit_of_work
    from trustdesk.team.tokens import TokenError, revoke_token

    try:
        with unit_of_work(migrated_engine()) as session:
            revoke_token(session=session, token_id=token_id)
    except TokenError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"token {token_id} revoked")


def register(app: typer.Typer) -> None:
    """Add ``trustdesk users ...`` and ``trustdesk tokens ...``."""
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
