"""Team and settings: users and roles, the playbook editor (validated), SLA targets, the audit log."""

from __future__ import annotations

import hashlib

import yaml
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from trustdesk.api.params import IdPath
from trustdesk.inbox.models import Brand
from trustdesk.respond.playbook import PLAYBOOK_DIR, PlaybookError, parse_playbook_text
from trustdesk.store.base import parse_id
from trustdesk.team import audit
from trustdesk.team.access import Forbidden, NotVisible, Viewer
from trustdesk.team.models import ROLES, AuditEvent, User
from trustdesk.team.users import UserError, create_user, managed_user, set_role, team_of, update_user
from trustdesk.web.deps import CurrentViewer, DbSession, chosen_brand
from trustdesk.web.views._common import render, see_other

router = APIRouter()


def _brand(
    session: Session, viewer: Viewer, permission: str, brand_id: str | None, request: Request | None = None
) -> Brand:
    """The brand a settings page is about: asked for, else the switcher's, else the first one allowed."""
    allowed = viewer.brands_with(permission)
    picked = chosen_brand(request, viewer) if request is not None else None
    chosen = (
        parse_id(brand_id)
        if brand_id
        else (picked if picked in allowed else (allowed[0] if allowed else None))
    )
    if chosen is None or chosen not in allowed:
        raise NotVisible("no such brand")
    return session.get_one(Brand, chosen)


@router.get("/settings/team")
def team(request: Request, session: DbSession, viewer: CurrentViewer) -> Response:
    """Users, their roles and brand memberships."""
    return _team(request, session, viewer)


def _team(
    request: Request, session: Session, viewer: Viewer, error: str = "", status_code: int = 200
) -> Response:
    people = team_of(session=session, admin=viewer)
    brands = {b.id: b for b in session.scalars(select(Brand).where(Brand.id.in_(viewer.brand_ids)))}
    return render(
        request, "settings/team.html", viewer=viewer, session=session, people=people, brands=brands,
        roles=ROLES, error=error, status_code=status_code,
    )  # fmt: skip


@router.post("/settings/team")
def add_user(
    request: Request,
    session: DbSession,
    viewer: CurrentViewer,
    email: str = Form(""),
    name: str = Form(""),
    role: str = Form("agent"),
    password: str = Form(""),
) -> Response:
    """Invite a team member to the brands this admin manages, with a first password."""
    try:
        create_user(
            session=session, email=email, name=name, role=role, password=password, actor_id=viewer.id,
            actor_kind="user", brand_ids=None if viewer.is_global else viewer.brands_with("team.manage"),
        )  # fmt: skip
    except UserError as exc:
        return _team(request, session, viewer, error=str(exc), status_code=400)
    return see_other("/settings/team", request)


@router.post("/settings/team/{user_id}")
def change_user(
    request: Request,
    session: DbSession,
    viewer: CurrentViewer,
    user_id: IdPath,
    role: str = Form(""),
    active: str = Form(""),
) -> Response:
    """Change a role or (de)activate a user whose every brand this admin manages."""
    try:
        target = managed_user(session=session, admin=viewer, user_id=user_id)
        if role:
            set_role(session=session, target=target, role=role, actor_id=viewer.id)
        if active in ("0", "1"):
            update_user(session=session, user=target.user, actor_id=viewer.id, is_active=active == "1")
    except UserError as exc:
        if exc.code == "team.user_not_found":
            raise NotVisible(str(exc)) from None
        if exc.code == "team.not_yours":
            raise Forbidden(str(exc)) from None
        return _team(request, session, viewer, error=str(exc), status_code=400)
    return see_other("/settings/team", request)


def _current_playbook_text(brand: Brand) -> str:
    custom = (brand.settings or {}).get("playbook_yaml")
    if isinstance(custom, str):
        return custom
    name = (brand.settings or {}).get("playbook") or (
        brand.slug if (PLAYBOOK_DIR / f"{brand.slug}.yaml").exists() else "default"
    )
    path = PLAYBOOK_DIR / f"{name}.yaml"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def validate_playbook_text(text: str) -> list[tuple[str, str]]:
    """Every problem of a playbook given as YAML text (empty: valid), via respond.load_playbook."""
    try:
        parse_playbook_text(text, source="playbook")
    except PlaybookError as exc:
        return list(exc.errors)
    return []


@router.get("/settings/playbook")
def playbook(request: Request, session: DbSession, viewer: CurrentViewer) -> Response:
    """The playbook editor."""
    brand = _brand(session, viewer, "playbook.manage", request.query_params.get("brand"), request)
    return render(
        request, "settings/playbook.html", viewer=viewer, session=session, brand=brand,
        text=_current_playbook_text(brand), errors=[], saved=request.query_params.get("saved") == "1",
    )  # fmt: skip


