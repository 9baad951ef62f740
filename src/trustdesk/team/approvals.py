"""Which replies need a lead's approval, and the submit / approve / edit-and-approve / send-back flow.

A reply needs approval when the playbook's situation says so, when it answers a negative review, when
it offers compensation, when the checker flags anything, or when its author is a new agent. Leads and
admins approve; their own replies go straight out. Every submit, edit, approval and send-back is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from trustdesk.errors import DomainError
from trustdesk.inbox.models import Conversation, Message
from trustdesk.publish.models import Reply
from trustdesk.publish.outbox import enqueue
from trustdesk.respond.checker import MARKUP
from trustdesk.respond.desk import DraftError, check_for_conversation, playbook_hold, reply_context
from trustdesk.respond.schemas import Finding
from trustdesk.roles import Role, at_least
from trustdesk.store.base import utcnow
from trustdesk.store.db import locked
from trustdesk.team import audit
from trustdesk.team.models import User

NEW_AGENT_REPLIES = 5
"""An agent is "new" until this many of their replies were posted."""
MAX_REPLY_CHARS = 20_000


class ApprovalError(DomainError, ValueError):
    """A reply change that is not allowed (codes ``approval.empty``, ``approval.state``, ...)."""


def is_approver(role: str | None) -> bool:
    """Leads and admins approve replies."""
    return at_least(role, Role.LEAD)


@dataclass(frozen=True)
class ApprovalCase:
    """Everything the approval decision looks at: the situation, the submitted text's findings, the author."""

    role: str
    negative_review: bool = False
    playbook_hold: str | None = None
    offers: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    posted_replies: int = 0


def approval_reasons(case: ApprovalCase) -> list[str]:
    """Why this reply must be approved before posting (empty: it may go straight out). Pure: the same case
    gives the same answer, and nothing is drafted, read or called to decide it."""
    reasons: list[str] = []
    if case.negative_review:
        reasons.append("answers a negative review")
    if case.offers:
        reasons.append(f"offers compensation ({case.offers[0]})")
    elif any(f.code.startswith("compensation") for f in case.findings):
        reasons.append("offers compensation")
    if case.playbook_hold:
        reasons.append(f"the playbook holds this situation ({case.playbook_hold})")
    flagged = sorted({f.code for f in case.findings if f.severity in ("warning", "violation")})
    if flagged:
        reasons.append("the checker flagged: " + ", ".join(flagged))
    if case.role == "agent" and case.posted_replies < NEW_AGENT_REPLIES:
        reasons.append("new agent")
    return reasons


def approval_case(
    *,
    session: Session,
    conversation: Conversation,
    text: str,
    findings: list[Finding],
    author: User,
    role: str,
) -> ApprovalCase:
    """Gather the case for ``approval_reasons`` from the inbox (reads only; no draft, no network)."""
    posted = 0
    if role == "agent":
        posted = (
            session.scalar(
                select(func.count())
                .select_from(Reply)
                .where(Reply.author_id == author.id, Reply.status == "posted")
            )
            or 0
        )
    try:
        ctx = reply_context(session=session, conversation_id=conversation.id)
    except DraftError:
        return ApprovalCase(role=role, findings=tuple(findings), posted_replies=posted)
    message: Message = ctx.message
    negative = (message.rating is not None and message.rating <= 2) or message.sentiment == "negative"
    lowered = text.lower()
    offers = tuple(
        rule.id for rule in ctx.playbook.compensation
        if any(offer and offer.lower() in lowered for offer in rule.offer.values())
    )  # fmt: skip
    return ApprovalCase(
        role=role, negative_review=negative and message.kind == "review", playbook_hold=playbook_hold(ctx),
        offers=offers, findings=tuple(findings), posted_replies=posted,
    )  # fmt: skip


