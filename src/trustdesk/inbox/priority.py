"""The inbox order before a message is analysed: the same formula as ``understand.priority``.

Until the analysis job has read a message, its urgency and sentiment are unknown and taken as
neutral; rating, reach, publicity and waiting time already count. The job then refines the score.
"""

from __future__ import annotations

from datetime import datetime

from trustdesk.understand.priority import priority
from trustdesk.understand.schemas import Analysis

_UNKNOWN = Analysis(
    sentiment="neutral",
    sentiment_score=0.0,
    emotion="neutral",
    emotion_scores={},
    intent="other",
    abusive=False,
    over_the_top=False,
    spam=False,
    language="und",
    urgency=0.0,
    reasons=["not analysed yet"],
)


def provisional_priority(
    *,
    rating: float | None,
    followers: int | None,
    is_public: bool,
    waiting_since: datetime | None,
    now: datetime,
) -> float:
    """A 0–100 score from what is known at ingestion (see ``understand.priority`` for the formula)."""
    hours = max(0.0, (now - waiting_since).total_seconds() / 3600) if waiting_since else 0.0
    return priority(
        analysis=_UNKNOWN, rating=rating, followers=followers, is_public=is_public, waiting_hours=hours
    )
