"""Issue 16: the desk stays usable on a 390 px phone screen (no sideways scrolling, controls reachable)."""

from __future__ import annotations

import pytest
from tests.e2e.conftest import Server, shot, sign_in

pytestmark = pytest.mark.browser

WIDTH = 390


def test_phone_inbox_conversation_and_settings_fit(browser, server: Server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)  # fmt: skip
    page = context.new_page()
    sign_in(page, server, "jess@bluebird.example")
    overflow = "() => document.documentElement.scrollWidth"
    assert page.evaluate(overflow) <= WIDTH + 1, "the inbox scrolls sideways"
    shot(page, "phone-inbox")
    page.locator("#rows a.row-link, #rows article.row a").first.click()
    page.wait_for_url("**/c/*")
    assert page.evaluate(overflow) <= WIDTH + 1, "the conversation scrolls sideways"
    reply = page.locator("#reply")
    reply.scroll_into_view_if_needed()
    box = reply.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH + 1
    shot(page, "phone-conversation")
    for path in ("/approvals", "/outbox", "/settings/sla"):
        page.goto(f"{server.url}{path}")
        assert page.evaluate(overflow) <= WIDTH + 1, f"{path} scrolls sideways"
    context.close()
