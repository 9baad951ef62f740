"""The analysis stored on a message, read back as the ``understand`` contract's ``Analysis``."""

from __future__ import annotations

from typing import Any

from trustdesk.understand.schemas import Analysis


def stored_analysis(message: Any) -> Analysis | None:
    """The analysis saved on ``message`` (a Message or a row with its columns); None if not analysed yet."""
    if message.analyzed_at is None or message.sentiment is None:
        return None
    return Analysis(
        sentiment=message.sentiment,
        sentiment_score=message.sentiment_score or 0.0,
        emotion=message.emotion or "neutral",
        emotion_scores=dict(message.emotion_scores or {}),
        intent=message.intent or "other",
        abusive=bool(message.abusive),
        over_the_top=bool(message.over_the_top),
        spam=bool(message.spam),
        language=message.language or "und",
        urgency=message.urgency or 0.0,
        reasons=list(message.analysis_reasons or []),
        model=message.analysis_model or "",
    )
