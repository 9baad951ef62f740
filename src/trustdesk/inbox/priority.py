"""The inbox order before a message is analysed; ``understand.priority`` refines it afterwards."""

from __future__ import annotations

import math
from datetime import datetime


def provisional_priority(
    *,
    rating: float | None,
    followers: int | None,
    is_public: bool,
    waiting_since: datetime | None,
    now: datetime,
) -> float:
    """A 0–100 score from what is known at ingestion: low stars, reach, publicity and waiting time."""
    score = 20.0
    if rating is not None:
        score += (5.0 - max(1.0, min(5.0, rating))) * 8.0  # 1 star adds 32
    if followers:
        score += min(20.0, 4.0 * math.log10(1 + followers))
    if is_public:
        score += 5.0
    if waiting_since is not None:
        hours = max(0.0, (now - waiting_since).total_seconds() / 3600)
        score += min(15.0, 3.0 * math.log2(1 + hours))
    else:
        score -= 15.0  # answered: not waiting for us
    return round(max(0.0, min(100.0, score)), 3)
