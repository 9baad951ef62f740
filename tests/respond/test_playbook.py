"""Playbook loading and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustdesk.respond import PlaybookError, load_playbook
from trustdesk.respond.playbook import shipped_playbooks


def test_playbook_shipped_playbooks_all_load() -> None:
    assert {"default", "bluebird", "fernway"} <= set(shipped_playbooks())
    for name in shipped_playbooks():
        pb = load_playbook(name)
        assert pb.situations["spam"].public_reply is False
        assert set(pb.languages) == {"en", "es"}
    assert load_playbook(None).name == "default"


def test_playbook_bluebird_uses_the_demo_brand_facts(bluebird) -> None:
    facts = bluebird.facts
    assert facts.brand == "Bluebird Coffee Co."
    assert {s.name for s in facts.staff} == {"Priya", "Tom", "Aisha", "Marco", "Jess"}
    assert {loc.name for loc in facts.locations} == {
        "Bluebird Canal Street",
        "Bluebird Old Town",
        "Bluebird Riverside",
    }
    assert facts.opening_hours == ["Mon–Fri 07:00–18:00", "Sat–Sun 08:00–17:00"]
    assert facts.care_email == "care@bluebirdcoffee.example"
    assert bluebird.channels["play-store"] == "google_play"
    assert bluebird.voice.signer == "Jess"


_MEANING_MISTAKES = """
compensation:
  - {id: x, situations: [nowhere], offer: {en: "a hug"}}
phrases:
  en:
    thank:
      default: ["Thanks {nickname}!"]
"""


def _errors(path: Path, text: str) -> PlaybookError:
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlaybookError) as caught:
        load_playbook(path)
    return caught.value


def test_playbook_reports_every_mistake_at_once(tmp_path: Path) -> None:
    head = "name: broken\nextends: default\n"
    structural = "voice: {emoji: lots}\nsituations:\n  complaint: {steps: [greet, dance, signoff]}\n"
    paths = [p for p, _ in _errors(tmp_path / "a.yaml", head + structural + _MEANING_MISTAKES).errors]
    assert "voice.emoji" in paths
    assert "situations.complaint.steps.1" in paths
    # Structural errors come first; a structurally valid file is then checked for meaning.
    error = _errors(tmp_path / "b.yaml", head + _MEANING_MISTAKES)
    paths = [p for p, _ in error.errors]
    assert "compensation.0.situations" in paths
    assert "compensation.x.offer.es" in paths
    assert "phrases.en.thank.default.0" in paths
    assert "3 problem(s)" in str(error)


def test_playbook_rejects_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(PlaybookError, match="cannot read"):
        load_playbook(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(PlaybookError, match="not valid YAML"):
        load_playbook(bad)
    bad.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(PlaybookError, match="mapping"):
        load_playbook(bad)


def test_playbook_extends_overrides_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "name: mine\nextends: default\nvoice: {signer: Ana}\nfacts: {brand: Mine Ltd}\n", encoding="utf-8"
    )
    pb = load_playbook(path)
    default = load_playbook(None)
    assert pb.voice.signer == "Ana"
    assert pb.voice.max_length == default.voice.max_length
    assert pb.facts.brand == "Mine Ltd"
    assert pb.phrases == default.phrases


def test_playbook_extends_cycle_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: a\nextends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("name: b\nextends: a.yaml\n", encoding="utf-8")
    with pytest.raises(PlaybookError, match="cycle"):
        load_playbook(tmp_path / "a.yaml")
