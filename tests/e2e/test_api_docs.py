"""/api/docs renders the API's operations from the desk's own files, under the desk's CSP (issue 16: the
page was blank because Swagger came from a CDN the policy blocks)."""

from __future__ import annotations

import pytest
from tests.e2e.conftest import Server, shot

pytestmark = pytest.mark.browser

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def test_api_docs_render_with_no_outside_script(browser, server: Server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    response = page.goto(f"{server.url}/api/docs")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    operations = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/conversations/{conversation_id}" in operations and len(operations) >= 7
    assert page.evaluate("window.__csp") == []
    assert all(url.startswith(server.url) for url in requested), [
        u for u in requested if not u.startswith(server.url)
    ]
    shot(page, "api-docs")
    context.close()
