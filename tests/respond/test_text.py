"""Text helpers: cleaning, templates, the recent-reply index."""

from __future__ import annotations

import random

from trustdesk.respond.text import RecentIndex, clean, expand, first_name, max_overlap, seed_for, tidy


def test_text_clean_strips_markup_controls_and_caps_length() -> None:
    assert clean("<script>alert(1)</script><b>Hi</b>&amp; there\x00\u202e") == "Hi & there"
    assert clean("&lt;script&gt;x&lt;/script&gt;ok") == "ok"
    assert len(clean("a" * 1_000_000)) == 20_000


def test_text_expand_is_seeded_and_shortest_is_shortest() -> None:
    template = "[Hi|Hello|Good morning] [there|friend]"
    assert expand(template, random.Random(1)) == expand(template, random.Random(1))
    seen = {expand(template, random.Random(i)) for i in range(50)}
    assert len(seen) == 6
    assert expand(template, random.Random(0), shortest=True) == "Hi there"


def test_text_seed_is_stable_and_sensitive() -> None:
    assert seed_for("a", "b") == seed_for("a", "b")
    assert seed_for("a", "b") != seed_for("ab", "")


def test_text_first_name_only_from_display_names() -> None:
    assert first_name("Jane Smith") == "Jane"
    assert first_name("@jane_s") is None
    assert first_name("user8812") is None
    assert first_name("jane.doe@example.com") is None
    assert first_name("<b>Eve</b>") == "Eve"


def test_text_tidy_fixes_joins() -> None:
    assert tidy("hi ,  there .. ok") == "Hi, there. ok"
    assert tidy("gracias por lo de el café") == "Gracias por lo del café"


def test_text_recent_index_equals_brute_force_while_growing_and_sliding() -> None:
    rng = random.Random(3)
    vocab = [
        "coffee",
        "latte",
        "cold",
        "warm",
        "queue",
        "app",
        "crash",
        "order",
        "late",
        "sorry",
        "thanks",
        "team",
        "visit",
        "soon",
    ]
    replies = [" ".join(rng.choice(vocab) for _ in range(rng.randint(3, 25))) for _ in range(120)]
    probes = [" ".join(rng.choice(vocab) for _ in range(12)) for _ in range(10)]
    for end in range(0, 120, 7):
        window = replies[max(0, end - 40) : end]  # grows to 40, then slides
        index = RecentIndex.for_texts(window)
        for probe in probes:
            assert abs(index.max_overlap(probe) - max_overlap(probe, window)) < 1e-9
    unrelated = RecentIndex.for_texts(["something else entirely here"])
    assert unrelated.max_overlap(probes[0]) == max_overlap(probes[0], ["something else entirely here"])


def test_text_recent_window_is_stable_when_the_index_grows() -> None:
    first = ["the oat latte was cold today", "thanks for the lovely review"]
    window = RecentIndex.for_texts(first)
    probe = "sorry the flat white was cold today and slow"
    before = window.max_overlap(probe)
    later = RecentIndex.for_texts([*first, "sorry the flat white was cold today and slow"])
    assert later.max_overlap(probe) == 1.0
    assert window.max_overlap(probe) == before == max_overlap(probe, first)
