"""Customer text is hostile: the XSS corpus (OWASP filter-evasion entries) in every field, on every page."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import Engine
from tests.factories import make_conversation, make_customer, make_message
from tests.web.conftest import Desk

from trustdesk.inbox.models import Channel, ConversationTag
from trustdesk.publish.models import Note, Reply
from trustdesk.publish.outbox import enqueue
from trustdesk.store.db import unit_of_work
from trustdesk.team import audit
from trustdesk.web.render import http_url

PAYLOADS = [
    p
    for p in (Path(__file__).parent / "xss_payloads.txt").read_text(encoding="utf-8").split("\n")
    if p.strip()
]
FOREIGN_TAGS = {
    "img",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "svg",
    "math",
    "base",
    "bgsound",
    "style",
    "details",
}
URL_ATTRS = {"href", "src", "action", "formaction", "data", "background", "dynsrc", "lowsrc"}
OUR_HX = {"hx-get", "hx-post", "hx-trigger", "hx-target", "hx-swap", "hx-headers"}


def seed_payloads(engine: Engine, desk: Desk) -> list[int]:
    """One conversation per payload with the payload as text, title, author, handle, URL, customer, note, reply."""
    ids = []
    with unit_of_work(engine) as s:
        channel = s.query(Channel).filter_by(brand_id=desk.brand_id).first()
        assert channel is not None
        for i, payload in enumerate(PAYLOADS):
            customer = make_customer(
                s, brand=channel.brand, identities_on=[channel], display_name=payload[:300]
            )
            conv = make_conversation(s, channel=channel, customer=customer, priority=99.0 - i / 100, subject=payload[:300],
                                     sentiment="negative")  # fmt: skip
            s.add(ConversationTag(conversation_id=conv.id, tag=payload[:64]))
            make_message(s, conversation=conv, text=payload, title=payload, author_name=payload, author_handle=payload,
                         url=payload, analyzed_at=conv.first_message_at, analysis_reasons=[payload])  # fmt: skip
            s.add(Note(conversation_id=conv.id, author_id=desk.users["agent"], text=payload, mentions=[]))
            pending = Reply(brand_id=desk.brand_id, conversation_id=conv.id, author_id=desk.users["agent"], text=payload,
                            status="pending", approval_reasons=[payload],
                            findings=[{"code": "x", "severity": "warning", "message": payload, "span": payload}])  # fmt: skip
            approved = Reply(brand_id=desk.brand_id, conversation_id=conv.id, text=payload, status="approved")
            s.add_all([pending, approved])
            s.flush()
            enqueue(session=s, reply=approved)
            audit.record(session=s, action="conversation.tag", entity_type="conversation", entity_id=conv.id,
                         brand_id=desk.brand_id, summary=payload)  # fmt: skip
            ids.append(conv.id)
    return ids


class _Tags(HTMLParser):
    """Collects every element and its attributes, the way a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def assert_inert(html: str, where: str) -> None:
    """No payload survives as markup: no foreign elements, handlers, script URLs or htmx attributes."""
    for payload in PAYLOADS:
        if "<" in payload:
            assert payload not in html, f"{where}: payload rendered raw: {payload[:80]}"
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in FOREIGN_TAGS, f"{where}: <{tag}> element from customer text"
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/"), f"{where}: script {attrs}"
        if tag == "meta":
            assert "http-equiv" not in attrs, f"{where}: meta refresh {attrs}"
        if tag == "link":
            assert attrs.get("href", "").startswith("/static/"), f"{where}: link {attrs}"
        if tag == "input":
            assert attrs.get("type") != "image" and "src" not in attrs, f"{where}: input {attrs}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{where}: event handler {name}={value!r} on <{tag}>"
            squeezed = re.sub(r"[\s\x00-\x1f]", "", value).lower()
            if name in URL_ATTRS:
                assert not squeezed.startswith(("javascript:", "vbscript:", "data:")), (
                    f"{where}: {name}={value!r}"
                )
            if name.startswith("hx-"):
                assert name in OUR_HX and "logout" not in value, f"{where}: htmx attribute {name}={value!r}"


def test_xss_every_page_escapes_the_corpus(as_role, desk: Desk, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    ids = seed_payloads(engine, desk)
    client, token = as_role("admin")
    pages = ["/inbox", "/inbox?status=any", "/approvals", "/outbox", "/audit", "/settings/team"]
    pages += [f"/c/{i}" for i in ids] + [f"/c/{i}/thread" for i in ids[:5]]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert_inert(response.text, page)
    for payload in PAYLOADS[:10]:  # the checker echoes what is typed
        checked = client.post(f"/c/{ids[0]}/check", data={"text": payload}, headers={"X-CSRF-Token": token})
        assert_inert(checked.text, "checker")
    search = client.get("/inbox", params={"q": PAYLOADS[1]})
    assert_inert(search.text, "search")


def test_xss_http_url_only_passes_http_links() -> None:
    assert http_url("https://g.page/r/abc") == "https://g.page/r/abc"
    for bad in (
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "data:text/html,x",
        "vbscript:x",
        "//evil",
        "jav\tascript:x",
        "",
    ):
        assert http_url(bad) == ""
