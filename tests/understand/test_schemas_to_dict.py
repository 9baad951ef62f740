"""Analysis.to_dict: the same plain form as dataclasses.asdict, and never shared with the result."""

from __future__ import annotations

from dataclasses import asdict

from trustdesk.understand import MessageInput, analyze


def test_to_dict_equals_asdict_and_copies_the_mutable_parts():
    results = analyze(
        [
            MessageInput(text="Furious: my box never arrived, refund me now!!!", rating=1.0),
            MessageInput(text=""),
        ],
        tier="fast",
    )
    for result in results:
        plain = result.to_dict()
        assert plain == asdict(result)
        assert list(plain) == list(asdict(result))  # same field order in the JSON
        plain["emotion_scores"]["anger"] = 99.0
        plain["reasons"].append("changed")
        assert result.emotion_scores.get("anger") != 99.0 and "changed" not in result.reasons
