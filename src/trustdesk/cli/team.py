"""``trustdesk users``: create the first admin and other team members from the command line."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from sqlalchemy import select

from trustdesk.cli._common import migrated_engine

users_app = typer.Typer(
    help="Team members: create, list, roles, (de)activate, reset passwords.", no_args_is_help=True
)


@users_app.command("create")
def create(
    email: str = typer.Option(..., "--email", help="Sign-in e-mail."),
    name: str = typer.Option("", "--name", help="Display name."),
    role: str = typer.Option("agent", "--role", help="admin, lead, agent or viewer."),
    password: str = typer.Option(
        None, "--password", help="Password (10+ characters); prompted for when left out.", show_default=False
    ),
    brand: list[str] = typer.Option(
        [], "--brand", help="Brand slug the user works on (repeat for several); none: a global user."
    ),
) -> None:
    """Create a user (e.g. the first admin: `trustdesk users create --role admin --email you@example.com`).

    Without --brand the user is global: their role holds on every brand, now and later (the owner).
    """
    from trustdesk.store.db import unit_of_work
    from trustdesk.team.users import UserError, create_user

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    engine = migrated_engine()
    try:
        with unit_of_work(engine, write=True) as session:
            brand_ids = [_brand_id(session, slug) for slug in brand] if brand else None
            user = create_user(
                session=session, email=email, name=name, role=role, password=password, actor_kind="cli",
                brand_ids=brand_ids,
            )  # fmt: skip
            user_id, user_email = user.id, user.email
    except UserError as exc:
        typer.echo(f"error ({exc.code}): {exc}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"created user {user_id}: {user_email} ({role})")


def _brand_id(session: Any, slug: str) -> int:
    from trustdesk.inbox.channels import get_brand

    found = get_brand(session=session, slug=slug)
    if found is None:
        typer.echo(f"error: no brand {slug!r} (see `trustdesk brands list`)", err=True)
        raise typer.Exit(code=1)
    return found.id


def _user(session: Any, email: str) -> Any:
    from trustdesk.team.users import get_by_email

    user = get_by_email(session=session, email=email)
    if user is None:
        typer.echo(f"error: no user {email!r}", err=True)
        raise typer.Exit(code=1)
    return user


def _describe(session: Any, user: Any) -> dict[str, Any]:
    from trustdesk.inbox.models import Brand
    from trustdesk.team.access import access_for

    access = access_for(session=session, user=user)
    slugs = {b.id: b.slug for b in session.scalars(select(Brand))}
    return {
        "id": user.id, "email": user.email, "name": user.name, "active": user.is_active,
        "global": access.is_global, "role": user.role if access.is_global else None,
        "brands": {} if access.is_global else {slugs[b]: r for b, r in sorted(access.brand_roles.items())},
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
    }  # fmt: skip


def _emit(item: dict[str, Any], as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
        return
    where = "every brand" if item["global"] else ", ".join(f"{b}: {r}" for b, r in item["brands"].items())
    role = f"{item['role']} on " if item["global"] else ""
    state = "active" if item["active"] else "deactivated"
    typer.echo(f"{item['id']:>5}  {item['email']:32} {item['name'][:24]:24} {state:11} {role}{where}")


@users_app.command("list")
def users_list(as_json: bool = typer.Option(False, "--json", help="One JSON object per line.")) -> None:
    """Every user with their role on each brand (or global), and whether they are active."""
    from trustdesk.store.db import unit_of_work
    from trustdesk.team.users import list_users

    with unit_of_work(migrated_engine()) as session:
        for user in list_users(session=session):
            _emit(_describe(session, user), as_json)


@users_app.command("set-role")
def users_set_role(
    email: str = typer.Argument(..., help="The user's e-mail."),
    role: str = typer.Option(..., "--role", help="admin, lead, agent or viewer."),
    brand: list[str] = typer.Option(
        [], "--brand", help="Only on this brand (repeat); default: every brand of theirs."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the user as JSON."),
) -> None:
    """Change a user's role (on the brands named, adding them; a global user's global role otherwise)."""
    from trustdesk.store.db import unit_of_work
    from trustdesk.team.access import access_for
    from trustdesk.team.users import UserError, update_user

    try:
        with unit_of_work(migrated_engine(), write=True) as session:
            user = _user(session, email)
            access = access_for(session=session, user=user)
            targets: list[int | None] = []
            if brand:
                targets += [_brand_id(session, b) for b in brand]
            else:
                targets += [None] if access.is_global else sorted(access.brand_roles)
            for brand_id in targets:
                update_user(
                    session=session, user=user, actor_id=None, role=role, brand_id=brand_id, actor_kind="cli"
                )
            item = _describe(session, user)
    except UserError as exc:
        typer.echo(f"error ({exc.code}): {exc}", err=True)
        raise typer.Exit(code=1) from None
    _emit(item, as_json)


def _set_active(email: str, active: bool, as_json: bool) -> None:
    from trustdesk.store.db import unit_of_work
    from trustdesk.team.users import update_user

    with unit_of_work(migrated_engine(), write=True) as session:
        user = _user(session, email)
        update_user(session=session, user=user, actor_id=None, is_active=active, actor_kind="cli")
        item = _describe(session, user)
    _emit(item, as_json)


@users_app.command("deactivate")
def users_deactivate(
    email: str = typer.Argument(..., help="The user's e-mail."),
    as_json: bool = typer.Option(False, "--json", help="Print the user as JSON."),
) -> None:
    """Deactivate: sign-in refused, every session ended at once (API tokens stop working too)."""
    _set_active(email, False, as_json)


@users_app.command("reactivate")
def users_reactivate(
    email: str = typer.Argument(..., help="The user's e-mail."),
    as_json: bool = typer.Option(False, "--json", help="Print the user as JSON."),
) -> None:
    """Let a deactivated user sign in again (with their password; reset it if it may be known)."""
    _set_active(email, True, as_json)


@users_app.command("reset-password")
def users_reset_password(
    email: str = typer.Argument(..., help="The user's e-mail."),
    password: str = typer.Option(
        None,
        "--password",
        help="New password (10+ characters); prompted for when left out.",
        show_default=False,
    ),
    keep_tokens: bool = typer.Option(False, "--keep-tokens", help="Keep the user's API tokens working."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Set a new password: every session of the user ends, and their API tokens are revoked (unless kept)."""
    from trustdesk.store.db import unit_of_work
    from trustdesk.team.users import UserError, change_password

    if password is None:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        with unit_of_work(migrated_engine(), write=True) as session:
            user = _user(session, email)
            revoked = change_password(
                session=session, user=user, new_password=password, revoke_tokens=not keep_tokens
            )
            item = {**_describe(session, user), "tokens_revoked": revoked}
    except UserError as exc:
        typer.echo(f"error ({exc.code}): {exc}", err=True)
        raise typer.Exit(code=1) from None
    if as_json:
        _emit(item, True)
    else:
        typer.echo(f"password of {item['email']} reset; sessions ended; {revoked} API token(s) revoked")


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
