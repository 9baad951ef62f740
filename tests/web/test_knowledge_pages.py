"""The knowledge-base page: leads and admins of the brand list, search, add, edit, delete and import."""

from __future__ import annotations

from sqlalchemy import Engine, select
from tests.web.conftest import Desk

from trustdesk.knowledge.models import KnowledgeEntry
from trustdesk.store.db import unit_of_work
from trustdesk.team.models import AuditEvent

FORM = {"title": "Do you ship to Ireland?", "slug": "", "kind": "faq", "questions": "Deliver to Dublin?\nShip to the EU?",
        "answer": "Our beans ship to the UK and the EU.", "wordings": "We send beans across the UK and the EU.",
        "languages": "es: Enviamos a la UE.", "links": "Delivery | https://bluebirdcoffee.example/delivery",
        "tags": "shipping, EU", "intents": "delivery"}  # fmt: skip


def _entries(engine: Engine) -> list[KnowledgeEntry]:
    with unit_of_work(engine) as s:
        rows = list(s.scalars(select(KnowledgeEntry)))
        s.expunge_all()
        return rows


def test_knowledge_page_lead_adds_edits_searches_and_deletes_audited(
    as_role, desk: Desk, engine: Engine
) -> None:
    client, csrf = as_role("lead")
    response = client.post(
        "/settings/knowledge", data={**FORM, "brand": str(desk.brand_id), "csrf_token": csrf}
    )
    assert response.status_code == 303
    [row] = _entries(engine)
    assert row.slug == "do-you-ship-to-ireland" and row.answers["es"] == ["Enviamos a la UE."]
    page = client.get(f"/settings/knowledge?brand={desk.brand_id}&q=Can+I+get+beans+sent+to+Cork")
    assert page.status_code == 200 and "Do you ship to Ireland?" in page.text
    edit = client.get(f"/settings/knowledge/{row.id}")
    assert edit.status_code == 200 and "We send beans across the UK and the EU." in edit.text
    bad = client.post(f"/settings/knowledge/{row.id}", data={**FORM, "answer": "", "wordings": "", "languages": "",
                                                              "csrf_token": csrf})  # fmt: skip
    assert bad.status_code == 400 and "answer in at least one language" in bad.text
    client.post(f"/settings/knowledge/{row.id}", data={**FORM, "tags": "shipping", "csrf_token": csrf})
    client.post(f"/settings/knowledge/{row.id}/delete", data={"csrf_token": csrf})
    assert _entries(engine) == []
    with unit_of_work(engine) as s:
        actions = [(e.action, e.actor_id, e.brand_id) for e in s.scalars(select(AuditEvent).where(
            AuditEvent.action.like("knowledge.%")).order_by(AuditEvent.id))]  # fmt: skip
    lead = desk.users["lead"]
    assert actions == [("knowledge.create", lead, desk.brand_id), ("knowledge.update", lead, desk.brand_id),
                       ("knowledge.delete", lead, desk.brand_id)]  # fmt: skip


def test_knowledge_page_import_reports_bad_lines_and_keeps_good_entries(
    as_role, desk: Desk, engine: Engine
) -> None:
    client, csrf = as_role("admin")
    text = b"## Opening hours?\nMon-Fri 07:00-18:00.\n\n## No answer\n\n## Links?\nSee us.\nLinks: javascript:alert(1)\n"
    response = client.post("/settings/knowledge/import", data={"brand": str(desk.brand_id), "csrf_token": csrf},
                           files={"file": ("faq.md", text, "text/markdown")})  # fmt: skip
    assert response.status_code == 200
    assert "2 new" in response.text and "line 4" in response.text and "line 8" in response.text
    assert sorted(r.slug for r in _entries(engine)) == ["links", "opening-hours"]
    wrong = client.post("/settings/knowledge/import", data={"brand": str(desk.brand_id), "csrf_token": csrf},
                        files={"file": ("faq.txt", b"x", "text/plain")})  # fmt: skip
    assert wrong.status_code == 400


def test_knowledge_page_is_not_for_agents_nor_another_brand(as_role, desk: Desk, engine: Engine) -> None:
    lead, csrf = as_role("lead")
    lead.post("/settings/knowledge", data={**FORM, "brand": str(desk.brand_id), "csrf_token": csrf})
    [row] = _entries(engine)
    agent, agent_csrf = as_role("agent")
    assert agent.get("/settings/knowledge").status_code == 403
    outsider, other_csrf = as_role("outsider")
    page = outsider.get("/settings/knowledge")
    assert page.status_code == 200 and "Do you ship to Ireland?" not in page.text  # their own, empty base
    assert outsider.get(f"/settings/knowledge/{row.id}").status_code == 404
    assert outsider.get(f"/settings/knowledge?brand={desk.brand_id}").status_code == 404
    assert (
        outsider.post(f"/settings/knowledge/{row.id}/delete", data={"csrf_token": other_csrf}).status_code
        == 404
    )
    assert outsider.post(f"/settings/knowledge/{row.id}", data={**FORM, "title": "Hacked", "csrf_token": other_csrf}
                         ).status_code == 404  # fmt: skip
    assert outsider.post("/settings/knowledge", data={**FORM, "brand": str(desk.brand_id), "csrf_token": other_csrf}
                         ).status_code == 404  # fmt: skip
    assert [r.title for r in _entries(engine)] == ["Do you ship to Ireland?"]


def test_knowledge_page_escapes_hostile_entries(as_role, desk: Desk, engine: Engine) -> None:
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    client, csrf = as_role("lead")
    hostile = {**FORM, "title": f"Hours {payload}", "answer": f"Open {payload}", "tags": payload,
               "questions": payload, "links": "https://ok.example/a\njavascript:alert(3)"}  # fmt: skip
    bad = client.post(
        "/settings/knowledge", data={**hostile, "brand": str(desk.brand_id), "csrf_token": csrf}
    )
    assert bad.status_code == 400 and "http(s) link" in bad.text and payload not in bad.text
    hostile["links"] = "https://ok.example/a"
    client.post("/settings/knowledge", data={**hostile, "brand": str(desk.brand_id), "csrf_token": csrf})
    [row] = _entries(engine)
    for url in (f"/settings/knowledge?brand={desk.brand_id}", f"/settings/knowledge/{row.id}",
                f"/settings/knowledge?brand={desk.brand_id}&q=hours+{payload}"):  # fmt: skip
        page = client.get(url)
        assert page.status_code == 200 and payload not in page.text and "&lt;script&gt;" in page.text
