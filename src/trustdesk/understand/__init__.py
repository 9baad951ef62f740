"""trustdesk.understand: sentiment, emotion, intent, abuse, spam, language and urgency of messages.

Importing this package is cheap: models load on the first ``analyze`` call, once per process.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from trustdesk.understand.schemas import EMOTIONS, INTENTS, SENTIMENTS, Analysis, MessageInput

if TYPE_CHECKING:
    import numpy as np

__all__ = ["EMOTIONS", "INTENTS", "SENTIMENTS", "Analysis", "MessageInput", "analyze", "embed"]


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


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length MiniLM sentence embeddings (float32, one row per text) for retrieval; pure.

    The accurate tier's encoder, cleaned the way analysis cleans; an empty text gets a zero row.
    """
    from trustdesk.understand.embedding import embed as _embed

    return _embed(texts)
