"""The measured cliché list: each phrase found whole-word, in any case and apostrophe, and nothing else."""

from __future__ import annotations

from trustdesk.respond.cliches import CLICHES, find_cliches


def test_cliches_are_found_as_written_and_only_whole_words():
    text = (
        "We’re sorry to hear that! Please DM us and we'll take a look. We're here to help. Have a great day"
    )
    assert find_cliches(text) == ["sorry to hear that", "Please DM us", "take a look", "We're here to help",
                                  "Have a great day"]  # fmt: skip
    assert find_cliches("Our beans ship to Ireland in 3–5 working days; the cancel link is fixed.") == []
    assert find_cliches("the random dm usage") == []


def test_cliches_carry_their_measured_figures():
    assert len({c.phrase for c in CLICHES}) == len(CLICHES)
    assert all(0 < c.share < 0.2 and 0 <= c.companies <= 7 and c.why for c in CLICHES)
