"""Issue 16: several brands are equals in the desk: a switcher and a filter, per-brand settings pages,
sensible defaults for a new brand, drafts signed with the brand's own name."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.factories import make_channel, make_conversation, make_message
from tests.web.conftest import PASSWORD, Desk, _hash, sign_in

from trustdesk.inbox.channels import DEFAULT_SLA, create_brand
from trustdesk.inbox.models import Brand
from trustdesk.respond.desk import draft_for_conversation
from trustdesk.store.db import unit_of_work
from trustdesk.team.models import Membership, User


def _two_brand_lead(engine: Engine, desk: Desk) -> str:
    with unit_of_work(engine) as s:
        user = User(
            email="both@example.com", name="Both", role="lead", password_hash=_hash(), session_version=1
        )
        s.add(user)
        s.flush()
        s.add_all([Membership(user_id=user.id, brand_id=desk.brand_id, role="lead"),
                   Membership(user_id=user.id, brand_id=desk.other_brand_id, role="admin")])  # fmt: skip
    return "both@example.com"


def test_brand_switcher_narrows_the_inbox_and_picks_the_settings_brand(
    app: FastAPI, desk: Desk, engine: Engine
) -> None:
    email = _two_brand_lead(engine, desk)
    with TestClient(app, follow_redirects=False) as client:
        token = sign_in(client, email, PASSWORD)
        page = client.get("/inbox").text
        assert 'id="brand-switch"' in page and "Fernway Books" in page
        assert "A Fernway secret complaint" in page and "stone cold" in page  # all brands by default
        switched = client.post(
            "/brand", data={"csrf_token": token, "brand": str(desk.other_brand_id), "next": "/inbox"}
        )
        assert switched.status_code == 303 and switched.headers["location"] == "/inbox"
        page = client.get("/inbox").text
        assert "A Fernway secret complaint" in page and "stone cold" not in page
        # the inbox's own brand filter overrides the switcher for one view
        assert "stone cold" in client.get(f"/inbox?brand={desk.brand_id}").text
        # the SLA page follows the switcher (this user may manage SLAs on both)
        assert "Fernway Books" in client.get("/settings/sla").text
        # a brand the user does not work on is ignored: back to all brands
        client.post("/brand", data={"csrf_token": token, "brand": "999", "next": "/inbox"})
        assert "stone cold" in client.get("/inbox").text
        # an off-site "next" is never followed
        assert (
            client.post(
                "/brand", data={"csrf_token": token, "brand": "", "next": "https://evil.example"}
            ).headers["location"]
            == "/inbox"
        )


def test_single_brand_users_see_no_switcher(as_role, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    client, _ = as_role("agent")
    assert 'id="brand-switch"' not in client.get("/inbox").text


def test_a_new_brand_has_sla_defaults_and_signs_with_its_own_name(engine: Engine) -> None:
    with unit_of_work(engine) as s:
        brand = create_brand(session=s, slug="acme", name="Acme Coffee")
        assert brand.settings["sla"]["x"] == DEFAULT_SLA["x"] and brand.settings["business_hours"]["mon"]
        channel = make_channel(s, brand=brand, name="acme-google", kind="google_business")
        conv = make_conversation(s, channel=channel)
        make_message(s, conversation=conv, text="Lovely flat white and a friendly welcome, thank you!", rating=5.0,
                     author_name="Jane Smith")  # fmt: skip
        conv_id = conv.id
    with unit_of_work(engine) as s:
        result = draft_for_conversation(session=s, conversation_id=conv_id)
    texts = [result.reply or "", *result.alternatives]
    assert any("Acme Coffee" in t for t in texts), texts[0]
    assert not any("Customer Care" in t for t in texts)
    with unit_of_work(engine) as s:
        assert s.get_one(Brand, s.get_one(Brand, brand.id).id).slug == "acme"
