"""Issue 13 finding 6: an agent could bulk-mark a genuine 1★ review as spam, or resolve it unanswered."""

from __future__ import annotations

from sqlalchemy import Engine, select
from tests.web.conftest import Desk

from trustdesk.inbox.models import Conversation
from trustdesk.store.db import unit_of_work
from trustdesk.team.models import AuditEvent


def _conv(engine: Engine, conv_id: int) -> Conversation:
    with unit_of_work(engine) as s:
        return s.get_one(Conversation, conv_id)


def test_agent_cannot_bulk_spam_a_negative_review(as_role, desk: Desk, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    agent, token = as_role("agent")
    angry, happy = desk.conversations["angry"], desk.conversations["happy"]
    answer = agent.post("/inbox/bulk", data={"csrf_token": token, "action": "spam", "ids": [angry, happy]})
    assert answer.status_code == 303 and "refused_spam=1" in answer.headers["location"]
    assert "1 negative conversation(s) were not marked as spam" in agent.get(answer.headers["location"]).text
    assert not _conv(engine, angry).spam and _conv(engine, angry).status == "open"
    assert _conv(engine, happy).spam  # the harmless one was marked
    with unit_of_work(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "conversation.spam")).one()
        assert event.entity_id == str(happy) and event.data["bulk"] is True
        assert "oat latte" in event.data["excerpt"].lower()


def test_agent_cannot_resolve_an_unanswered_negative_public_review(
    as_role, desk: Desk, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    agent, token = as_role("agent")
    angry = desk.conversations["angry"]
    refused = agent.post(f"/c/{angry}/resolve", data={"csrf_token": token})
    assert refused.status_code == 409 and "ask a lead" in refused.text
    assert _conv(engine, angry).status == "open"
    lead, lead_token = as_role("lead")
    assert lead.post(f"/c/{angry}/resolve", data={"csrf_token": lead_token}).status_code == 303
    with unit_of_work(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "conversation.resolve")).one()
        assert event.data["without_public_reply"] is True and event.data["rating"] == 1.0
        assert "stone cold" in event.data["excerpt"]
    # resolving a non-negative one stays an agent's job
    assert (
        agent.post(f"/c/{desk.conversations['happy']}/resolve", data={"csrf_token": token}).status_code == 303
    )


def test_lead_marked_spam_stays_findable_and_can_be_cleared(as_role, desk: Desk, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    lead, token = as_role("lead")
    angry = desk.conversations["angry"]
    assert lead.post(f"/c/{angry}/spam", data={"csrf_token": token}).status_code == 303
    flagged = lead.get("/inbox?flag=spam").text
    assert f"/c/{angry}" in flagged  # resolved, and still listed under Flag = spam
    assert f"/c/{angry}" not in lead.get("/inbox").text
    assert lead.post(f"/c/{angry}/not-spam", data={"csrf_token": token}).status_code == 303
    conv = _conv(engine, angry)
    assert not conv.spam and conv.status == "open" and conv.spam_by_id == desk.users["lead"]
    agent, agent_token = as_role("agent")
    assert agent.post(f"/c/{angry}/not-spam", data={"csrf_token": agent_token}).status_code == 403
