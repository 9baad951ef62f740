"""Issue 16: whether a reply needs approval is a pure decision; submitting never drafts or calls out."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from tests.web.conftest import Desk, build_desk

from llm_server import running_chat_server
from trustdesk.inbox.models import Conversation
from trustdesk.respond.schemas import Finding
from trustdesk.settings import get_settings
from trustdesk.store.db import unit_of_work
from trustdesk.team.approvals import ApprovalCase, approval_reasons, submit_reply
from trustdesk.team.models import User


def _finding(code: str, severity: str) -> Finding:
    return Finding.model_validate({"code": code, "severity": severity, "message": code})


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (ApprovalCase(role="agent", posted_replies=9), []),
        (ApprovalCase(role="agent", posted_replies=2), ["new agent"]),
        (ApprovalCase(role="lead", posted_replies=0), []),
        (ApprovalCase(role="agent", posted_replies=9, negative_review=True), ["answers a negative review"]),
        (ApprovalCase(role="agent", posted_replies=9, offers=("replacement_drink",)),
         ["offers compensation (replacement_drink)"]),
        (ApprovalCase(role="agent", posted_replies=9, playbook_hold="legal threat"),
         ["the playbook holds this situation (legal threat)"]),
        (ApprovalCase(role="agent", posted_replies=9, findings=(_finding("too_long", "warning"), _finding("x", "info"))),
         ["the checker flagged: too_long"]),
        (ApprovalCase(role="agent", posted_replies=9, findings=(_finding("compensation_role", "violation"),)),
         ["offers compensation", "the checker flagged: compensation_role"]),
    ],
)  # fmt: skip
def test_approval_reasons_is_a_pure_function_of_the_case(case: ApprovalCase, expected: list[str]) -> None:
    assert approval_reasons(case) == expected
    assert approval_reasons(case) == approval_reasons(case)


def test_submit_never_drafts_or_calls_the_llm(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Submitting ran the drafter again, with an LLM call of up to 15 s inside the open transaction."""
    desk: Desk = build_desk(engine)
    with running_chat_server() as chat:
        monkeypatch.setenv("TRUSTDESK_LLM_URL", chat.url)
        get_settings.cache_clear()
        try:
            with unit_of_work(engine, write=True) as s:
                conv = s.get_one(Conversation, desk.conversations["angry"])
                reply = submit_reply(
                    session=s, conversation=conv, author=s.get_one(User, desk.users["agent"]), role="agent",
                    text="Rob, we're sorry the flat white was cold at Canal Street. We're looking into it today.",
                )  # fmt: skip
                reasons = list(reply.approval_reasons)
        finally:
            get_settings.cache_clear()
        assert chat.requests == []
    assert "answers a negative review" in reasons and "new agent" in reasons
