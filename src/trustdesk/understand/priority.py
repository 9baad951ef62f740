"""Inbox priority of a message in [0, 100]: who should be answered first.

    priority = 40 * urgency
             + 20 * negativity                  (1 - sentiment_score) / 2: 0 positive .. 1 negative
             + 10 * low_rating                  (5 - stars) / 4 for stars 1..5, 0 without a rating
             + 10 * reach                       min(1, log10(1 + followers) / 6): 1 M followers -> 1
             +  5 * is_public                   public posts are seen by others
             + 15 * waiting                     1 - exp(-waiting_hours / 24): saturates after ~3 days
    spam: the total is multiplied by 0.1 (still listed, never on top).

Each term is non-decreasing in its input, so the priority never drops when urgency, negativity,
reach or waiting time grow or the rating falls.
"""

from __future__ import annotations

import math

from trustdesk.understand.schemas import Analysis

W_URGENCY = 40.0
W_NEGATIVITY = 20.0
W_RATING = 10.0
W_REACH = 10.0
W_PUBLIC = 5.0
W_WAITING = 15.0
SPAM_FACTOR = 0.1


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


def priority(
    *,
    analysis: Analysis,
    rating: float | None = None,
    followers: int | None = None,
    is_public: bool = True,
    waiting_hours: float = 0.0,
) -> float:
    """Inbox priority in [0, 100] from the analysis and the message's context (formula in the module doc)."""
    urgency = min(1.0, max(0.0, _finite(analysis.urgency) or 0.0))
    score = min(1.0, max(-1.0, _finite(analysis.sentiment_score) or 0.0))
    negativity = (1.0 - score) / 2.0
    stars = _finite(rating)
    low_rating = 0.0 if stars is None else (5.0 - min(5.0, max(1.0, stars))) / 4.0
    fans = max(0, int(followers or 0))
    reach = min(1.0, math.log10(1 + fans) / 6.0)
    hours = max(0.0, _finite(waiting_hours) or 0.0)
    waiting = 1.0 - math.exp(-hours / 24.0)
    total = (
        W_URGENCY * urgency
        + W_NEGATIVITY * negativity
        + W_RATING * low_rating
        + W_REACH * reach
        + W_PUBLIC * (1.0 if is_public else 0.0)
        + W_WAITING * waiting
    )
    if analysis.spam:
        total *= SPAM_FACTOR
    return round(min(100.0, max(0.0, total)), 2)
