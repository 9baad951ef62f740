"""The seeded synthetic-message generator used by the benchmarks."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bench.synth import DEFAULT_CHANNELS, RATED_CHANNELS, generate, iter_lines, main

from trustdesk.collect.formats.generic import parse_generic_object
from trustdesk.collect.records import Rejected

FIELDS = {
    "id", "text", "author", "author_id", "author_handle", "followers", "channel", "rating",
    "created_at", "url", "parent_id", "language", "kind", "direction", "public", "title",
}  # fmt: skip
START = datetime(2026, 1, 1, tzinfo=UTC)


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def sample() -> list[dict[str, Any]]:
    return list(generate(20_000, seed=11, channels=DEFAULT_CHANNELS, start=START))


def test_synth_same_seed_same_messages_other_seed_differs() -> None:
    first = list(iter_lines(2_000, seed=5))
    assert first == list(iter_lines(2_000, seed=5))
    assert first != list(iter_lines(2_000, seed=6))


def test_synth_lines_are_json_in_the_generic_schema(sample: list[dict[str, Any]]) -> None:
    assert len(sample) == 20_000
    assert len({m["id"] for m in sample}) == len(sample)
    for m in sample:
        assert set(m) == FIELDS
        assert m["channel"] in DEFAULT_CHANNELS
        assert m["public"] is (m["url"] is not None)
        if m["kind"] in ("dm", "email"):
            assert m["public"] is False
    # The real importer reads every line: nothing rejected, nothing noted.
    for line, m in enumerate(sample[:3_000], start=1):
        record = parse_generic_object(m, line=line)
        assert not isinstance(record, Rejected), record
        assert record.notes == []


def test_synth_parents_exist_earlier_on_the_same_channel(sample: list[dict[str, Any]]) -> None:
    seen: dict[str, dict[str, Any]] = {}
    previous = START
    for m in sample:
        created = _ts(m["created_at"])
        assert created > previous  # strictly increasing, so a parent is always earlier
        previous = created
        if m["parent_id"] is not None:
            parent = seen[m["parent_id"]]
            assert parent["parent_id"] is None and parent["channel"] == m["channel"]
            assert parent["public"] == m["public"]  # a reply to a DM stays private
        seen[m["id"]] = m
    assert previous - START > timedelta(days=300)  # a year's worth, for n lines of any size
    assert previous - START < timedelta(days=370)


def test_synth_mix_of_threads_authors_ratings_and_languages(sample: list[dict[str, Any]]) -> None:
    replies = [m for m in sample if m["parent_id"]]
    assert 0.36 < len(replies) / len(sample) < 0.44
    assert any(m["direction"] == "outbound" and m["kind"] == "reply" for m in replies)
    seen: set[str] = set()
    recurring = 0
    roots = [m for m in sample if not m["parent_id"]]
    for m in sample:
        if not m["parent_id"] and m["author_id"] in seen:
            recurring += 1
        seen.add(m["author_id"])
    assert 0.2 < recurring / len(roots) < 0.3
    for m in sample:
        if m["rating"] is not None:
            assert m["channel"] in RATED_CHANNELS and m["rating"] in (1, 2, 3, 4, 5)
        if m["kind"] == "review":
            assert m["rating"] is not None
    dms = [m for m in sample if m["kind"] == "dm" and m["channel"] in ("x", "facebook")]
    assert dms and all(m["public"] is False and m["url"] is None for m in dms)
    languages = Counter(m["language"] for m in sample)
    assert languages["en"] > 0.85 * len(sample) and languages["es"] and languages["fr"] and languages["de"]


def test_synth_vocabulary_has_common_and_rare_terms(sample: list[dict[str, Any]]) -> None:
    docs = Counter(w for m in sample for w in set(m["text"].lower().split()))
    assert docs["harbour"] > 0.02 * len(sample)  # product names are common
    assert len(docs) > 5_000
    assert sum(1 for count in docs.values() if count == 1) > 1_000  # long tail: terms in one message
    orders = {w for w in docs if w.startswith("bb-")}
    assert len(orders) > 500


def test_synth_custom_channels_rate_only_rated_ones() -> None:
    out = list(
        generate(3_000, seed=1, channels=["shop-reviews", "chat"], start=START, rated={"shop-reviews"})
    )
    assert {m["channel"] for m in out} == {"shop-reviews", "chat"}
    assert all(m["rating"] is None for m in out if m["channel"] == "chat")
    assert any(m["rating"] is not None for m in out if m["channel"] == "shop-reviews")


def test_synth_rejects_naive_start_and_empty_channels() -> None:
    with pytest.raises(ValueError):
        next(iter_lines(1, seed=1, start=datetime(2026, 1, 1)))
    with pytest.raises(ValueError):
        next(iter_lines(1, seed=1, channels=[]))


def test_synth_cli_writes_n_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "s.jsonl"
    assert main(["--messages", "1234", "--seed", "3", "--out", str(out), "--json"]) == 0
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and len(lines) == 1235
    assert [json.loads(x) for x in lines[:-1]] == list(generate(1234, seed=3))
    summary = json.loads(capsys.readouterr().err)
    assert summary["lines"] == 1234 and summary["lines_per_s"] > 0
