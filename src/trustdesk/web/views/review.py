"""Approvals (approve, edit-and-approve, send back) and the outbox (manual posting)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from trustdesk.api.params import IdPath
from trustdesk.inbox.models import Channel, Conversation, Message
from trustdesk.publish.models import OutboxItem, Reply
from trustdesk.publish.outbox import mark_posted
from trustdesk.team.access import NotVisible, Viewer
from trustdesk.team.approvals import ApprovalError, approve, pending_replies, send_back
from trustdesk.team.models import User
from trustdesk.web.deps import CurrentViewer, DbSession
from trustdesk.web.views._common import render, see_other

router = APIRouter()


def _reply_for(session: DbSession, viewer: Viewer, reply_id: int, permission: str) -> Reply:
    reply = session.get(Reply, reply_id)
    if reply is None:
        raise NotVisible(f"no reply {reply_id}")
    viewer.require(permission, reply.brand_id)
    return reply


def _queue(
    request: Request, session: DbSession, viewer: Viewer, error: str = "", status_code: int = 200
) -> Response:
    replies = pending_replies(session=session, brand_ids=viewer.brands_with("reply.approve"))
    conversations = {
        c.id: c
        for c in session.scalars(
            select(Conversation).where(Conversation.id.in_({r.conversation_id for r in replies}))
        )
    }
    messages = {
        m.id: m
        for m in session.scalars(
            select(Message).where(Message.id.in_({r.in_reply_to_id for r in replies if r.in_reply_to_id}))
        )
    }
    users = {u.id: u for u in session.scalars(select(User))}
    return render(
        request, "approvals/queue.html", viewer=viewer, session=session, replies=replies,
        conversations=conversations, messages=messages, users=users, error=error, status_code=status_code,
    )  # fmt: skip


@router.get("/approvals")
def approvals(request: Request, session: DbSession, viewer: CurrentViewer) -> Response:
    """Replies waiting for a lead."""
    return _queue(request, session, viewer)


@router.post("/replies/{reply_id}/approve")
def approve_reply(
    request: Request, session: DbSession, viewer: CurrentViewer, reply_id: IdPath, text: str = Form("")
) -> Response:
    """Approve as is, or with the edited text."""
    reply = _reply_for(session, viewer, reply_id, "reply.approve")
    try:
        approve(
            session=session, reply=reply, approver=viewer.user, role=viewer.role_on(reply.brand_id) or "",
            text=text if text.strip() else None,
        )  # fmt: skip
    except ApprovalError as exc:
        return _queue(request, session, viewer, error=str(exc), status_code=409)
    return see_other("/approvals", request)


@router.post("/replies/{reply_id}/return")
def return_reply(
    request: Request, session: DbSession, viewer: CurrentViewer, reply_id: IdPath, comment: str = Form("")
) -> Response:
    """Send back to the author with a comment."""
    reply = _reply_for(session, viewer, reply_id, "reply.approve")
    try:
        send_back(
            session=session,
            reply=reply,
            approver=viewer.user,
            role=viewer.role_on(reply.brand_id) or "",
            comment=comment,
        )
    except ApprovalError as exc:
        return _queue(request, session, viewer, error=str(exc), status_code=400)
    return see_other("/approvals", request)


@router.get("/outbox")
def outbox(request: Request, session: DbSession, viewer: CurrentViewer) -> Response:
    """Approved replies waiting to be posted; manual channels show the text to copy."""
    items = list(
        session.scalars(
            select(OutboxItem)
            .where(OutboxItem.brand_id.in_(viewer.brand_ids))
            .order_by(OutboxItem.status != "manual", OutboxItem.id.desc())
            .limit(200)
        )
    )
    replies = {
        r.id: r for r in session.scalars(select(Reply).where(Reply.id.in_([i.reply_id for i in items])))
    }
    channels = {
        c.id: c for c in session.scalars(select(Channel).where(Channel.id.in_({i.channel_id for i in items})))
    }
    conversations = {
        c.id: c
        for c in session.scalars(
            select(Conversation).where(Conversation.id.in_({r.conversation_id for r in replies.values()}))
        )
    }
    # Link straight to the review or comment being answered when the platform gave us its URL.
    sources = {
        m.id: m.url
        for m in session.scalars(
            select(Message).where(
                Message.id.in_({r.in_reply_to_id for r in replies.values() if r.in_reply_to_id})
            )
        )
    }
    return render(
        request, "publish/outbox.html", viewer=viewer, session=session, items=items, replies=replies,
        channels=channels, conversations=conversations, sources=sources,
    )  # fmt: skip


@router.post("/outbox/{item_id}/posted")
def posted(request: Request, session: DbSession, viewer: CurrentViewer, item_id: IdPath) -> Response:
    """A person posted the text on the platform: record it (a second click changes nothing)."""
    item = session.get(OutboxItem, item_id)
    if item is None:
        raise NotVisible(f"no outbox item {item_id}")
    viewer.require("reply.post", item.brand_id)
    message = mark_posted(session=session, item=item, user_id=viewer.id)
    back = request.headers.get("hx-current-url", "")
    if "/c/" in back:
        return see_other(f"/c/{message.conversation_id}#replies", request)
    return see_other("/outbox", request)
