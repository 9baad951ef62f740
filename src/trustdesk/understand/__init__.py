"""trustdesk.understand: sentiment, emotion, intent, abuse, spam, language and urgency of messages.

Importing this package is cheap: models load on the first ``analyze`` call, once per process.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from trustdesk.understand.schemas import EMOTIONS, INTENTS, SENTIMENTS, Analysis, MessageInput

__all__ = ["EMOTIONS", "INTENTS", "SENTIMENTS", "Analysis", "MessageInput", "analyze"]


def analyze(
    items: Sequence[MessageInput],
    *,
    tier: str | None = None,
    intent_keywords: Mapping[str, Sequence[str]] | None = None,
) -> list[Analysis]:
    """Analyse messages, one ``Analysis`` per item in order; ``tier`` is fast/accurate/auto (settings).

    ``intent_keywords`` lets a brand add intents: ``{"loyalty": ["rewards", "points"]}``.
    """
    from trustdesk.understand.pipeline import analyze as _analyze

    return _analyze(items, tier=tier, intent_keywords=intent_keywords)
