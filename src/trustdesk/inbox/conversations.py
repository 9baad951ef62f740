"""Transitions that take a conversation out of the open inbox: resolve, reopen, mark (or clear) spam.

Nothing negative is ever hidden by one agent's click: resolving a negative public conversation that got
no public reply, or marking a negative one as spam, needs the ``conversation.hide`` permission (leads).
Each transition checks (``check_*``), then writes and audits what was hidden and why (``do_*``), so the
audit says more than "conversation 5": the rating, the sentiment and the words of the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustdesk.errors import DomainError
from trustdesk.inbox.models import Conversation, Message
from trustdesk.store.base import utcnow
from trustdesk.team import audit
from trustdesk.team.access import Access, Forbidden

EXCERPT_CHARS = 200


class ConversationError(DomainError, ValueError):
    """A transition that may not happen (codes ``conversation.needs_lead``, ...)."""

    status = 409


@dataclass(frozen=True)
class Situation:
    """What closing a conversation would hide: its newest customer message and whether it is negative."""

    message: Message | None
    negative: bool
    answered: bool

    @property
    def describe(self) -> str:
        """A short description for error messages and the audit ("a 1★ review", "a negative comment")."""
        m = self.message
        if m is None:
            return "a conversation"
        what = "review" if m.kind == "review" else m.kind or "message"
        if m.rating is not None:
            return f"a {m.rating:g}★ {what}"
        return f"a negative {what}" if self.negative else f"a {what}"


def situation(*, session: Session, conversation: Conversation) -> Situation:
    """The newest customer message, whether it reads negative (stars or analysis), and whether we answered it."""
    newest = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation.id, Message.direction == "inbound")
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    ).first()
    if newest is None:
        return Situation(message=None, negative=False, answered=True)
    negative = (newest.rating is not None and newest.rating <= 2) or "negative" in (
        newest.sentiment,
        conversation.sentiment,
    )
    answered = (
        session.scalar(
            select(Message.id)
            .where(
                Message.conversation_id == conversation.id,
                Message.direction == "outbound",
                Message.created_at >= newest.created_at,
            )
            .limit(1)
        )
        is not None
    )
    return Situation(message=newest, negative=negative, answered=answered)


def _audit(
    session: Session, access: Access, conversation: Conversation, action: str, found: Situation, **data: Any
) -> None:
    m = found.message
    details = {
        "rating": m.rating if m else None,
        "sentiment": m.sentiment if m else conversation.sentiment,
        "public": conversation.is_public,
        "excerpt": (m.text or "")[:EXCERPT_CHARS] if m else "",
        **data,
    }
    audit.record(
        session=session, action=f"conversation.{action}", entity_type="conversation", entity_id=conversation.id,
        brand_id=conversation.brand_id, actor_id=access.id, actor_kind="user", data=details,
        summary=f"{action} {found.describe}" + (f": {details['excerpt'][:80]!r}" if details["excerpt"] else ""),
    )  # fmt: skip


def check_resolve(*, session: Session, conversation: Conversation, access: Access) -> Situation:
    """Refuse an agent's resolve of a negative public conversation nobody answered publicly."""
    access.require("conversation.work", conversation.brand_id)
    found = situation(session=session, conversation=conversation)
    hides = conversation.is_public and found.negative and not found.answered
    if hides and not access.can("conversation.hide", conversation.brand_id):
        raise ConversationError(
            "conversation.needs_lead",
            f"This is {found.describe} with no public reply: reply first, or ask a lead to resolve it.",
        )
    return found


def do_resolve(*, session: Session, conversation: Conversation, access: Access, found: Situation) -> None:
    """Resolve; the audit says whether a negative was closed without a public reply."""
    conversation.status = "resolved"
    conversation.resolved_at = utcnow()
    conversation.snoozed_until = None
    session.flush()
    without_reply = conversation.is_public and found.negative and not found.answered
    _audit(session, access, conversation, "resolve", found, without_public_reply=without_reply)


def resolve(*, session: Session, conversation: Conversation, access: Access) -> None:
    """Check, then resolve."""
    found = check_resolve(session=session, conversation=conversation, access=access)
    do_resolve(session=session, conversation=conversation, access=access, found=found)


def reopen(*, session: Session, conversation: Conversation, access: Access) -> None:
    """Open again (anyone who works conversations may)."""
    access.require("conversation.work", conversation.brand_id)
    conversation.status = "open"
    conversation.resolved_at = None
    conversation.snoozed_until = None
    session.flush()
    _audit(session, access, conversation, "reopen", situation(session=session, conversation=conversation))


def check_spam(*, session: Session, conversation: Conversation, access: Access) -> Situation:
    """Agents may mark spam only where nothing reads negative; a negative one needs a lead."""
    access.require("conversation.work", conversation.brand_id)
    found = situation(session=session, conversation=conversation)
    if found.negative and not access.can("conversation.hide", conversation.brand_id):
        raise ConversationError(
            "conversation.needs_lead",
            f"This is {found.describe}: only a lead may mark it as spam (negative feedback is never hidden).",
        )
    return found


def mark_spam(*, session: Session, conversation: Conversation, access: Access, bulk: bool = False) -> None:
    """Mark as spam and resolve; it stays findable under Flag = spam, and the analysis leaves it marked."""
    found = check_spam(session=session, conversation=conversation, access=access)
    was = conversation.status
    conversation.spam = True
    conversation.spam_by_id = access.id
    conversation.status = "resolved"
    conversation.resolved_at = utcnow()
    session.flush()
    _audit(session, access, conversation, "spam", found, bulk=bulk, status_before=was)


def clear_spam(*, session: Session, conversation: Conversation, access: Access) -> None:
    """Not spam after all: unmark and reopen (a lead's call, as marking a negative one is)."""
    if not access.can("conversation.hide", conversation.brand_id):
        raise Forbidden("only a lead may clear a spam mark")
    conversation.spam = False
    conversation.spam_by_id = access.id
    conversation.status = "open"
    conversation.resolved_at = None
    session.flush()
    _audit(session, access, conversation, "not_spam", situation(session=session, conversation=conversation))
