"""Helpers shared by the desk's views: rendering with the viewer, brand-checked lookups, redirects."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustdesk.inbox.models import Brand, Conversation
from trustdesk.publish.models import OutboxItem, Reply
from trustdesk.team.access import NotVisible, Viewer
from trustdesk.web.deps import chosen_brand, web_state
from trustdesk.web.render import page_context


def render(
    request: Request,
    template: str,
    *,
    viewer: Viewer | None,
    session: Session | None = None,
    status_code: int = 200,
    **values: Any,
) -> Response:
    """Render ``template`` with the viewer, CSRF token and navigation counts."""
    counts: dict[str, int] = {}
    switcher: list[Brand] = []
    if viewer is not None and session is not None and not request.headers.get("hx-request"):
        counts = nav_counts(session=session, viewer=viewer)
        if len(viewer.brand_roles) > 1:
            switcher = list(
                session.scalars(select(Brand).where(Brand.id.in_(viewer.brand_ids)).order_by(Brand.name))
            )
    context = page_context(
        viewer=viewer, csrf=viewer.csrf if viewer else values.pop("csrf", ""), counts=counts,
        switcher=switcher, current_brand=chosen_brand(request, viewer) if viewer else None,
        here=request.url.path, **values,
    )  # fmt: skip
    return web_state(request).templates.TemplateResponse(request, template, context, status_code=status_code)


def nav_counts(*, session: Session, viewer: Viewer) -> dict[str, int]:
    """Badges in the navigation: replies awaiting approval and replies to post by hand."""
    brands = viewer.brand_ids
    pending = session.scalar(
        select(func.count()).select_from(Reply).where(Reply.brand_id.in_(brands), Reply.status == "pending")
    )
    manual = session.scalar(
        select(func.count())
        .select_from(OutboxItem)
        .where(OutboxItem.brand_id.in_(brands), OutboxItem.status.in_(("manual", "failed")))
    )
    return {"approvals": pending or 0, "outbox": manual or 0}


def conversation_for(
    *, session: Session, viewer: Viewer, conversation_id: int, permission: str
) -> Conversation:
    """The conversation if the viewer holds ``permission`` on its brand (else 404 / 403)."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotVisible(f"no conversation {conversation_id}")
    viewer.require(permission, conversation.brand_id)
    return conversation


def see_other(url: str, request: Request) -> Response:
    """Redirect after a POST (htmx follows HX-Redirect, a browser follows 303)."""
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def safe_next(value: str | None) -> str:
    """Only same-site relative paths are followed after sign-in (no open redirects)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/inbox"
