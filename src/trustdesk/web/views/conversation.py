"""One conversation: the thread with analysis, the customer across channels, drafts, checker, notes, actions."""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from trustdesk.api.params import IdPath
from trustdesk.inbox import conversations
from trustdesk.inbox.identity import open_suggestions
from trustdesk.inbox.models import Channel, Conversation, ConversationTag, Customer, Identity
from trustdesk.inbox.query import get_conversation
from trustdesk.publish.models import Note, OutboxItem, Reply
from trustdesk.respond.desk import DraftError, check_for_conversation, draft_for_conversation
from trustdesk.respond.playbook import PlaybookError
from trustdesk.store.base import parse_id, utcnow
from trustdesk.team import audit
from trustdesk.team.access import NotVisible, Viewer, team_for
from trustdesk.team.approvals import ApprovalError, submit_reply
from trustdesk.team.models import User
from trustdesk.team.sla import clock_for
from trustdesk.web.deps import CurrentViewer, DbSession
from trustdesk.web.views._common import conversation_for, render, see_other

router = APIRouter()
log = logging.getLogger(__name__)
MENTION = re.compile(r"@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")
SNOOZE_CHOICES = {
    "1h": timedelta(hours=1),
    "4h": timedelta(hours=4),
    "1d": timedelta(days=1),
    "3d": timedelta(days=3),
}
TAG = re.compile(r"^[\w\-. ]{1,64}$")


def _history(session: Session, conversation: Conversation) -> list[Conversation]:
    """The customer's other conversations on every channel (a merge re-points them to the survivor)."""
    if conversation.customer_id is None:
        return []
    return list(
        session.scalars(
            select(Conversation)
            .where(Conversation.customer_id == conversation.customer_id, Conversation.id != conversation.id)
            # Newest first by id: walks the customer_id index backwards instead of sorting a prolific
            # customer's thousands of conversations by last_message_at.
            .order_by(Conversation.id.desc())
            .limit(20)
        )
    )


