"""From model heads and rules to the contract's ``Analysis``: the decisions, in one place."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from trustdesk.understand import language, rules
from trustdesk.understand.labels import GO_TO_EMOTION, GOEMOTIONS
from trustdesk.understand.registry import get, resolve_tier
from trustdesk.understand.schemas import EMOTIONS, INTENTS, SENTIMENTS, Analysis, MessageInput
from trustdesk.understand.text import Cleaned, clean

BATCH = 512
# thresholds chosen on the validation splits (see models/MODEL_CARD.md)
ABUSE_OFFENSIVE = 0.8
ABUSE_HATE = 0.75
SPAM_RULE = 0.5
SPAM_MODEL = 0.7
_GO_INDEX = np.array([EMOTIONS.index(GO_TO_EMOTION[g]) for g in GOEMOTIONS])
# urgency weight of each intent: what a care team must act on soonest
_INTENT_URGENCY: dict[str, float] = {
    "safety": 0.45, "account_access": 0.2, "billing_refund": 0.2, "delivery": 0.15, "bug_report": 0.12,
    "complaint": 0.12, "return_exchange": 0.08, "question": 0.05,
}  # fmt: skip
# sentiment prior of a star rating (1..5): reviews say with stars what their text may not
_RATING_PRIOR = np.array(
    [[0.85, 0.12, 0.03], [0.7, 0.25, 0.05], [0.3, 0.5, 0.2], [0.05, 0.3, 0.65], [0.02, 0.13, 0.85]],
    dtype=np.float32,
)


def emotion_distribution(goemotions: np.ndarray) -> np.ndarray:
    """Our 9 emotions from the 28 GoEmotions probabilities: summed per group, normalised per row."""
    out = np.zeros((goemotions.shape[0], len(EMOTIONS)), dtype=np.float32)
    np.add.at(out.T, _GO_INDEX, goemotions.T)
    out /= np.maximum(out.sum(axis=1, keepdims=True), 1e-9)
    return out


def _neutral(cleaned: Cleaned, model: str) -> Analysis:
    """The defined result for texts without words (empty, emoji-only)."""
    sig = rules.signals(cleaned.raw, cleaned.urls)
    spam = sig.spam_score >= SPAM_RULE
    return Analysis(
        sentiment="neutral",
        sentiment_score=0.0,
        emotion="neutral",
        emotion_scores={e: (1.0 if e == "neutral" else 0.0) for e in EMOTIONS},
        intent="spam" if spam else "other",
        abusive=False,
        over_the_top=False,
        spam=spam,
        language="und",
        urgency=0.0,
        intent_scores={i: (1.0 if i == ("spam" if spam else "other") else 0.0) for i in INTENTS},
        reasons=list(cleaned.reasons),
        model=model,
    )


def _keyword_intent(text: str, keywords: Mapping[str, Sequence[str]] | None) -> str | None:
    """A brand's own intent when one of its phrases occurs (whole words, case-insensitive)."""
    if not keywords:
        return None
    low = text.lower()
    for intent, phrases in keywords.items():
        for phrase in phrases:
            p = phrase.strip().lower()
            if p and re.search(r"(?<!\w)" + re.escape(p) + r"(?!\w)", low):
                return intent
    return None


def _urgency(intent: str, p_neg: float, sig: rules.RuleSignals, *, abusive: bool, spam: bool) -> float:
    if spam:
        return 0.0
    u = 0.05 + _INTENT_URGENCY.get(intent, 0.0) + 0.25 * p_neg + 0.12 * min(3, sig.urgent_hits)
    if sig.safety:
        u += 0.2
    if sig.threat:
        u += 0.3
    elif abusive:
        u += 0.05
    return float(min(1.0, max(0.0, u)))


def analyze(
    items: Sequence[MessageInput],
    *,
    tier: str | None = None,
    intent_keywords: Mapping[str, Sequence[str]] | None = None,
) -> list[Analysis]:
    """Analyse messages with the tier's component plus the rules; one ``Analysis`` per item, in order."""
    name = resolve_tier(tier)
    component = get(name)
    results: list[Analysis | None] = [None] * len(items)
    cleaned = [clean(item.text) for item in items]
    todo = [i for i, c in enumerate(cleaned) if c.has_words]
    for i, c in enumerate(cleaned):
        if not c.has_words:
            results[i] = _neutral(c, name)
    for start in range(0, len(todo), BATCH):
        idx = todo[start : start + BATCH]
        heads = component.predict([cleaned[i].text for i in idx])
        emo = emotion_distribution(heads["goemotions"])
        # rounded once per batch: per-item Python rounding was a visible share of the fast tier's time
        emo_r = np.round(emo.astype(np.float64), 4).tolist()
        int_r = np.round(heads["intent"].astype(np.float64), 4).tolist()
        for row, i in enumerate(idx):
            results[i] = _assemble(
                items[i], cleaned[i], heads, emo, row, name, intent_keywords, emo_r[row], int_r[row]
            )
    return [r for r in results if r is not None]


