"""The desk end to end in Chromium: sign in → urgent review first → draft, checker → approval → posted → live follow-up → resolve."""

from __future__ import annotations

import json
import re

from sqlalchemy import select
from tests.e2e.conftest import SCREENSHOTS, Server, shot, sign_in

from trustdesk.inbox.models import Conversation, Message
from trustdesk.store.base import utcnow
from trustdesk.store.db import make_engine, unit_of_work

FORBIDDEN = "We apologise for any inconvenience."
FIRST_PAINT_JS = """() => new Promise(resolve => {
  const nav = performance.getEntriesByType('navigation')[0];
  const done = fcp => resolve({fcp, ttfb: nav ? nav.responseStart : null});
  new PerformanceObserver(list => {
    const entry = list.getEntriesByName('first-contentful-paint')[0];
    if (entry) done(entry.startTime);
  }).observe({type: 'paint', buffered: true});
  setTimeout(() => done(null), 3000);
})"""


def _most_urgent_negative(server: Server) -> tuple[int, Message]:
    engine = make_engine(server.database_url)
    with unit_of_work(engine) as s:
        conv = s.scalars(
            select(Conversation)
            .where(Conversation.status == "open")
            .order_by(Conversation.priority.desc(), Conversation.id.desc())
        ).first()
        assert conv is not None
        message = s.scalars(
            select(Message)
            .where(Message.conversation_id == conv.id, Message.direction == "inbound")
            .order_by(Message.id)
        ).first()
        assert message is not None
        s.expunge(message)
    engine.dispose()
    return conv.id, message


def test_happy_path_from_urgent_review_to_resolved(browser, server: Server) -> None:  # type: ignore[no-untyped-def]
    agent_ctx = browser.new_context(viewport={"width": 1360, "height": 900})
    page = agent_ctx.new_page()
    sign_in(page, server, "sam@bluebird.example")
    paint = page.evaluate(FIRST_PAINT_JS)
    # Measured and recorded, not asserted against a time: timing belongs to benchmarks (a loaded CI
    # machine must not fail the suite). The README quotes these figures against the 1 s target.
    assert paint["fcp"] is not None and paint["fcp"] > 0
    SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS.parent / "first-paint.json").write_text(json.dumps(paint))
    print(f"\ninbox first-contentful-paint: {paint['fcp']:.0f} ms (TTFB {paint['ttfb']:.0f} ms)")
    shot(page, "inbox")

    conv_id, review = _most_urgent_negative(server)
    first = page.locator("#rows article.row").first
    assert first.get_attribute("data-id") == str(conv_id)
    assert first.locator(".chip.s-negative").count() == 1
    assert review.rating is not None and review.rating <= 2

    # open it from the keyboard
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/c/{conv_id}")
    page.wait_for_selector(".drafts .draft")
    page.locator(".use-draft").first.click()
    reply = page.locator("#reply")
    drafted = reply.input_value()
    assert len(drafted) > 40
    reply.press("End")
    reply.type(" " + FORBIDDEN)
    page.wait_for_selector('#checker .finding[data-code="forbidden_phrase"]')
    assert "apologise for any inconvenience" in page.locator("#checker").inner_text().lower()
    shot(page, "conversation-checker")
    page.click("#submit-reply")
    page.wait_for_selector(".reply-card.rs-pending")

    # a lead approves, removing the forbidden phrase
    lead_ctx = browser.new_context(viewport={"width": 1360, "height": 900})
    lead = lead_ctx.new_page()
    sign_in(lead, server, "jess@bluebird.example")
    lead.goto(f"{server.url}/approvals")
    card = lead.locator("article.approval").first
    text = card.locator("textarea[name=text]")
    assert FORBIDDEN in text.input_value()
    shot(lead, "approvals")
    text.fill(text.input_value().replace(" " + FORBIDDEN, ""))
    card.locator("button.approve").click()
    lead.wait_for_url("**/approvals")

    # posted by hand through the manual channel
    lead.goto(f"{server.url}/outbox")
    assert lead.locator(".outbox-item.ob-manual").count() >= 1
    shot(lead, "outbox")
    lead.locator(".outbox-item.ob-manual .mark-posted").first.click()
    lead.wait_for_url("**/outbox")
    page.reload()
    page.wait_for_selector(".msg.outbound")
    assert FORBIDDEN not in page.locator(".msg.outbound").last.inner_text()

    # the customer's follow-up arrives while the page is open (imported from the CLI)
    page.wait_for_selector("#live.on")
    follow_up = f"Thanks for replying. Still waiting on a call back though. ({utcnow().isoformat()})"
    record = {
        "id": "e2e-follow-up-1", "text": follow_up, "author": review.author_name, "author_id": review.raw.get("author_id"),
        "channel": "google-canal-street", "parent_id": review.platform_id, "created_at": utcnow().isoformat(),
        "kind": "comment", "direction": "inbound",
    }  # fmt: skip
    channel = _channel_name(server, review.channel_id)
    record["channel"] = channel
    path = server.workdir / "follow-up.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    server.cli("import", str(path), "--channel", channel)
    page.wait_for_selector(f"text={follow_up[:40]}", timeout=15_000)  # arrived by SSE, no reload
    shot(page, "conversation-live-follow-up")

    # resolve from the keyboard
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("e")
    page.wait_for_selector(".status.st-resolved")
    shot(page, "conversation-resolved")
    agent_ctx.close()
    lead_ctx.close()


def _channel_name(server: Server, channel_id: int) -> str:
    from trustdesk.inbox.models import Channel

    engine = make_engine(server.database_url)
    with unit_of_work(engine) as s:
        name = s.get_one(Channel, channel_id).name
    engine.dispose()
    assert re.match(r"^[a-z0-9._-]+$", name)
    return name
