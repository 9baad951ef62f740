"""The replies benchmark runs end to end on a slice of its evaluation set."""

from __future__ import annotations

from bench import replies


def test_bench_replies_metrics_on_a_slice() -> None:
    result = replies.run(limit=40)
    assert result["messages"] == 40
    assert result["drafted"] + result["no_reply"] == 40
    assert result["violations_in_drafts"] == 0
    assert result["planted_caught"] == 1.0
    assert result["stance_errors"] == 0 and result["non_verbatim_details"] == 0
    assert result["max_apologies"] <= 1 and result["handle_greetings"] == 0
    # Short replies share their few trigrams more easily than the old long ones: the mean stays low.
    assert (
        0.0 <= result["mean_pair_overlap"] <= 0.1
        and result["mean_pair_overlap"] <= result["max_pair_overlap"]
    )
    assert len(result["_samples"]) == result["drafted"]
