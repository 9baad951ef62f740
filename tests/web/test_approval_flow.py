"""Submit → approve / edit-and-approve / send back → outbox → mark posted, all audited."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from tests.web.conftest import Desk

from trustdesk.inbox.models import Conversation, Message
from trustdesk.publish.models import OutboxItem, Reply
from trustdesk.store.db import unit_of_work
from trustdesk.team.models import AuditEvent

GOOD_REPLY = (
    "Hi Rob, I'm so sorry your flat white was cold at Canal Street and that nobody noticed you. "
    "Please email care@bluebirdcoffee.example so we can put it right. Jess"
)


def _reply(engine: Engine, conversation_id: int) -> Reply:
    with unit_of_work(engine) as s:
        return s.scalars(
            select(Reply).where(Reply.conversation_id == conversation_id).order_by(Reply.id.desc())
        ).first()  # type: ignore[return-value]


def test_approval_flow_agent_reply_waits_for_lead_then_is_posted_once(
    as_role, desk: Desk, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    conv = desk.conversations["angry"]
    agent, agent_token = as_role("agent")
    response = agent.post(
        f"/c/{conv}/replies", data={"text": GOOD_REPLY, "resolve": "1", "csrf_token": agent_token}
    )
    assert response.status_code == 303
    reply = _reply(engine, conv)
    assert reply.status == "pending"
    assert "answers a negative review" in reply.approval_reasons and "new agent" in reply.approval_reasons
    # agents cannot approve
    assert agent.post(f"/replies/{reply.id}/approve", data={"csrf_token": agent_token}).status_code == 403

    lead, lead_token = as_role("lead")
    queue = lead.get("/approvals").text
    assert "nobody noticed you" in queue and "new agent" in queue
    edited = GOOD_REPLY.replace("so sorry", "really sorry")
    assert (
        lead.post(f"/replies/{reply.id}/approve", data={"text": edited, "csrf_token": lead_token}).status_code
        == 303
    )
    reply = _reply(engine, conv)
    assert reply.status == "approved" and reply.text == edited

    outbox = lead.get("/outbox").text
    assert "really sorry" in outbox and "Mark as posted" in outbox
    with unit_of_work(engine) as s:
        item = s.scalars(select(OutboxItem).where(OutboxItem.reply_id == reply.id)).one()
        assert item.status == "manual"
    for _ in range(2):  # a double click posts once
        assert lead.post(f"/outbox/{item.id}/posted", data={"csrf_token": lead_token}).status_code == 303
    with unit_of_work(engine) as s:
        outbound = s.scalars(
            select(Message).where(Message.conversation_id == conv, Message.direction == "outbound")
        ).all()
        assert len(outbound) == 1 and outbound[0].text == edited
        c = s.get_one(Conversation, conv)
        assert c.status == "resolved" and c.waiting_since is None and c.first_response_at is not None
        actions = [
            e.action
            for e in s.scalars(
                select(AuditEvent).where(AuditEvent.entity_type == "reply").order_by(AuditEvent.id)
            )
        ]
        assert actions == ["reply.submit", "reply.edit", "reply.approve", "reply.post"]
        edit = s.scalars(select(AuditEvent).where(AuditEvent.action == "reply.edit")).one()
        assert edit.actor_id == desk.users["lead"] and edit.data["before"] == GOOD_REPLY
    assert "really sorry" in lead.get(f"/c/{conv}").text


def test_approval_flow_send_back_needs_comment_and_reaches_author(
    as_role, desk: Desk, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    conv = desk.conversations["angry"]
    agent, token = as_role("agent")
    agent.post(f"/c/{conv}/replies", data={"text": GOOD_REPLY, "csrf_token": token})
    reply = _reply(engine, conv)
    lead, lead_token = as_role("lead")
    assert (
        lead.post(f"/replies/{reply.id}/return", data={"comment": " ", "csrf_token": lead_token}).status_code
        == 400
    )
    lead.post(
        f"/replies/{reply.id}/return",
        data={"comment": "Name the barista team, please", "csrf_token": lead_token},
    )
    assert _reply(engine, conv).status == "returned"
    assert "Sent back: Name the barista team, please" in agent.get(f"/c/{conv}").text
    # a returned reply cannot be approved any more
    assert lead.post(f"/replies/{reply.id}/approve", data={"csrf_token": lead_token}).status_code == 409


def test_approval_flow_lead_reply_goes_straight_to_outbox(as_role, desk: Desk, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    conv = desk.conversations["happy"]
    lead, token = as_role("lead")
    lead.post(
        f"/c/{conv}/replies",
        data={
            "text": "Thanks so much for the kind words about the oat latte, Rob! Jess",
            "csrf_token": token,
        },
    )
    reply = _reply(engine, conv)
    assert reply.status == "approved"
    with unit_of_work(engine) as s:
        assert (
            s.scalar(select(func.count()).select_from(OutboxItem).where(OutboxItem.reply_id == reply.id)) == 1
        )


def test_approval_flow_checker_flag_holds_reply(as_role, desk: Desk, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    conv = desk.conversations["happy"]
    agent, token = as_role("agent")
    agent.post(f"/c/{conv}/replies", data={"text": "Calm down. We value your feedback.", "csrf_token": token})
    reply = _reply(engine, conv)
    assert reply.status == "pending"
    assert any(r.startswith("the checker flagged") for r in reply.approval_reasons)


def test_approval_flow_empty_reply_is_refused(as_role, desk: Desk, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    agent, token = as_role("agent")
    page = agent.post(f"/c/{desk.conversations['happy']}/replies", data={"text": "   ", "csrf_token": token})
    assert page.status_code == 200 and "the reply is empty" in page.text
    assert _reply(engine, desk.conversations["happy"]) is None


def test_approval_flow_other_brand_lead_cannot_approve(as_role, desk: Desk, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    agent, token = as_role("agent")
    agent.post(f"/c/{desk.conversations['angry']}/replies", data={"text": GOOD_REPLY, "csrf_token": token})
    reply = _reply(engine, desk.conversations["angry"])
    outsider, other_token = as_role("outsider")
    assert "nobody noticed" not in outsider.get("/approvals").text
    assert outsider.post(f"/replies/{reply.id}/approve", data={"csrf_token": other_token}).status_code == 404
