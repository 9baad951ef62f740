"""Reply drafting and checking over JSON: ``POST /conversations/{id}/drafts`` and ``POST /replies/check``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field

from trustdesk.api.deps import CurrentUser, SessionDep, VisibleBrands, effective_role
from trustdesk.api.errors import ApiError
from trustdesk.inbox.models import Conversation
from trustdesk.respond.checker import check_reply, requires_lead
from trustdesk.respond.desk import DraftError, check_for_conversation, draft_for_conversation
from trustdesk.respond.playbook import load_playbook
from trustdesk.respond.schemas import DraftResult, Finding

router = APIRouter(prefix="/api/v1", tags=["replies"])


class ReplyCheck(BaseModel):
    """A reply to check: in a conversation, or against a bare message text."""

    reply: str = Field(max_length=20_000)
    conversation_id: int | None = None
    message: str | None = Field(default=None, max_length=1_000_000)
    channel: str | None = None
    playbook: str | None = Field(
        default=None, description="a shipped playbook name (default: the default one)"
    )


class ReplyCheckResult(BaseModel):
    """The checker's findings, and whether a lead must approve before posting."""

    findings: list[Finding]
    requires_lead: bool


def _visible_conversation(session: SessionDep, conversation_id: int, brands: list[int] | None) -> None:
    conv = session.get(Conversation, conversation_id)
    if conv is None or (brands is not None and conv.brand_id not in brands):
        raise ApiError("inbox.conversation_not_found", f"no conversation {conversation_id}", status=404)


@router.post("/conversations/{conversation_id}/drafts", name="api.replies.draft")
def drafts(
    conversation_id: int, session: SessionDep, user: CurrentUser, brands: VisibleBrands
) -> DraftResult:
    """Ranked drafts answering the newest customer message, with the checker's findings."""
    _visible_conversation(session, conversation_id, brands)
    role, _ = effective_role(session=session, user=user)
    try:
        return draft_for_conversation(session=session, conversation_id=conversation_id, role=role)
    except DraftError as exc:
        raise ApiError(exc.code, str(exc), status=404 if exc.code.endswith("not_found") else 409) from exc


@router.post("/replies/check", name="api.replies.check")
def check(
    body: Annotated[ReplyCheck, Body()], session: SessionDep, user: CurrentUser, brands: VisibleBrands
) -> ReplyCheckResult:
    """Check a reply before it is posted: not personal, no empathy, policy, platform, tone, privacy…"""
    role, _ = effective_role(session=session, user=user)
    if body.conversation_id is not None:
        _visible_conversation(session, body.conversation_id, brands)
        findings = check_for_conversation(
            session=session, conversation_id=body.conversation_id, reply=body.reply, role=role
        )
    elif body.message is not None:
        findings = check_reply(
            message=body.message,
            reply=body.reply,
            playbook=load_playbook(body.playbook),
            channel=body.channel,
            role=role,
        )
    else:
        raise ApiError("replies.missing_message", "give conversation_id or message", status=422)
    return ReplyCheckResult(findings=findings, requires_lead=requires_lead(findings))
