"""Reply drafting and checking over JSON: ``POST /conversations/{id}/drafts`` and ``POST /replies/check``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field
from sqlalchemy import select

from trustdesk.api.deps import CurrentAccess, SessionDep, require_on
from trustdesk.api.errors import ApiError, error_responses
from trustdesk.api.params import IdPath
from trustdesk.inbox.models import Brand, Conversation
from trustdesk.respond.checker import check_reply, requires_lead
from trustdesk.respond.desk import check_for_conversation, draft_for_conversation, playbook_for
from trustdesk.respond.playbook import PlaybookError, playbook_named
from trustdesk.respond.schemas import DraftResult, Finding, Playbook
from trustdesk.store.base import MAX_DB_INT
from trustdesk.team.access import Access

router = APIRouter(prefix="/api/v1", tags=["replies"], responses=error_responses(401, 403, 404, 409, 422))


class ReplyCheck(BaseModel):
    """A reply to check: in a conversation, or against a bare message text."""

    reply: str = Field(max_length=20_000)
    conversation_id: int | None = Field(default=None, ge=1, le=MAX_DB_INT)
    message: str | None = Field(default=None, max_length=1_000_000)
    channel: str | None = Field(default=None, max_length=100)
    playbook: str | None = Field(
        default=None,
        max_length=64,
        description="a shipped playbook's name, or the slug of a brand you may write for (its playbook); "
        "default: the shipped default",
    )


class ReplyCheckResult(BaseModel):
    """The checker's findings, and whether a lead must approve before posting."""

    findings: list[Finding]
    requires_lead: bool


def _conversation(session: SessionDep, access: Access, conversation_id: int, permission: str) -> Conversation:
    """The conversation if the caller holds ``permission`` on its brand (404 for another brand's, else 403)."""
    missing = ApiError("inbox.conversation_not_found", f"no conversation {conversation_id}", status=404)
    conv = session.get(Conversation, conversation_id)
    if conv is None:
        raise missing
    require_on(access, permission, conv.brand_id, missing=missing)
    return conv


def _named_playbook(session: SessionDep, access: Access, name: str | None) -> tuple[Playbook, str]:
    """A playbook chosen by name — never a path — and the caller's role for checking against it."""
    if name:
        brand = session.scalars(select(Brand).where(Brand.slug == name)).first()
        if brand is not None and access.can("reply.write", brand.id):
            return playbook_for(brand), access.role_on(brand.id) or "viewer"
    try:
        playbook = playbook_named(name or "default")
    except PlaybookError as exc:
        raise ApiError("replies.unknown_playbook", str(exc).splitlines()[0], status=422) from None
    return playbook, access.lowest_role("reply.write") or "viewer"


@router.post("/conversations/{conversation_id}/drafts", name="api.replies.draft")
def drafts(conversation_id: IdPath, session: SessionDep, access: CurrentAccess) -> DraftResult:
    """Ranked drafts answering the newest customer message, with the checker's findings."""
    conv = _conversation(session, access, conversation_id, "reply.write")
    role = access.role_on(conv.brand_id) or "viewer"
    # A DraftError (nothing to answer: 409; gone: 404) is a DomainError the one mapper renders.
    return draft_for_conversation(session=session, conversation_id=conversation_id, role=role)


@router.post("/replies/check", name="api.replies.check")
def check(
    body: Annotated[ReplyCheck, Body()], session: SessionDep, access: CurrentAccess
) -> ReplyCheckResult:
    """Check a reply before it is posted: not personal, no empathy, policy, platform, tone, privacy…"""
    if body.conversation_id is not None:
        conv = _conversation(session, access, body.conversation_id, "reply.write")
        findings = check_for_conversation(
            session=session,
            conversation_id=conv.id,
            reply=body.reply,
            role=access.role_on(conv.brand_id) or "viewer",
        )
    elif body.message is not None:
        playbook, role = _named_playbook(session, access, body.playbook)
        findings = check_reply(
            message=body.message, reply=body.reply, playbook=playbook, channel=body.channel, role=role
        )
    else:
        raise ApiError("replies.missing_message", "give conversation_id or message", status=422)
    return ReplyCheckResult(findings=findings, requires_lead=requires_lead(findings))
