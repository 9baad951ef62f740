"""POST /api/v1/conversations/{id}/drafts and POST /api/v1/replies/check, on both databases."""

from __future__ import annotations

from factories import make_brand, make_channel, make_conversation, make_customer, make_message


def seed_cold_latte(session):
    brand = make_brand(session, slug="bluebird")  # the shipped Bluebird playbook applies
    channel = make_channel(session, brand=brand, kind="google_business", name="google-canal-street")
    customer = make_customer(session, brand=brand, display_name="Maria Lopez")
    conversation = make_conversation(session, channel=channel, customer=customer, rating=2.0)
    make_message(
        session,
        conversation=conversation,
        text="My oat latte at Canal Street was stone cold and nobody apologised. Really disappointed.",
        rating=2.0,
        author_name="Maria Lopez",
        kind="review",
    )
    session.commit()
    return conversation


def test_api_drafts_refer_to_the_customers_own_words(client, session, token_for):
    conversation = seed_cold_latte(session)
    response = client.post(f"/api/v1/conversations/{conversation.id}/drafts", headers=token_for("agent"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) >= {"reply", "alternatives", "findings", "escalate"}
    assert body["reply"] and "oat latte" in body["reply"].lower()
    assert not any(f["severity"] == "violation" for f in body["findings"])


def test_api_drafts_unknown_conversation_is_404_and_viewers_may_not_draft(client, session, token_for):
    conversation = seed_cold_latte(session)
    missing = client.post("/api/v1/conversations/999999/drafts", headers=token_for("agent"))
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "inbox.conversation_not_found"
    viewer = client.post(f"/api/v1/conversations/{conversation.id}/drafts", headers=token_for("viewer"))
    assert viewer.status_code == 403


def test_api_check_flags_a_forbidden_cliche_in_a_conversation(client, session, token_for):
    conversation = seed_cold_latte(session)
    response = client.post(
        "/api/v1/replies/check",
        json={"conversation_id": conversation.id, "reply": "We apologise for any inconvenience caused."},
        headers=token_for("agent"),
    )
    assert response.status_code == 200, response.text
    codes = {f["code"] for f in response.json()["findings"]}
    assert "forbidden_phrase" in codes


def test_api_check_against_a_bare_message_and_unauthorised_compensation(client, token_for):
    response = client.post(
        "/api/v1/replies/check",
        json={
            "message": "The app charged me twice for my Monthly Beans subscription!",
            "reply": "So sorry! We'll refund you and give you a year of free coffee.",
            "playbook": "bluebird",
        },
        headers=token_for("agent"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["requires_lead"] is True
    assert any(f["severity"] == "violation" for f in body["findings"])


def test_api_check_needs_a_message_or_conversation(client, token_for):
    response = client.post("/api/v1/replies/check", json={"reply": "Thanks!"}, headers=token_for("agent"))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "replies.missing_message"


def test_api_drafts_go_through_the_configured_llm_and_its_policy_breaches_are_refused(
    client, session, token_for, monkeypatch
):
    from llm_server import running_chat_server
    from trustdesk.settings import get_settings

    conversation = seed_cold_latte(session)
    headers = token_for("agent")
    plain = client.post(f"/api/v1/conversations/{conversation.id}/drafts", headers=headers).json()
    with running_chat_server() as chat:
        monkeypatch.setenv("TRUSTDESK_LLM_URL", chat.url)
        monkeypatch.setenv("TRUSTDESK_LLM_KEY", "test-key")
        get_settings.cache_clear()
        chat.answers.append("Sorry Maria! Here is a full refund and a year of free coffee, on us.")
        polished = client.post(f"/api/v1/conversations/{conversation.id}/drafts", headers=headers).json()
    get_settings.cache_clear()
    assert len(chat.requests) == 1 and chat.requests[0]["auth"] == "Bearer test-key"
    assert polished["reply"] == plain["reply"]  # the rewrite promised unauthorised compensation
    assert any(f["code"].startswith("llm") for f in polished["findings"])


def test_api_drafts_follow_the_playbook_edited_in_the_desk(client, session, token_for):
    conversation = seed_cold_latte(session)
    from trustdesk.inbox.models import Brand

    brand = session.get(Brand, conversation.brand_id)
    brand.settings = {
        "playbook_yaml": "extends: bluebird\nforbidden_phrases: ['oat latte']\nvoice:\n  signer: Robin\n"
    }
    session.commit()
    body = client.post(f"/api/v1/conversations/{conversation.id}/drafts", headers=token_for("agent")).json()
    assert "Robin" in body["reply"]


def test_playbook_text_errors_are_listed_and_extends_only_shipped():
    import pytest

    from trustdesk.respond.playbook import PlaybookError, parse_playbook_text

    with pytest.raises(PlaybookError) as err:
        parse_playbook_text("extends: ../../etc/passwd\n")
    assert "no shipped playbook" in str(err.value)
    with pytest.raises(PlaybookError):
        parse_playbook_text("- just a list\n")