def submit_reply(
    *,
    session: Session,
    conversation: Conversation,
    author: User,
    role: str,
    text: str,
    resolve_on_post: bool = False,
    idempotency_key: str | None = None,
) -> Reply:
    """Check a reply and route it: to the approval queue, or (approved) straight to the outbox.

    ``idempotency_key`` (the form's, or an API client's): a second submit with the same key returns the
    reply the first one made, even when both arrive at once.
    """
    if idempotency_key:
        earlier = _submitted(session, author.id, idempotency_key)
        if earlier is not None:
            return earlier
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise ApprovalError("approval.empty", "the reply is empty")
    if len(text) > MAX_REPLY_CHARS:
        raise ApprovalError("approval.too_long", f"the reply is longer than {MAX_REPLY_CHARS} characters")
    if MARKUP.search(text):
        # Whoever writes it, a lead included: it would be posted as visible tags (or worse, pasted on).
        raise ApprovalError("approval.markup", "the reply contains HTML or script markup; remove it first")
    try:
        findings = check_for_conversation(
            session=session, conversation_id=conversation.id, reply=text, role=role
        )
    except DraftError:
        findings = []
    reasons = approval_reasons(
        approval_case(
            session=session, conversation=conversation, text=text, findings=findings, author=author, role=role
        )
    )
    in_reply_to = session.scalar(
        select(Message.id)
        .where(Message.conversation_id == conversation.id, Message.direction == "inbound")
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )
    direct = is_approver(role) or not reasons
    now = utcnow()
    reply = Reply(
        brand_id=conversation.brand_id,
        conversation_id=conversation.id,
        in_reply_to_id=in_reply_to,
        author_id=author.id,
        text=text,
        status="approved" if direct else "pending",
        needs_approval=bool(reasons),
        approval_reasons=reasons,
        findings=[f.model_dump() for f in findings],
        resolve_on_post=resolve_on_post,
        reviewer_id=author.id if direct and reasons else None,
        reviewed_at=now if direct and reasons else None,
        review_comment="",
        updated_at=now,
        idempotency_key=idempotency_key,
    )
    try:
        with session.begin_nested():
            session.add(reply)
            session.flush()
    except IntegrityError:
        # The same key committed meanwhile by a parallel submit: that reply is this submit's answer.
        earlier = _submitted(session, author.id, idempotency_key or "")
        if earlier is None:
            raise
        return earlier
    _audit_reply(
        session, reply, author, "reply.submit",
        {"conversation_id": conversation.id, "reasons": reasons, "status": reply.status},
        "submitted for approval" if reply.status == "pending" else "submitted; approved to post",
    )  # fmt: skip
    if reply.status == "approved":
        enqueue(session=session, reply=reply)
    return reply


def _submitted(session: Session, author_id: int, key: str) -> Reply | None:
    return session.scalars(
        select(Reply).where(Reply.author_id == author_id, Reply.idempotency_key == key)
    ).first()


def _check_reviewable(session: Session, reply: Reply, role: str) -> Reply:
    """The reply, locked and re-read, if it still waits for approval (parallel approvals: one wins)."""
    reply = locked(session, Reply, reply.id) or reply
    if not is_approver(role):
        raise ApprovalError("approval.role", "only leads and admins approve or send back replies")
    if reply.status != "pending":
        raise ApprovalError("approval.state", f"this reply is {reply.status}, not waiting for approval")
    return reply


def _audit_reply(
    session: Session, reply: Reply, user: User, action: str, data: dict[str, Any], summary: str
) -> None:
    audit.record(
        session=session,
        action=action,
        entity_type="reply",
        entity_id=reply.id,
        brand_id=reply.brand_id,
        actor_id=user.id,
        actor_kind="user",
        data=data,
        summary=summary,
    )


def _reviewed(session: Session, reply: Reply, approver: User, status: str) -> None:
    now = utcnow()
    reply.status = status
    reply.reviewer_id = approver.id
    reply.reviewed_at = now
    reply.updated_at = now
    session.flush()


def approve(*, session: Session, reply: Reply, approver: User, role: str, text: str | None = None) -> Reply:
    """Approve a pending reply (optionally edited first); it goes to the outbox. Audited with the edit."""
    reply = _check_reviewable(session, reply, role)
    if text is not None:
        text = text.replace("\r\n", "\n").strip()
        if not text:
            raise ApprovalError("approval.empty", "the reply is empty")
        if text != reply.text:
            _audit_reply(
                session,
                reply,
                approver,
                "reply.edit",
                {"before": reply.text, "after": text},
                "edited before approval",
            )
            reply.text = text
    _reviewed(session, reply, approver, "approved")
    _audit_reply(session, reply, approver, "reply.approve", {"reasons": reply.approval_reasons}, "approved")
    enqueue(session=session, reply=reply)
    return reply


def send_back(*, session: Session, reply: Reply, approver: User, role: str, comment: str) -> Reply:
    """Return a pending reply to its author with a comment. Audited."""
    reply = _check_reviewable(session, reply, role)
    comment = comment.strip()
    if not comment:
        raise ApprovalError("approval.comment", "say what should change")
    reply.review_comment = comment[:5000]
    _reviewed(session, reply, approver, "returned")
    _audit_reply(
        session,
        reply,
        approver,
        "reply.return",
        {"comment": reply.review_comment},
        "sent back with a comment",
    )
    return reply


def pending_replies(*, session: Session, brand_ids: list[int], limit: int = 100) -> list[Reply]:
    """Replies waiting for approval on these brands, oldest first."""
    return list(
        session.scalars(
            select(Reply)
            .where(Reply.brand_id.in_(brand_ids), Reply.status == "pending")
            .order_by(Reply.id)
            .limit(limit)
        )
    )
