"""A keyboard-only pass: sign in (a lead: the top conversations are unanswered complaints, which only a
lead may resolve without a reply), move through the inbox, open, reply field, resolve, back."""

from __future__ import annotations

from tests.e2e.conftest import DEMO_PASSWORD, Server, shot


def test_keyboard_only_pass(browser, server: Server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/login")
    # autofocus is applied after load; typing before it lands would lose keystrokes
    page.wait_for_function("document.activeElement && document.activeElement.name === 'email'")
    page.keyboard.type("jess@bluebird.example")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    assert page.input_value("input[name=email]") == "jess@bluebird.example"
    page.keyboard.press("Enter")
    page.wait_for_url("**/inbox")

    rows = page.locator("#rows article.row")
    assert rows.count() >= 3
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    current = page.locator("#rows article.row.current")
    assert current.count() == 1 and current.get_attribute("data-id") == rows.nth(1).get_attribute("data-id")
    target = current.get_attribute("data-id")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search"
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/c/{target}")

    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "reply"
    page.keyboard.type("Thanks for telling us")
    page.keyboard.press("Escape")
    shot(page, "keyboard-conversation")
    page.keyboard.press("e")
    page.wait_for_selector(".status.st-resolved")
    page.keyboard.press("u")
    page.wait_for_url("**/inbox")
    assert page.locator(f'#rows article.row[data-id="{target}"]').count() == 0  # resolved: gone from open
    context.close()
