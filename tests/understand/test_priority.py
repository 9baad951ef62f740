import itertools

from trustdesk.understand.priority import priority
from trustdesk.understand.schemas import EMOTIONS, Analysis


def _analysis(*, urgency: float = 0.3, score: float = 0.0, spam: bool = False) -> Analysis:
    return Analysis(
        sentiment="neutral", sentiment_score=score, emotion="neutral",
        emotion_scores=dict.fromkeys(EMOTIONS, 0.0), intent="other", abusive=False,
        over_the_top=False, spam=spam, language="en", urgency=urgency,
    )  # fmt: skip


BASE = {"rating": 3.0, "followers": 100, "is_public": True, "waiting_hours": 5.0}


def test_priority_is_bounded():
    top = priority(analysis=_analysis(urgency=1.0, score=-1.0), rating=1, followers=10**9, is_public=True,
                   waiting_hours=10**6)  # fmt: skip
    low = priority(analysis=_analysis(urgency=0.0, score=1.0), rating=5, followers=0, is_public=False,
                   waiting_hours=0)  # fmt: skip
    assert 0.0 <= low <= top <= 100.0
    assert low == 0.0


def test_priority_monotone_in_each_input():
    for lo, hi in itertools.pairwise([0.0, 0.2, 0.5, 0.9, 1.0]):
        assert priority(analysis=_analysis(urgency=lo), **BASE) < priority(
            analysis=_analysis(urgency=hi), **BASE
        )
    for lo, hi in itertools.pairwise([1.0, 0.3, 0.0, -0.4, -1.0]):
        assert priority(analysis=_analysis(score=lo), **BASE) < priority(analysis=_analysis(score=hi), **BASE)
    a = _analysis()
    for lo, hi in itertools.pairwise([5, 4, 3, 2, 1]):
        assert priority(analysis=a, **{**BASE, "rating": lo}) < priority(analysis=a, **{**BASE, "rating": hi})
    for lo, hi in itertools.pairwise([0, 10, 1000, 100_000]):
        assert priority(analysis=a, **{**BASE, "followers": lo}) < priority(
            analysis=a, **{**BASE, "followers": hi}
        )
    for lo, hi in itertools.pairwise([0, 1, 24, 72]):
        assert priority(analysis=a, **{**BASE, "waiting_hours": lo}) < priority(
            analysis=a, **{**BASE, "waiting_hours": hi}
        )
    assert priority(analysis=a, **{**BASE, "is_public": False}) < priority(analysis=a, **BASE)


def test_priority_spam_sinks_and_bad_inputs_are_defined():
    assert priority(analysis=_analysis(spam=True), **BASE) < priority(analysis=_analysis(), **BASE) / 5
    value = priority(
        analysis=_analysis(urgency=float("nan")), rating=float("nan"), followers=-5, waiting_hours=-3
    )
    assert 0.0 <= value <= 100.0
