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
"""Texts per model call, unless the component asks for another number (``batch_size``)."""
# thresholds chosen on the validation splits (see models/MODEL_CARD.md)
ABUSE_OFFENSIVE = 0.8
ABUSE_HATE = 0.75
SPAM_RULE = 0.5
SPAM_MODEL = 0.7
# the GoEmotions columns of each of our emotions
_GROUPS = [np.array([k for k, g in enumerate(GOEMOTIONS) if GO_TO_EMOTION[g] == e]) for e in EMOTIONS]
_NEUTRAL = EMOTIONS.index("neutral")
FOREIGN_INTENT_MIN = 0.5
"""On a text in another language the intent head guesses (top scores 0.26-0.45 on "thank you" in ten
languages, "complaint" for six of them): below this, the intent is "other", with a reason."""
NEUTRAL_WEIGHT = 0.5
"""Weight of "neutral" against the feelings, chosen on GoEmotions validation (training/tune_emotions.py)."""
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
    """Our 9 emotions from the 28 GoEmotions probabilities, normalised per row.

    Each emotion is as strong as its strongest GoEmotions label (a sum favoured the groups with many
    labels: six fold into "neutral"), and "neutral" counts at ``NEUTRAL_WEIGHT``: it is GoEmotions' most
    common label, likely even beside a plainly stated feeling ("Furious: my box never arrived").
    Macro-F1 over our 9 on GoEmotions validation: fast 0.504 -> 0.540, accurate 0.520 -> 0.569 (0.578 with
    the model shipped since).
    """
    return normalised_groups(goemotions, NEUTRAL_WEIGHT)


def normalised_groups(goemotions: np.ndarray, neutral_weight: float) -> np.ndarray:
    """``emotion_distribution`` with another weight for "neutral" (for tuning it)."""
    out = np.empty((goemotions.shape[0], len(EMOTIONS)), dtype=np.float32)
    for k, columns in enumerate(_GROUPS):
        out[:, k] = goemotions[:, columns].max(axis=1)
    out[:, _NEUTRAL] *= neutral_weight
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


def _keyword_patterns(keywords: Mapping[str, Sequence[str]] | None) -> list[tuple[str, re.Pattern[str]]]:
    """A brand's intents with one pattern each: any of its phrases, whole words, on lower-cased text."""
    out = []
    for intent, phrases in (keywords or {}).items():
        cleaned = [p.strip().lower() for p in phrases]
        alternatives = [r"(?<!\w)" + re.escape(p) + r"(?!\w)" for p in cleaned if p]
        if alternatives:
            out.append((intent, re.compile("|".join(alternatives))))
    return out


def _keyword_intent(text: str, patterns: list[tuple[str, re.Pattern[str]]]) -> str | None:
    """The first of a brand's own intents one of whose phrases occurs in ``text``."""
    if not patterns:
        return None
    low = text.lower()
    for intent, pattern in patterns:
        if pattern.search(low):
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
    """Analyse messages with the tier's component plus the rules; one ``Analysis`` per item, in order.

    ``tier`` ``None`` means the ``analysis_tier`` setting; ``auto`` is decided by ``len(items)`` (see
    ``registry.resolve_tier``): a caller that analyses a big backlog in slices resolves it once for the
    whole job and passes the component name.
    """
    name = resolve_tier(tier, count=len(items))
    component = get(name)
    keywords = _keyword_patterns(intent_keywords)
    results: list[Analysis | None] = [None] * len(items)
    cleaned = [clean(item.text) for item in items]
    todo = []
    for i, c in enumerate(cleaned):
        if c.has_words:
            todo.append(i)
        else:
            results[i] = _neutral(c, name)
    size = getattr(component, "batch_size", BATCH)
    for start in range(0, len(todo), size):
        idx = todo[start : start + size]
        batch = [cleaned[i] for i in idx]
        heads = component.predict([c.text for c in batch])
        sigs = rules.signals_batch([c.raw for c in batch], [c.urls for c in batch])
        rows = _Rows(heads, [items[i].rating for i in idx])
        for row, (i, c, sig) in enumerate(zip(idx, batch, sigs, strict=True)):
            results[i] = _assemble(c, sig, rows, row, name, keywords)
    return [r for r in results if r is not None]


