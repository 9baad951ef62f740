"""Issue 13 findings 1-2 through the API: playbooks by name only, roles per brand."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from factories import make_brand, make_channel, make_conversation, make_message, make_user
from trustdesk.team.models import Membership
from trustdesk.team.tokens import create_token

HOSTILE = ["/etc/shadow", "/etc/passwd", "/proc/self/status", "/dev/zero", "", ".", "pyproject.toml",
           "../../../../etc/hosts", "../playbooks/default", "default.yaml", "/work/main/README.md"]  # fmt: skip


@pytest.mark.parametrize("name", HOSTILE)
def test_api_check_never_reads_a_path_from_the_request(
    client: TestClient, token_for: Callable[..., dict[str, str]], name: str
) -> None:
    """``"playbook": "/etc/shadow"`` returned the file's lines; ``/dev/zero`` grew the server to 2 GB."""
    response = client.post(
        "/api/v1/replies/check",
        json={"reply": "Thanks!", "message": "Cold coffee", "playbook": name},
        headers=token_for("agent"),
    )
    if name == "":
        assert response.status_code == 200  # empty means the shipped default
        return
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"]["code"] in {"replies.unknown_playbook", "request.invalid"}
    assert "root" not in response.text and "VmRSS" not in response.text


def test_api_check_takes_a_shipped_name_or_own_brand(
    client: TestClient, session: Session, token_for: Callable[..., dict[str, str]]
) -> None:
    make_brand(session, slug="acme")
    headers = token_for("agent")
    for name in ("bluebird", "default", "acme"):
        response = client.post(
            "/api/v1/replies/check",
            json={"reply": "Sorry, we'll look into it.", "message": "Cold coffee", "playbook": name},
            headers=headers,
        )
        assert response.status_code == 200, (name, response.text)


def test_playbook_extends_cannot_leave_the_shipped_set(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``extends: ../../../../x`` in the desk's editor read the keys of any YAML file."""
    from trustdesk.respond.playbook import PLAYBOOK_DIR, PlaybookError, parse_playbook_text

    secret = tmp_path / "secret.yaml"
    secret.write_text("db_password: hunter2\n", encoding="utf-8")
    relative = "/".join([".."] * len(PLAYBOOK_DIR.parts)) + str(secret.with_suffix(""))
    for parent in (relative, str(secret), str(secret.with_suffix("")), "../playbooks/default"):
        with pytest.raises(PlaybookError) as err:
            parse_playbook_text(f"extends: {parent}\n")
        assert "no shipped playbook" in str(err.value) and "hunter2" not in str(err.value)


def test_playbook_yaml_aliases_and_size_are_refused() -> None:
    from trustdesk.respond.playbook import MAX_PLAYBOOK_BYTES, PlaybookError, parse_playbook_text

    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b]\n'
    with pytest.raises(PlaybookError, match="aliases"):
        parse_playbook_text(bomb)
    with pytest.raises(PlaybookError, match="larger than"):
        parse_playbook_text("name: x\n# " + "y" * MAX_PLAYBOOK_BYTES + "\n")


def test_load_playbook_refuses_a_device(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from trustdesk.respond.playbook import PlaybookError, load_playbook

    with pytest.raises(PlaybookError, match="regular file"):
        load_playbook("/dev/zero")


def test_api_role_is_the_role_on_the_conversations_brand(client: TestClient, session: Session) -> None:
    """A lead on brand A and viewer on brand B got 200 on B's drafts through the API (issue 13)."""
    a, b = make_brand(session, slug="brand-a"), make_brand(session, slug="brand-b")
    conversations = {}
    for brand in (a, b):
        channel = make_channel(session, brand=brand, name=f"{brand.slug}-x", kind="x")
        conv = make_conversation(session, channel=channel)
        make_message(session, conversation=conv, text="My order never arrived and nobody answers.")
        conversations[brand.slug] = conv.id
    user = make_user(session, role="viewer")
    session.add_all([
        Membership(user_id=user.id, brand_id=a.id, role="lead"),
        Membership(user_id=user.id, brand_id=b.id, role="viewer"),
    ])  # fmt: skip
    _, plaintext = create_token(session=session, user_id=user.id, name="t")
    session.commit()
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert (
        client.post(f"/api/v1/conversations/{conversations['brand-a']}/drafts", headers=headers).status_code
        == 200
    )
    denied = client.post(f"/api/v1/conversations/{conversations['brand-b']}/drafts", headers=headers)
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "auth.forbidden"
    check = client.post(
        "/api/v1/replies/check",
        json={"reply": "Sorry!", "conversation_id": conversations["brand-b"]},
        headers=headers,
    )
    assert check.status_code == 403
    # reading brand B is still allowed to its viewer
    assert client.get(f"/api/v1/conversations/{conversations['brand-b']}", headers=headers).status_code == 200
