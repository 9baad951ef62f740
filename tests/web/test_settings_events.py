"""Team, playbook editor, SLA settings, audit page, and the live event stream."""

from __future__ import annotations

from sqlalchemy import Engine, select
from tests.factories import make_message
from tests.web.conftest import Desk

from trustdesk.inbox.models import Brand, Conversation
from trustdesk.respond.playbook import PLAYBOOK_DIR
from trustdesk.store.db import unit_of_work
from trustdesk.team.models import Membership, User


def test_settings_admin_adds_user_and_changes_role(as_role, desk: Desk, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    client, token = as_role("admin")
    form = {
        "email": "new@bluebird.example",
        "name": "New Person",
        "role": "agent",
        "password": "long-enough-pw",
        "csrf_token": token,
    }
    assert client.post("/settings/team", data=form).status_code == 303
    dup = client.post("/settings/team", data=form)
    assert dup.status_code == 400 and "already exists" in dup.text
    with unit_of_work(engine) as s:
        user = s.scalars(select(User).where(User.email == "new@bluebird.example")).one()
    client.post(f"/settings/team/{user.id}", data={"role": "lead", "csrf_token": token})
    client.post(f"/settings/team/{user.id}", data={"active": "0", "csrf_token": token})
    with unit_of_work(engine) as s:
        changed = s.get_one(User, user.id)
        # the role that counts is the one on the brand the admin manages (the new user's only brand)
        assert s.get_one(Membership, (user.id, desk.brand_id)).role == "lead" and not changed.is_active
        assert s.get(Membership, (user.id, desk.other_brand_id)) is None
    assert "new@bluebird.example" in client.get("/settings/team").text
    assert "user.update" in client.get("/audit").text


def test_settings_playbook_editor_refuses_invalid_and_saves_valid(
    as_role, desk: Desk, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    client, token = as_role("admin")
    page = client.get("/settings/playbook")
    assert page.status_code == 200 and "bluebird" in page.text
    bad = client.post(
        "/settings/playbook",
        data={"text": "name: x\nsituations: 3\n", "brand": str(desk.brand_id), "csrf_token": token},
    )
    assert bad.status_code == 400 and "Not saved" in bad.text and "situations" in bad.text
    broken_yaml = client.post(
        "/settings/playbook", data={"text": "a: [", "brand": str(desk.brand_id), "csrf_token": token}
    )
    assert broken_yaml.status_code == 400 and "not valid YAML" in broken_yaml.text
    valid = (PLAYBOOK_DIR / "bluebird.yaml").read_text(encoding="utf-8") + "\n# edited in the desk\n"
    saved = client.post(
        "/settings/playbook", data={"text": valid, "brand": str(desk.brand_id), "csrf_token": token}
    )
    assert saved.status_code == 303
    with unit_of_work(engine) as s:
        assert "edited in the desk" in s.get_one(Brand, desk.brand_id).settings["playbook_yaml"]
    lead, lead_token = as_role("lead")
    assert lead.get("/settings/playbook").status_code == 403


def test_settings_sla_saved_and_validated(as_role, desk: Desk, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    client, token = as_role("lead")
    text = "sla:\n  x: {first_response_hours: 1, resolution_hours: 8}\nbusiness_hours:\n  mon: ['08:00', '18:00']\nholidays: ['2026-12-25']\n"
    assert (
        client.post(
            "/settings/sla", data={"text": text, "brand": str(desk.brand_id), "csrf_token": token}
        ).status_code
        == 303
    )
    with unit_of_work(engine) as s:
        settings = s.get_one(Brand, desk.brand_id).settings
        assert settings["sla"]["x"]["first_response_hours"] == 1 and settings["holidays"] == ["2026-12-25"]
    bad = client.post(
        "/settings/sla",
        data={
            "text": "sla: {x: {first_response_hours: soon}}",
            "brand": str(desk.brand_id),
            "csrf_token": token,
        },
    )
    assert bad.status_code == 400 and "Not saved" in bad.text


def test_events_stream_says_hello_then_reports_new_messages(client, desk: Desk, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    from tests.web.conftest import sign_in

    sign_in(client, desk.emails["viewer"])
    once = client.get("/events?once=1")
    assert once.status_code == 200 and once.headers["content-type"].startswith("text/event-stream")
    assert once.text.startswith("event: hello")
    # the global newest message id leaked how busy every other brand is (issue 13)
    assert once.text.split("\n")[1] == "data: {}"
    with client.stream("GET", "/events") as stream:
        lines = stream.iter_lines()
        assert next(lines).startswith("event: hello")
        with unit_of_work(engine) as s:
            conv = s.get_one(Conversation, desk.conversations["happy"])
            make_message(s, conversation=conv, text="One more thing!")
        for line in lines:
            if line.startswith("event: messages"):
                data = next(lines)
                assert data == f'data: {{"conversations": [{desk.conversations["happy"]}]}}'
                break


def test_settings_tokens_created_once_work_and_revoke(as_role, desk: Desk, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    import re

    client, token = as_role("viewer")
    page = client.post("/settings/tokens", data={"name": "reports", "csrf_token": token})
    secret = re.search(r'id="new-token">([^<]+)<', page.text)
    assert secret is not None
    api = client.get("/api/v1/conversations", headers={"Authorization": f"Bearer {secret.group(1)}"})
    assert api.status_code == 200
    listing = client.get("/settings/tokens").text
    assert "reports" in listing and secret.group(1) not in listing  # shown once only
    token_id = re.search(r"/settings/tokens/(\d+)/revoke", listing)
    assert token_id is not None
    other, other_token = as_role("agent")
    assert (
        other.post(
            f"/settings/tokens/{token_id.group(1)}/revoke", data={"csrf_token": other_token}
        ).status_code
        == 404
    )
    client.post(f"/settings/tokens/{token_id.group(1)}/revoke", data={"csrf_token": token})
    assert (
        client.get(
            "/api/v1/conversations", headers={"Authorization": f"Bearer {secret.group(1)}"}
        ).status_code
        == 401
    )


def test_events_announce_only_the_viewers_brands(desk: Desk, engine: Engine) -> None:
    from trustdesk.web.views.events import _changed, _newest

    newest = _newest(engine)
    assert newest > 0
    mine = _changed(engine, [desk.brand_id], 0)
    theirs = _changed(engine, [desk.other_brand_id], 0)
    assert desk.conversations["angry"] in mine and desk.other_conversation not in mine
    assert theirs == [desk.other_conversation]
    assert _changed(engine, [desk.brand_id], newest) == []


def test_background_tick_wakes_snoozed_and_escalates(desk: Desk, engine: Engine) -> None:
    from datetime import timedelta

    from trustdesk.store.base import utcnow
    from trustdesk.web.background import tick

    with unit_of_work(engine) as s:
        conv = s.get_one(Conversation, desk.conversations["happy"])
        conv.status, conv.snoozed_until = "waiting", utcnow() - timedelta(minutes=1)
    done = tick(engine)
    assert done["woke"] == 1 and done["escalated"] == 1  # the 30-hour-old review missed its 24 h target
    with unit_of_work(engine) as s:
        assert s.get_one(Conversation, desk.conversations["happy"]).status == "open"
        assert "sla-breach" in {t.tag for t in s.get_one(Conversation, desk.conversations["angry"]).tags}