class _Rows:
    """A batch's head outputs as plain Python values, computed with numpy once for all rows.

    Per-row numpy calls (argmax, float(), rounding) were most of the fast tier's per-message time.
    """

    def __init__(self, heads: dict[str, np.ndarray], ratings: Sequence[float | None]) -> None:
        p_sent = heads["sentiment"].astype(np.float32)
        self.stars: list[int | None] = [None] * len(ratings)
        for row, rating in enumerate(ratings):
            if rating is not None and np.isfinite(rating):
                stars = int(min(5, max(1, round(float(rating)))))
                self.stars[row] = stars
                p_sent[row] = 0.6 * p_sent[row] + 0.4 * _RATING_PRIOR[stars - 1]
        emo = emotion_distribution(heads["goemotions"])
        self.p_sent = p_sent
        self.sentiment = p_sent.argmax(axis=1).tolist()
        self.p_neg = p_sent[:, 0].tolist()
        self.p_pos = p_sent[:, 2].tolist()
        self.score = [round(d, 4) for d in (p_sent[:, 2] - p_sent[:, 0]).tolist()]  # as round() per row did
        self.emotion = emo.argmax(axis=1).tolist()
        # rounded once per batch: per-item Python rounding was a visible share of the fast tier's time
        self.emotion_scores = np.round(emo.astype(np.float64), 4).tolist()
        self.intent = heads["intent"].argmax(axis=1).tolist()
        self.intent_scores = np.round(heads["intent"].astype(np.float64), 4).tolist()
        self.irony = heads["irony"][:, 0].tolist()
        self.offensive = heads["offensive"][:, 0].tolist()
        self.hate = heads["hate"][:, 0].tolist()


def _assemble(
    c: Cleaned,
    sig: rules.RuleSignals,
    rows: _Rows,
    row: int,
    name: str,
    keywords: list[tuple[str, re.Pattern[str]]],
) -> Analysis:
    reasons = list(c.reasons)
    stars = rows.stars[row]
    if stars is not None:
        reasons.append(f"sentiment blended with the {stars}-star rating")
    emotion_scores = dict(zip(EMOTIONS, rows.emotion_scores[row], strict=True))
    emotion = EMOTIONS[rows.emotion[row]]
    sentiment = SENTIMENTS[rows.sentiment[row]]
    p_neg, score = rows.p_neg[row], rows.score[row]
    sarcastic = rows.p_pos[row] > p_neg and rules.sarcasm(c.raw)
    if sarcastic:
        # "great, another outage 🙃": the praise words are the joke; read them as their opposite
        p_sent = rows.p_sent[row][::-1].copy()
        sentiment = SENTIMENTS[int(np.argmax(p_sent))]
        p_neg = float(p_sent[0])
        score = round(float(p_sent[2] - p_sent[0]), 4)
        moved = emotion_scores["joy"] + emotion_scores["gratitude"]
        emotion_scores = {**emotion_scores, "joy": 0.0, "gratitude": 0.0}
        emotion_scores["frustration"] = round(emotion_scores["frustration"] + moved, 4)
        emotion = max(emotion_scores, key=lambda e: emotion_scores[e])
        reasons.append("sarcasm cue: positive words read as negative")
    elif rows.p_pos[row] > p_neg and rows.irony[row] >= 0.8:
        reasons.append("possibly ironic: read the positive sentiment with care")

    intent_scores = dict(zip(INTENTS, rows.intent_scores[row], strict=True))
    intent = INTENTS[rows.intent[row]]
    lang = language.detect(c.text)
    if lang not in ("en", "und") and intent_scores[intent] < FOREIGN_INTENT_MIN:
        # the intent head reads English only: on "Dziękuję bardzo" its best guess is "complaint" at 0.31
        intent = "other"
        reasons.append("intent not identified: the intent model reads English")
    if sarcastic and intent == "praise":
        intent = "complaint"
    spam = sig.spam_score >= SPAM_RULE or (intent_scores["spam"] >= SPAM_MODEL and sig.links > 0)
    custom = _keyword_intent(c.text, keywords)
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
        # the cheap conditions first: the rule functions are pure, so the order changes nothing else
        if p_neg < 0.6 and rules.is_suggestion(c.text):
            intent = "suggestion"
        elif intent != "question" and sentiment != "negative" and rules.is_question(c.text):
            intent = "question"
    p_off = rows.offensive[row]
    # the models alone read harsh words about a product ("the food sucks", "worst phone ever") as offensive:
    # they count as abuse only in a message that speaks to someone (see MODEL_CARD "Abuse")
    model_abuse = p_off >= ABUSE_OFFENSIVE or rows.hate[row] >= ABUSE_HATE
    abusive = sig.threat or sig.insult or (model_abuse and rules.addressed(c.raw))
    ott = rules.over_the_top(sig, negative=p_neg, offensive=p_off)
    if lang == "und":
        reasons.append("language not identified")
    elif lang != "en":
        reasons.append(f"models are trained on English; language is {lang!r}")
    return Analysis(
        sentiment=sentiment,
        sentiment_score=score,
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