def _assemble(
    item: MessageInput,
    c: Cleaned,
    heads: dict[str, np.ndarray],
    emo: np.ndarray,
    row: int,
    name: str,
    intent_keywords: Mapping[str, Sequence[str]] | None,
    emo_row: list[float],
    int_row: list[float],
) -> Analysis:
    reasons = list(c.reasons)
    sig = rules.signals(c.raw, c.urls)
    p_sent = heads["sentiment"][row].astype(np.float32)
    if item.rating is not None and np.isfinite(item.rating):
        stars = int(min(5, max(1, round(float(item.rating)))))
        p_sent = 0.6 * p_sent + 0.4 * _RATING_PRIOR[stars - 1]
        reasons.append(f"sentiment blended with the {stars}-star rating")
    emotion_scores = dict(zip(EMOTIONS, emo_row, strict=True))
    emotion = EMOTIONS[int(np.argmax(emo[row]))]
    sarcastic = p_sent[2] > p_sent[0] and rules.sarcasm(c.raw)
    if sarcastic:
        # "great, another outage 🙃": the praise words are the joke; read them as their opposite
        p_sent = p_sent[::-1].copy()
        moved = emotion_scores["joy"] + emotion_scores["gratitude"]
        emotion_scores = {**emotion_scores, "joy": 0.0, "gratitude": 0.0}
        emotion_scores["frustration"] = round(emotion_scores["frustration"] + moved, 4)
        emotion = max(emotion_scores, key=lambda e: emotion_scores[e])
        reasons.append("sarcasm cue: positive words read as negative")
    elif p_sent[2] > p_sent[0] and float(heads["irony"][row, 0]) >= 0.8:
        reasons.append("possibly ironic: read the positive sentiment with care")
    sentiment = SENTIMENTS[int(np.argmax(p_sent))]
    p_neg = float(p_sent[0])

    intent_scores = dict(zip(INTENTS, int_row, strict=True))
    intent = INTENTS[int(np.argmax(heads["intent"][row]))]
    if sarcastic and intent == "praise":
        intent = "complaint"
    spam = sig.spam_score >= SPAM_RULE or (intent_scores["spam"] >= SPAM_MODEL and sig.links > 0)
    custom = _keyword_intent(c.text, intent_keywords)
    if custom is not None:
        intent = custom
        intent_scores.setdefault(custom, 1.0)
        reasons.append(f"intent {custom!r} from the brand's keywords")
    elif spam:
        intent = "spam"
    elif sig.safety and intent not in ("spam", "praise"):
        intent = "safety"
    elif intent == "spam":
        intent = "other"  # the model alone does not call a customer a spammer
    if custom is None and intent in ("other", "praise", "complaint", "question") and not spam:
        # shapes the model learns poorly from request-style training data
        if rules.is_suggestion(c.text) and p_neg < 0.6:
            intent = "suggestion"
        elif intent != "question" and rules.is_question(c.text) and sentiment != "negative":
            intent = "question"
    p_off = float(heads["offensive"][row, 0])
    abusive = (
        sig.threat or sig.insult or p_off >= ABUSE_OFFENSIVE or float(heads["hate"][row, 0]) >= ABUSE_HATE
    )
    ott = rules.over_the_top(sig, negative=p_neg, offensive=p_off)
    lang = language.detect(c.text)
    if lang == "und":
        reasons.append("language not identified")
    elif lang != "en":
        reasons.append(f"models are trained on English; language is {lang!r}")
    return Analysis(
        sentiment=sentiment,
        sentiment_score=round(float(p_sent[2] - p_sent[0]), 4),
        emotion=emotion,
        emotion_scores=emotion_scores,
        intent=intent,
        abusive=bool(abusive),
        over_the_top=bool(ott),
        spam=bool(spam),
        language=lang,
        urgency=round(_urgency(intent, p_neg, sig, abusive=abusive, spam=spam), 4),
        intent_scores=intent_scores,
        reasons=reasons,
        model=name,
    )
