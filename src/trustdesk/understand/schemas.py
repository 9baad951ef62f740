"""The contract between ``understand`` and the rest of trustdesk: what goes in, what comes out."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
EMOTIONS: tuple[str, ...] = (
    "anger",
    "frustration",
    "disappointment",
    "sadness",
    "worry",
    "confusion",
    "gratitude",
    "joy",
    "neutral",
)
INTENTS: tuple[str, ...] = (
    "complaint",
    "question",
    "praise",
    "suggestion",
    "bug_report",
    "billing_refund",
    "delivery",
    "account_access",
    "return_exchange",
    "safety",
    "spam",
    "other",
)


@dataclass(frozen=True, slots=True)
class MessageInput:
    """One message to analyse. ``channel`` is a channel kind such as ``google_play`` or ``x``."""

    text: str
    channel: str | None = None
    author: str | None = None
    rating: float | None = None
    followers: int | None = None


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything ``understand`` says about one message.

    ``sentiment_score`` is signed polarity in [-1, 1] (P(positive) - P(negative));
    ``urgency`` is in [0, 1]; ``language`` is ISO 639-1 or ``"und"`` when unknown;
    ``reasons`` explains defined fallbacks (empty text, unsupported language, ...).
    """

    sentiment: str
    sentiment_score: float
    emotion: str
    emotion_scores: dict[str, float]
    intent: str
    abusive: bool
    over_the_top: bool
    spam: bool
    language: str
    urgency: float
    intent_scores: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    model: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (what ``dataclasses.asdict`` gives, without its deep copy: 20x cheaper)."""
        out = {name: getattr(self, name) for name in _ANALYSIS_FIELDS}
        out["emotion_scores"] = dict(self.emotion_scores)
        out["intent_scores"] = dict(self.intent_scores)
        out["reasons"] = list(self.reasons)
        return out


_ANALYSIS_FIELDS = tuple(f.name for f in fields(Analysis))
