"""The XSS corpus stored as messages, author names, URLs, notes and replies: no script runs on any page."""

from __future__ import annotations

from sqlalchemy import select
from tests.e2e.conftest import Server, shot, sign_in
from tests.web.conftest import Desk
from tests.web.test_xss import seed_payloads

from trustdesk.inbox.models import Brand
from trustdesk.store.db import make_engine, unit_of_work
from trustdesk.team.models import User

HOOKS = """
window.__xss = [];
for (const name of ['alert', 'confirm', 'prompt', 'print', 'open']) {
  window[name] = (...args) => { window.__xss.push(name + ':' + String(args[0])); };
}
window.__csp = 0;
document.addEventListener('securitypolicyviolation', () => { window.__csp += 1; });
"""
CHECK = """() => ({
  xss: window.__xss,
  csp: window.__csp,
  foreignScripts: [...document.scripts].filter(s => !s.src.includes('/static/')).length,
  handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
  foreign: document.querySelectorAll('img, iframe, object, embed, svg, math, base, frame, details').length,
})"""


def test_xss_browser_no_script_runs_anywhere(browser, server: Server) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(server.database_url)
    with unit_of_work(engine) as s:
        brand_id = s.scalars(select(Brand.id).where(Brand.slug == "bluebird")).one()
        sam = s.scalars(select(User.id).where(User.email == "sam@bluebird.example")).one()
    ids = seed_payloads(engine, Desk(brand_id=brand_id, other_brand_id=0, users={"agent": sam}))
    engine.dispose()

    context = browser.new_context(viewport={"width": 1360, "height": 900})
    context.add_init_script(HOOKS)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, server, "ada@bluebird.example")
    pages = ["/inbox", "/inbox?status=any&rating=1", "/approvals", "/outbox", "/audit", "/settings/team"]
    pages += [f"/c/{i}" for i in ids]
    report = []
    for path in pages:
        page.goto(server.url + path)
        page.wait_for_timeout(150)  # let htmx fetch its lazy parts (drafts) and swap them in
        result = page.evaluate(CHECK)
        report.append((path, result))
        assert result["xss"] == [] and result["foreignScripts"] == 0, (path, result)
        assert result["handlers"] == 0 and result["foreign"] == 0, (path, result)
        if path == "/inbox":
            shot(page, "xss-inbox")
    page.goto(f"{server.url}/c/{ids[0]}")
    page.wait_for_timeout(300)
    shot(page, "xss-conversation")
    assert dialogs == []
    print(
        f"\nXSS corpus: {len(pages)} pages, no script ran; CSP violations blocked: {sum(r['csp'] for _, r in report)}"
    )
    context.close()
