"""Issue 13 finding 13: drafts greeted "Hey <SCRIPT," from a hostile author name, and a lead's reply with
markup went straight to the outbox."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from tests.factories import make_message
from tests.web.conftest import Desk

from trustdesk.inbox.models import Conversation, Customer
from trustdesk.publish.models import OutboxItem, Reply
from trustdesk.respond.checker import MARKUP
from trustdesk.respond.desk import draft_for_conversation
from trustdesk.store.db import unit_of_work

HOSTILE_NAMES = ["<SCRIPT SRC=http://x/x.js></SCRIPT>", "<SCRIPT", '"><img src=x onerror=alert(1)>', "Mohsin65317336",
                 "javascript:alert(1) Smith", "<b>Rob</b> Tennant"]  # fmt: skip


def test_drafts_never_greet_with_markup_or_handles(desk: Desk, engine: Engine) -> None:
    conv_id = desk.conversations["angry"]
    for name in HOSTILE_NAMES:
        with unit_of_work(engine) as s:
            conv = s.get_one(Conversation, conv_id)
            s.get_one(Customer, conv.customer_id).display_name = name
            make_message(s, conversation=conv, text="Still cold, still waiting.", author_name=name)
        with unit_of_work(engine) as s:
            result = draft_for_conversation(session=s, conversation_id=conv_id)
        for text in [result.reply or "", *result.alternatives]:
            first_line = text.splitlines()[0]
            assert not MARKUP.search(text), (name, first_line)
            assert "Mohsin65317336" not in text and "<" not in first_line, (name, first_line)


def test_a_leads_reply_with_markup_is_refused_not_posted(as_role, desk: Desk, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    lead, token = as_role("lead")
    conv = desk.conversations["happy"]
    answer = lead.post(
        f"/c/{conv}/replies", data={"csrf_token": token, "text": "Hey <SCRIPT, thanks for the kind words!"}
    )
    assert answer.status_code == 200 and "markup" in answer.text
    with unit_of_work(engine) as s:
        assert s.scalar(select(func.count()).select_from(Reply)) == 0
        assert s.scalar(select(func.count()).select_from(OutboxItem)) == 0
    ok = lead.post(
        f"/c/{conv}/replies", data={"csrf_token": token, "text": "Thanks Rob, we <3 hearing this!"}
    )
    assert ok.status_code == 303
