"""The shipped Bluebird demo data: schema, threading, spread and the hostile examples."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from trustdesk.demo import RATING_CHANNEL_KINDS, load_brand, messages_path, shifted_messages

FIELDS = {
    "id", "text", "author", "author_id", "author_handle", "followers", "channel", "rating",
    "created_at", "url", "parent_id", "language", "kind", "direction", "public", "title",
}  # fmt: skip
KINDS = {"review", "comment", "mention", "dm", "email", "reply"}
SPAM_MARKERS = re.compile(
    r"followers|btc|bitcoin|crypto|airdrop|casino|\$bird|iphone 17|earn \$|page 1 of google|"
    r"overdue invoice|business opportunity|sunglasses|likes fast",
    re.IGNORECASE,
)


def _load() -> list[dict[str, Any]]:
    raw = messages_path().read_bytes().decode("utf-8")
    return [json.loads(line) for line in raw.split("\n") if line]


def _ts(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def messages() -> list[dict[str, Any]]:
    return _load()


@pytest.fixture(scope="module")
def inbound(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if m["direction"] == "inbound"]


def test_demo_data_lines_have_the_generic_schema(messages: list[dict[str, Any]]) -> None:
    assert 300 <= len(messages) <= 400
    for m in messages:
        assert set(m) == FIELDS, m["id"]
        assert isinstance(m["text"], str) and isinstance(m["author"], str) and m["author"]
        assert m["kind"] in KINDS
        assert m["direction"] in {"inbound", "outbound"}
        assert m["language"] in {"en", "es", "fr", "de", "ar"}
        assert isinstance(m["public"], bool)
        assert m["followers"] is None or (isinstance(m["followers"], int) and m["followers"] >= 0)
        if m["kind"] in {"dm", "email"}:
            assert m["public"] is False, m["id"]
        if m["public"]:
            assert m["url"] and m["url"].startswith("https://"), m["id"]


def test_demo_data_ids_are_unique_and_stable(messages: list[dict[str, Any]]) -> None:
    ids = [m["id"] for m in messages]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"demo-\d{4}", i) for i in ids)


def test_demo_data_timestamps_span_three_weeks_before_reference(messages: list[dict[str, Any]]) -> None:
    times = [_ts(m["created_at"]) for m in messages]
    end = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    assert all(end - timedelta(days=21) <= t <= end for t in times)
    assert max(times) - min(times) > timedelta(days=19)


def test_demo_data_parents_exist_and_precede_children(messages: list[dict[str, Any]]) -> None:
    by_id = {m["id"]: m for m in messages}
    children = [m for m in messages if m["parent_id"]]
    assert len(children) >= 25
    for m in children:
        parent = by_id[m["parent_id"]]
        assert _ts(parent["created_at"]) < _ts(m["created_at"]), m["id"]
        assert parent["channel"] == m["channel"], m["id"]
    outbound = [m for m in messages if m["direction"] == "outbound"]
    assert len(outbound) >= 10
    assert all(m["kind"] == "reply" and m["author"] == "Bluebird Coffee" and m["parent_id"] for m in outbound)
    # customer -> brand reply -> customer follow-up, with the reply in the care team's office hours
    chains = [
        m
        for m in children
        if m["direction"] == "inbound"
        and by_id[m["parent_id"]]["direction"] == "outbound"
        and by_id[by_id[m["parent_id"]]["parent_id"]]["direction"] == "inbound"
    ]
    assert len(chains) >= 8
    assert all(8 <= _ts(m["created_at"]).hour < 18 for m in outbound)


def test_demo_data_channels_are_the_brands(messages: list[dict[str, Any]]) -> None:
    channels = {c["name"]: c["kind"] for c in load_brand()["channels"]}
    used = Counter(m["channel"] for m in messages)
    assert set(used) == set(channels)  # every channel has something to show
    rating_channels = {name for name, kind in channels.items() if kind in RATING_CHANNEL_KINDS}
    for m in messages:
        if m["rating"] is not None:
            assert m["channel"] in rating_channels, m["id"]
            assert m["rating"] in {1, 2, 3, 4, 5}
        elif m["kind"] == "review":
            pytest.fail(f"review without rating: {m['id']}")


def test_demo_brand_has_users_sla_and_hours() -> None:
    brand = load_brand()
    assert brand["slug"] == "bluebird" and brand["timezone"] == "Europe/London"
    roles = {u["email"]: u["role"] for u in brand["users"]}
    assert roles == {
        "ada@bluebird.example": "admin",
        "jess@bluebird.example": "lead",
        "sam@bluebird.example": "agent",
        "lee@bluebird.example": "agent",
        "vic@bluebird.example": "viewer",
    }
    assert brand["demo_password"] == "bluebird-demo"
    kinds = {c["kind"] for c in brand["channels"]}
    assert kinds <= set(brand["sla"])
    for target in brand["sla"].values():
        assert 0 < target["first_response_hours"] <= target["resolution_hours"]
    assert set(brand["business_hours"]) == {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}


def test_demo_data_spread_of_languages_and_kinds(inbound: list[dict[str, Any]]) -> None:
    langs = Counter(m["language"] for m in inbound)
    assert langs["en"] / len(inbound) > 0.8
    assert 12 <= langs["es"] <= 20
    assert langs["fr"] >= 2 and langs["de"] >= 2 and langs["ar"] >= 1
    kinds = Counter(m["kind"] for m in inbound)
    for kind in ("review", "comment", "mention", "dm", "email"):
        assert kinds[kind] >= 8, kind


def test_demo_data_spread_of_sentiment_by_rating_and_spam(inbound: list[dict[str, Any]]) -> None:
    rated = [m for m in inbound if m["kind"] == "review" and not SPAM_MARKERS.search(m["text"])]
    negative = sum(m["rating"] <= 2 for m in rated) / len(rated)
    positive = sum(m["rating"] >= 4 for m in rated) / len(rated)
    assert 0.3 <= negative <= 0.5 and 0.35 <= positive <= 0.55
    spam = [m for m in inbound if SPAM_MARKERS.search(m["text"] + " " + (m["title"] or ""))]
    abusive = [m for m in inbound if re.search(r"idiots|clowns|rot in hell|thieves", m["text"], re.I)]
    shouting = [
        m for m in inbound if sum(c.isupper() for c in m["text"]) > 40 and m["text"].upper() == m["text"]
    ]
    assert 0.06 <= (len(spam) + len(abusive) + len(shouting)) / len(inbound) <= 0.15


def test_demo_data_hostile_examples_are_present_and_exact(inbound: list[dict[str, Any]]) -> None:
    texts = [m["text"] for m in inbound]
    assert any("<script>alert(1)</script>" in t for t in texts)
    assert any(m["title"] == "Great app<script>alert(1)</script>" for m in inbound)
    assert sum(1 for m in inbound if m["text"] == "" and m["rating"] is not None) == 2
    assert "قهوة رائعة وخدمة ممتازة، شكراً لكم" in texts
    assert any(t and not any(c.isalpha() for c in t) for t in texts)  # emoji only
    viral = [m for m in inbound if m["followers"] == 48000]
    assert viral and viral[0]["channel"] == "x" and "BB-604118" in viral[0]["text"]
    assert any(re.search(r"\bBB-\d{6}\b", t) for t in texts)
    assert any("small claims court" in t for t in texts)
    assert any("Press enquiry" in (m["title"] or "") for m in inbound)


def test_demo_data_returning_customers_span_channels(inbound: list[dict[str, Any]]) -> None:
    channels_by_author: dict[str, set[str]] = {}
    for m in inbound:
        channels_by_author.setdefault(m["author"], set()).add(m["channel"])
    hannah = channels_by_author["Hannah Okafor"]
    assert {"x", "facebook", "google-canal-street"} <= hannah
    assert sum(len(c) >= 3 for c in channels_by_author.values()) >= 3


def test_demo_shifted_messages_end_at_now_and_keep_spacing(messages: list[dict[str, Any]]) -> None:
    now = datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC)
    shifted = list(shifted_messages(now))
    assert [m["id"] for m in shifted] == [m["id"] for m in messages]
    assert max(_ts(m["created_at"]) for m in shifted) == now
    gap = _ts(messages[-1]["created_at"]) - _ts(messages[0]["created_at"])
    assert _ts(shifted[-1]["created_at"]) - _ts(shifted[0]["created_at"]) == gap
    assert shifted[0]["text"] == messages[0]["text"]


def test_demo_shifted_messages_refuse_naive_now() -> None:
    with pytest.raises(ValueError):
        list(shifted_messages(datetime(2027, 1, 1)))
