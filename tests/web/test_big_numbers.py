"""Issue 13 finding 8: an integer past 2**63 - 1 in a path or a parameter answered 500 on both engines."""

from __future__ import annotations

import re

from fastapi import FastAPI
from tests.web.conftest import Desk, all_routes

from trustdesk.store.db import session_factory
from trustdesk.team.tokens import create_token

HUGE = ["9223372036854775808", str(10**30), "99999999999999999999999999999999999999"]
PARAM = re.compile(r"\{(\w+)\}")


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    return [(m, p) for m, p in all_routes(app) if PARAM.search(p) and "webhooks" not in p]


def test_big_ids_in_paths_answer_404_or_422_on_every_route(as_role, app: FastAPI, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    client, token = as_role("admin")
    routes = _routes(app)
    assert len(routes) >= 15
    engine = app.state.engine
    with session_factory(engine)() as s:
        _, api_token = create_token(session=s, user_id=desk.users["admin"], name="t")
        s.commit()
    api = {"Authorization": f"Bearer {api_token}"}
    for method, path in routes:
        for number in HUGE:
            url = PARAM.sub(number, path)
            headers = api if path.startswith("/api/") else {"X-CSRF-Token": token}
            response = client.request(
                method, url, headers=headers, data={"csrf_token": token} if method == "POST" else None
            )
            assert response.status_code in (404, 422), (
                method,
                url,
                response.status_code,
                response.text[:200],
            )


def test_big_numbers_in_filters_answer_without_500(as_role, app: FastAPI, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    client, token = as_role("admin")
    with session_factory(app.state.engine)() as s:
        _, api_token = create_token(session=s, user_id=desk.users["admin"], name="t")
        s.commit()
    api = {"Authorization": f"Bearer {api_token}"}
    for number in HUGE + ["²", "-1", "0"]:
        for url in (
            f"/api/v1/conversations?brand={number}",
            f"/api/v1/conversations?channel={number}",
            f"/api/v1/messages/search?q=latte&brand_id={number}",
        ):
            assert client.get(url, headers=api).status_code in (200, 400, 422), url
        assert client.get(f"/api/v1/conversations?assignee={number}", headers=api).status_code in (200, 400)
        for url in (f"/inbox?assignee={number}", f"/inbox?rating={number}", f"/settings/sla?brand={number}",
                    f"/settings/playbook?brand={number}", f"/inbox?channel={number}"):  # fmt: skip
            assert client.get(url).status_code in (200, 400, 404, 422), url
        bulk = client.post("/inbox/bulk", data={"csrf_token": token, "action": "spam", "ids": number})
        assert bulk.status_code in (303, 400, 403), bulk.text[:200]
        conv = desk.conversations["angry"]
        assign = client.post(f"/c/{conv}/assign", data={"csrf_token": token, "assignee": number})
        assert assign.status_code == 303