def _page(
    request: Request,
    session: Session,
    viewer: Viewer,
    conversation_id: int,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    conv = get_conversation(session=session, conversation_id=conversation_id)
    if conv is None:
        raise NotVisible(f"no conversation {conversation_id}")
    viewer.require("inbox.read", conv.brand_id)
    identities = []
    if conv.customer is not None:
        identities = list(
            session.execute(
                select(Identity, Channel)
                .join(Channel, Channel.id == Identity.channel_id)
                .where(Identity.customer_id == conv.customer.id)
            )
        )
    suggestions = open_suggestions(session=session, customer_id=conv.customer.id) if conv.customer else []
    suggestion_channels: dict[int, list[str]] = {}
    for _, other in suggestions:
        suggestion_channels[other.id] = sorted(
            set(
                session.scalars(
                    select(Channel.display_name)
                    .join(Identity, Identity.channel_id == Channel.id)
                    .where(Identity.customer_id == other.id)
                )
            )
        )
    merged_in = (
        list(session.scalars(select(Customer).where(Customer.merged_into_id == conv.customer.id)))
        if conv.customer
        else []
    )
    replies = list(session.scalars(select(Reply).where(Reply.conversation_id == conv.id).order_by(Reply.id)))
    outbox = {
        o.reply_id: o
        for o in session.scalars(select(OutboxItem).where(OutboxItem.reply_id.in_([r.id for r in replies])))
    }
    notes = list(session.scalars(select(Note).where(Note.conversation_id == conv.id).order_by(Note.id)))
    # Names of anyone who wrote here (even if they left the brand since); assignable people separately.
    users = {u.id: u for u in session.scalars(select(User).order_by(User.name))}
    team = team_for(session=session, brand_ids=[conv.brand_id])
    from trustdesk.inbox.models import Brand

    brand = session.get_one(Brand, conv.brand_id)
    return render(
        request,
        "conversation/conversation.html",
        viewer=viewer,
        session=session,
        conv=conv,
        brand=brand,
        identities=identities,
        history=_history(session, conv),
        replies=replies,
        outbox=outbox,
        notes=notes,
        users=users,
        team=team,
        clock=clock_for(conversation=conv, brand=brand, channel_kind=conv.channel.kind, now=utcnow()),
        can_write=viewer.can("reply.write", conv.brand_id),
        can_work=viewer.can("conversation.work", conv.brand_id),
        can_post=viewer.can("reply.post", conv.brand_id),
        can_hide=viewer.can("conversation.hide", conv.brand_id),
        status_code=status_code,
        snooze_choices=list(SNOOZE_CHOICES),
        suggestions=suggestions,
        suggestion_channels=suggestion_channels,
        merged_in=merged_in,
        # One key per rendered form: a double click or a resent form submits the reply once.
        submit_key=extra.pop("submit_key", None) or secrets.token_urlsafe(24),
        **extra,
    )


@router.get("/c/{conversation_id}")
def conversation_page(
    request: Request, session: DbSession, viewer: CurrentViewer, conversation_id: IdPath
) -> Response:
    """The conversation page."""
    return _page(request, session, viewer, conversation_id)


@router.get("/c/{conversation_id}/thread")
def thread(request: Request, session: DbSession, viewer: CurrentViewer, conversation_id: IdPath) -> Response:
    """Just the thread (live refresh when a message arrives)."""
    conv = get_conversation(session=session, conversation_id=conversation_id)
    if conv is None:
        raise NotVisible(f"no conversation {conversation_id}")
    viewer.require("inbox.read", conv.brand_id)
    return render(request, "conversation/_thread.html", viewer=viewer, conv=conv)


@router.get("/c/{conversation_id}/drafts")
def drafts(request: Request, session: DbSession, viewer: CurrentViewer, conversation_id: IdPath) -> Response:
    """The ranked drafts for the newest customer message (loaded after the page, they take a moment)."""
    conv = conversation_for(
        session=session, viewer=viewer, conversation_id=conversation_id, permission="reply.write"
    )
    role = viewer.role_on(conv.brand_id) or "agent"
    error, options, result = "", [], None
    try:
        result = draft_for_conversation(
            session=session, conversation_id=conv.id, role=role if role != "viewer" else "agent"
        )
        options = [t for t in [result.reply, *result.alternatives] if t]
    except (DraftError, PlaybookError) as exc:
        error = str(exc)
    except Exception:  # a drafter bug must not take the conversation page down with it
        log.exception("drafting failed for conversation %s", conv.id)
        error = "Drafts are unavailable right now; write your own reply."
    return render(
        request,
        "conversation/_drafts.html",
        viewer=viewer,
        conv=conv,
        options=options,
        result=result,
        error=error,
    )


@router.post("/c/{conversation_id}/check")
def check(
    request: Request, session: DbSession, viewer: CurrentViewer, conversation_id: IdPath, text: str = Form("")
) -> Response:
    """The reply checker's findings for the text being typed (htmx, debounced in the page)."""
    conv = conversation_for(
        session=session, viewer=viewer, conversation_id=conversation_id, permission="reply.write"
    )
    role = viewer.role_on(conv.brand_id) or "agent"
    findings, error = [], ""
    if text.strip():
        try:
            findings = check_for_conversation(
                session=session, conversation_id=conv.id, reply=text[:20_000], role=role
            )
        except (DraftError, PlaybookError) as exc:
            error = str(exc)
        except Exception:  # the page keeps working; the approval step checks again on submit
            log.exception("checking failed for conversation %s", conv.id)
            error = "The checker is unavailable right now."
    return render(
        request,
        "conversation/_checker.html",
        viewer=viewer,
        findings=findings,
        error=error,
        empty=not text.strip(),
    )


@router.post("/c/{conversation_id}/replies")
def submit(
    request: Request,
    session: DbSession,
    viewer: CurrentViewer,
    conversation_id: IdPath,
    text: str = Form(""),
    resolve: str = Form(""),
    idempotency_key: str = Form("", max_length=64),
) -> Response:
    """Submit a reply: to the approval queue, or approved to the outbox (once per form)."""
    conv = conversation_for(
        session=session, viewer=viewer, conversation_id=conversation_id, permission="reply.write"
    )
    try:
        submit_reply(
            session=session,
            conversation=conv,
            author=viewer.user,
            role=viewer.role_on(conv.brand_id) or "agent",
            text=text,
            resolve_on_post=resolve == "1",
            idempotency_key=idempotency_key or None,
        )
    except ApprovalError as exc:
        return _page(
            request,
            session,
            viewer,
            conv.id,
            reply_error=str(exc),
            reply_text=text,
            submit_key=idempotency_key,
        )
    return see_other(f"/c/{conv.id}#replies", request)


@router.post("/c/{conversation_id}/notes")
def add_note(
    request: Request, session: DbSession, viewer: CurrentViewer, conversation_id: IdPath, text: str = Form("")
) -> Response:
    """An internal note; @name or @email mentions are resolved to team members."""
    conv = _worked_on(session, viewer, conversation_id)
    text = text.strip()[:10_000]
    if text:
        users = list(session.scalars(select(User).where(User.is_active.is_(True))))
        mentioned: list[int] = []
        for handle in MENTION.findall(text):
            h = handle.lower()
            for u in users:
                if u.email == h or u.email.split("@")[0] == h or u.name.lower().split(" ")[0] == h:
                    mentioned.append(u.id)
        note = Note(conversation_id=conv.id, author_id=viewer.id, text=text, mentions=sorted(set(mentioned)))
        session.add(note)
        session.flush()
        audit.record(
            session=session, action="note.add", entity_type="conversation", entity_id=conv.id, brand_id=conv.brand_id,
            actor_id=viewer.id, actor_kind="user", data={"note_id": note.id, "mentions": note.mentions},
        )  # fmt: skip
    return see_other(f"/c/{conv.id}#notes", request)


def _audit(session: Session, viewer: Viewer, conv: Conversation, action: str, **data: object) -> None:
    audit.record(
        session=session, action=f"conversation.{action}", entity_type="conversation", entity_id=conv.id,
        brand_id=conv.brand_id, actor_id=viewer.id, actor_kind="user", data=dict(data),
    )  # fmt: skip


@router.post("/c/{conversation_id}/assign")
def assign(
    request: Request,
    session: DbSession,
    viewer: CurrentViewer,
    conversation_id: IdPath,
    assignee: str = Form(""),
) -> Response:
    """Assign to a team member (empty: unassign)."""
    conv = _worked_on(session, viewer, conversation_id)
    team = {u.id for u in team_for(session=session, brand_ids=[conv.brand_id])}
    chosen = parse_id(assignee)
    conv.assignee_id = chosen if chosen in team else None
    _audit(session, viewer, conv, "assign", assignee_id=conv.assignee_id)
    return see_other(f"/c/{conv.id}", request)


@router.post("/c/{conversation_id}/tags")
def tags(
    request: Request,
    session: DbSession,
    viewer: CurrentViewer,
    conversation_id: IdPath,
    add: str = Form(""),
    remove: str = Form(""),
) -> Response:
    """Add or remove a tag."""
    conv = _worked_on(session, viewer, conversation_id)
    add, remove = add.strip().lower(), remove.strip().lower()
    if add and TAG.match(add) and add not in {t.tag for t in conv.tags}:
        conv.tags.append(ConversationTag(tag=add))
        _audit(session, viewer, conv, "tag", tag=add)
    if remove:
        conv.tags = [t for t in conv.tags if t.tag != remove]
        _audit(session, viewer, conv, "untag", tag=remove)
    return see_other(f"/c/{conv.id}", request)


@router.post("/c/{conversation_id}/snooze")
def snooze(
    request: Request,
    session: DbSession,
    viewer: CurrentViewer,
    conversation_id: IdPath,
    until: str = Form("4h"),
) -> Response:
    """Hide from the open inbox until later (it comes back by itself)."""
    conv = _worked_on(session, viewer, conversation_id)
    conv.snoozed_until = utcnow() + SNOOZE_CHOICES.get(until, SNOOZE_CHOICES["4h"])
    conv.status = "waiting"
    _audit(session, viewer, conv, "snooze", until=conv.snoozed_until.isoformat())
    return see_other("/inbox", request)


_TRANSITIONS = {
    "resolve": conversations.resolve,
    "reopen": conversations.reopen,
    "spam": conversations.mark_spam,
    "not-spam": conversations.clear_spam,
}


@router.post("/c/{conversation_id}/resolve")
@router.post("/c/{conversation_id}/reopen")
@router.post("/c/{conversation_id}/spam")
@router.post("/c/{conversation_id}/not-spam")
def transition(
    request: Request, session: DbSession, viewer: CurrentViewer, conversation_id: IdPath
) -> Response:
    """Resolve, reopen, mark as spam or clear the mark; hiding a negative needs a lead (409 says why)."""
    conv = _worked_on(session, viewer, conversation_id)
    try:
        _TRANSITIONS[request.url.path.rsplit("/", 1)[1]](session=session, conversation=conv, access=viewer)
    except conversations.ConversationError as exc:
        return _page(request, session, viewer, conv.id, action_error=str(exc), status_code=409)
    return see_other(f"/c/{conv.id}", request)


def _worked_on(session: Session, viewer: Viewer, conversation_id: int) -> Conversation:
    return conversation_for(
        session=session, viewer=viewer, conversation_id=conversation_id, permission="conversation.work"
    )
