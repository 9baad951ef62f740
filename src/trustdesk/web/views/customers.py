"""Customers: confirm or dismiss a "maybe the same person" suggestion, merge and undo a merge (audited)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from trustdesk.api.params import IdPath
from trustdesk.inbox.identity import MergeError, dismiss_suggestion, merge_customers, unmerge_customer
from trustdesk.inbox.models import Conversation, Customer, CustomerSuggestion
from trustdesk.store.base import parse_id
from trustdesk.team.access import NotVisible, Viewer
from trustdesk.web.deps import CurrentViewer, DbSession
from trustdesk.web.views._common import see_other

router = APIRouter()


def _customer(session: DbSession, viewer: Viewer, customer_id: int | None) -> Customer:
    customer = session.get(Customer, customer_id) if customer_id else None
    if customer is None:
        raise NotVisible(f"no customer {customer_id}")
    viewer.require("conversation.work", customer.brand_id)
    return customer


def _back(session: DbSession, request: Request, customer_id: int) -> Response:
    # Back to the conversation the agent came from, else the customer's newest one.
    referer = request.headers.get("referer", "")
    if "/c/" in referer:
        return see_other("/c/" + referer.rsplit("/c/", 1)[1].split("#")[0].split("?")[0], request)
    newest = session.scalar(
        select(Conversation.id)
        .where(Conversation.customer_id == customer_id)
        .order_by(Conversation.id.desc())
    )
    return see_other(f"/c/{newest}" if newest else "/inbox", request)


@router.post("/customers/{customer_id}/merge")
def merge(
    request: Request, session: DbSession, viewer: CurrentViewer, customer_id: IdPath, other: str = Form("")
) -> Response:
    """ "Same person": the other customer is merged into this one (the older one survives)."""
    this = _customer(session, viewer, customer_id)
    if parse_id(other) is None:
        raise MergeError("say which customer is the same person", status=400)
    that = _customer(session, viewer, parse_id(other))
    survivor, merged = sorted((this, that), key=lambda c: c.id)
    merge_customers(session=session, survivor_id=survivor.id, merged_id=merged.id, actor_id=viewer.id)
    return _back(session, request, survivor.id)


@router.post("/customers/{customer_id}/unmerge")
def unmerge(request: Request, session: DbSession, viewer: CurrentViewer, customer_id: IdPath) -> Response:
    """Take a merged customer back out, with the identities and conversations that came with them."""
    merged = _customer(session, viewer, customer_id)
    unmerge_customer(session=session, merged_id=merged.id, actor_id=viewer.id)
    return _back(session, request, merged.id)


@router.post("/suggestions/{suggestion_id}/dismiss")
def dismiss(request: Request, session: DbSession, viewer: CurrentViewer, suggestion_id: IdPath) -> Response:
    """ "Not the same person"."""
    suggestion = session.get(CustomerSuggestion, suggestion_id)
    if suggestion is None:
        raise NotVisible(f"no suggestion {suggestion_id}")
    viewer.require("conversation.work", suggestion.brand_id)
    dismiss_suggestion(session=session, suggestion_id=suggestion.id, actor_id=viewer.id)
    return _back(session, request, suggestion.customer_id)
