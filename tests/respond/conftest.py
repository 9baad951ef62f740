"""Shared factories for respond tests: analyses are plain input data, so tests build them directly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from trustdesk.respond import Playbook, load_playbook
from trustdesk.understand.schemas import Analysis

_SCORE = {"negative": -0.8, "neutral": 0.0, "positive": 0.8}


def make_analysis(
    sentiment: str = "negative",
    emotion: str = "frustration",
    intent: str = "complaint",
    *,
    language: str = "en",
    **flags: Any,
) -> Analysis:
    """An Analysis as understand.analyze would return it."""
    return Analysis(
        sentiment=sentiment,
        sentiment_score=_SCORE[sentiment],
        emotion=emotion,
        emotion_scores={emotion: 0.9},
        intent=intent,
        abusive=flags.get("abusive", False),
        over_the_top=flags.get("over_the_top", False),
        spam=flags.get("spam", False),
        language=language,
        urgency=0.5,
    )


@pytest.fixture
def analysis() -> Callable[..., Analysis]:
    return make_analysis


@pytest.fixture(scope="session")
def bluebird() -> Playbook:
    return load_playbook("bluebird")


@pytest.fixture(scope="session")
def fernway() -> Playbook:
    return load_playbook("fernway")
