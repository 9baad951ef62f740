"""Issue 13 finding 2: an admin manages only users whose every brand they administer."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from tests.web.conftest import PASSWORD, Desk, _hash, sign_in

from trustdesk.store.db import unit_of_work
from trustdesk.team.models import AuditEvent, Membership, User


def _add(engine: Engine, email: str, role: str, brand_id: int | None) -> int:
    with unit_of_work(engine) as s:
        user = User(
            email=email, name=email.split("@")[0], role=role, password_hash=_hash(), session_version=1
        )
        s.add(user)
        s.flush()
        if brand_id is not None:
            s.add(Membership(user_id=user.id, brand_id=brand_id, role=role))
        return user.id


def _signed_in(app: FastAPI, email: str) -> tuple[TestClient, str]:
    client = TestClient(app, follow_redirects=False)
    client.__enter__()
    return client, sign_in(client, email, PASSWORD)


def test_team_other_brands_admin_cannot_touch_or_list_our_users(
    app: FastAPI, desk: Desk, engine: Engine
) -> None:
    """Rival's admin could deactivate, demote and list Bluebird's users (issue 13)."""
    _add(engine, "admin@fernway.example", "admin", desk.other_brand_id)
    global_admin = _add(engine, "owner@example.com", "admin", None)
    rival, token = _signed_in(app, "admin@fernway.example")
    page = rival.get("/settings/team")
    assert page.status_code == 200
    assert "agent@bluebird.example" not in page.text and "lead@fernway.example" in page.text
    for target in (desk.users["agent"], desk.users["admin"]):
        assert (
            rival.post(f"/settings/team/{target}", data={"active": "0", "csrf_token": token}).status_code
            == 404
        )
        assert (
            rival.post(f"/settings/team/{target}", data={"role": "viewer", "csrf_token": token}).status_code
            == 404
        )
    # the global admin is listed (they work on Fernway too) but cannot be locked out by a brand admin
    assert "owner@example.com" in page.text
    assert (
        rival.post(f"/settings/team/{global_admin}", data={"active": "0", "csrf_token": token}).status_code
        == 403
    )
    with unit_of_work(engine) as s:
        assert all(u.is_active for u in s.scalars(select(User)))
        memberships = s.scalars(select(Membership).where(Membership.user_id == desk.users["agent"])).all()
        assert [(m.brand_id, m.role) for m in memberships] == [(desk.brand_id, "agent")]
        assert not s.scalars(select(AuditEvent).where(AuditEvent.action == "user.update")).all()


def test_team_admin_of_one_brand_cannot_change_a_user_of_two(
    app: FastAPI, desk: Desk, engine: Engine
) -> None:
    """A user who also works on a brand the admin does not administer is read-only to that admin."""
    both = _add(engine, "both@example.com", "agent", desk.brand_id)
    with unit_of_work(engine) as s:
        s.add(Membership(user_id=both, brand_id=desk.other_brand_id, role="lead"))
    admin, token = _signed_in(app, desk.emails["admin"])
    assert admin.post(f"/settings/team/{both}", data={"active": "0", "csrf_token": token}).status_code == 403
    own = desk.users["agent"]
    assert admin.post(f"/settings/team/{own}", data={"role": "lead", "csrf_token": token}).status_code == 303
    with unit_of_work(engine) as s:
        assert s.get_one(User, both).is_active
        assert s.get_one(Membership, (own, desk.brand_id)).role == "lead"
        assert s.get(Membership, (own, desk.other_brand_id)) is None


def test_team_global_admin_manages_everyone_but_not_themselves(
    app: FastAPI, desk: Desk, engine: Engine
) -> None:
    owner = _add(engine, "owner@example.com", "admin", None)
    client, token = _signed_in(app, "owner@example.com")
    page = client.get("/settings/team")
    assert "agent@bluebird.example" in page.text and "lead@fernway.example" in page.text
    target = desk.users["outsider"]
    assert (
        client.post(f"/settings/team/{target}", data={"active": "0", "csrf_token": token}).status_code == 303
    )
    assert (
        client.post(f"/settings/team/{owner}", data={"active": "0", "csrf_token": token}).status_code == 403
    )
    with unit_of_work(engine) as s:
        assert not s.get_one(User, target).is_active and s.get_one(User, owner).is_active