@router.post("/settings/playbook")
def save_playbook(
    request: Request,
    session: DbSession,
    viewer: CurrentViewer,
    text: str = Form(""),
    brand: str = Form(""),
) -> Response:
    """Validate and save; an invalid playbook is shown back with every problem and not saved."""
    target = _brand(session, viewer, "playbook.manage", brand)
    errors = validate_playbook_text(text)
    if errors:
        return render(
            request, "settings/playbook.html", viewer=viewer, session=session, brand=target, text=text,
            errors=errors, saved=False, status_code=400,
        )  # fmt: skip
    target.settings = {**(target.settings or {}), "playbook_yaml": text}
    audit.record(
        session=session, action="playbook.update", entity_type="brand", entity_id=target.id, brand_id=target.id,
        actor_id=viewer.id, actor_kind="user", data={"sha256": hashlib.sha256(text.encode()).hexdigest()},
    )  # fmt: skip
    return see_other(f"/settings/playbook?brand={target.id}&saved=1", request)


@router.get("/settings/sla")
def sla(request: Request, session: DbSession, viewer: CurrentViewer) -> Response:
    """SLA targets, business hours and holidays of a brand."""
    brand = _brand(session, viewer, "sla.manage", request.query_params.get("brand"), request)
    return _sla(request, session, viewer, brand)


def _sla(
    request: Request, session: Session, viewer: Viewer, brand: Brand, error: str = "", text: str | None = None
) -> Response:
    s = brand.settings or {}
    current = {k: s.get(k) for k in ("sla", "business_hours", "holidays") if s.get(k) is not None}
    return render(
        request, "settings/sla.html", viewer=viewer, session=session, brand=brand,
        text=text if text is not None else yaml.safe_dump(current, sort_keys=False, allow_unicode=True),
        error=error, saved=request.query_params.get("saved") == "1", status_code=400 if error else 200,
    )  # fmt: skip


@router.post("/settings/sla")
def save_sla(
    request: Request, session: DbSession, viewer: CurrentViewer, text: str = Form(""), brand: str = Form("")
) -> Response:
    """Save SLA targets / business hours / holidays given as YAML (checked before saving)."""
    target = _brand(session, viewer, "sla.manage", brand)
    try:
        data = yaml.safe_load(text) or {}
        if not isinstance(data, dict) or set(data) - {"sla", "business_hours", "holidays"}:
            raise ValueError("use the keys sla, business_hours and holidays")
        for _kind, entry in (data.get("sla") or {}).items():
            float(entry["first_response_hours"]), float(entry["resolution_hours"])  # noqa: B018 - validates
    except (yaml.YAMLError, ValueError, TypeError, KeyError) as exc:
        return _sla(request, session, viewer, target, error=f"Not saved: {exc}", text=text)
    target.settings = {**(target.settings or {}), **data}
    audit.record(
        session=session, action="sla.update", entity_type="brand", entity_id=target.id, brand_id=target.id,
        actor_id=viewer.id, actor_kind="user", data=data,
    )  # fmt: skip
    return see_other(f"/settings/sla?brand={target.id}&saved=1", request)


@router.get("/audit")
def audit_log(request: Request, session: DbSession, viewer: CurrentViewer) -> Response:
    """The newest audit events of the viewer's brands."""
    brands = viewer.brands_with("audit.read")
    events = list(
        session.scalars(
            select(AuditEvent)
            # Events about no brand (users, tokens) are for admins only: they name people of every brand.
            .where(
                AuditEvent.brand_id.in_(brands) | (AuditEvent.brand_id.is_(None) & viewer.can("team.manage"))
            )
            .order_by(AuditEvent.id.desc())
            .limit(200)
        )
    )
    users = {u.id: u for u in session.scalars(select(User))}
    return render(request, "settings/audit.html", viewer=viewer, session=session, events=events, users=users)


@router.get("/settings/tokens")
def tokens_page(request: Request, session: DbSession, viewer: CurrentViewer) -> Response:
    """Your API tokens (they act as you, with your role)."""
    return _tokens(request, session, viewer)


def _tokens(
    request: Request, session: Session, viewer: Viewer, created: str = "", error: str = ""
) -> Response:
    from trustdesk.team.tokens import list_tokens

    return render(
        request, "settings/tokens.html", viewer=viewer, session=session, nav="tokens",
        tokens=list_tokens(session=session, user_id=viewer.id), created=created, error=error,
    )  # fmt: skip


@router.post("/settings/tokens")
def create_api_token(
    request: Request, session: DbSession, viewer: CurrentViewer, name: str = Form("")
) -> Response:
    """Create a token; its secret is shown once."""
    from trustdesk.team.tokens import TokenError, create_token

    try:
        _, plaintext = create_token(session=session, user_id=viewer.id, name=name.strip()[:200] or "token")
    except TokenError as exc:
        return _tokens(request, session, viewer, error=str(exc))
    return _tokens(request, session, viewer, created=plaintext)


@router.post("/settings/tokens/{token_id}/revoke")
def revoke_api_token(
    request: Request, session: DbSession, viewer: CurrentViewer, token_id: IdPath
) -> Response:
    """Revoke one of your tokens."""
    from trustdesk.team.models import ApiToken
    from trustdesk.team.tokens import revoke_token

    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != viewer.id:
        raise NotVisible(f"no token {token_id}")
    revoke_token(session=session, token_id=token_id, actor_id=viewer.id)
    return see_other("/settings/tokens", request)
