"""Which situation of the playbook a message is in, which channel rules apply, which language to use."""

from __future__ import annotations

import re

from trustdesk.respond.extract import Extraction
from trustdesk.respond.schemas import Playbook, Situation
from trustdesk.respond.text import words
from trustdesk.understand.schemas import Analysis

NEGATIVE_INTENTS = frozenset({"complaint", "bug_report", "billing_refund", "account_access", "safety"})
_ASKING_INTENTS = frozenset({"delivery", "return_exchange", "other"})


KIND_ALIASES = {
    "twitter": "x", "tweet": "x", "x.com": "x", "google": "google_business", "gbp": "google_business",
    "google_maps": "google_business", "google_reviews": "google_business", "play": "google_play",
    "play_store": "google_play", "googleplay": "google_play", "appstore": "app_store", "ios": "app_store",
    "apple": "app_store", "fb": "facebook", "e-mail": "email", "mail": "email", "ig": "instagram",
    "trip_advisor": "tripadvisor",
}  # fmt: skip
"""Other names of channel kinds: a ``twitter`` channel follows X's rules."""


def channel_kind(channel: str | None, playbook: Playbook) -> str | None:
    """A channel name (``play-store``) or kind (``google_play``, alias ``twitter``) as a kind; None when unknown."""
    if not channel:
        return None
    kind = playbook.channels.get(channel, channel)
    norm = kind.strip().lower().replace("-", "_").replace(" ", "_")
    return KIND_ALIASES.get(norm, KIND_ALIASES.get(norm.replace("_", ""), norm))


def is_public(kind: str | None, playbook: Playbook) -> bool:
    """Replies are public unless the platform rules say otherwise (unknown channels count as public)."""
    rule = playbook.platforms.get(kind or "")
    return True if rule is None else rule.public


def length_limits(kind: str | None, playbook: Playbook) -> tuple[int | None, int]:
    """(the platform's hard limit or None, the voice's limit) in characters for this channel kind."""
    rule = playbook.platforms.get(kind or "")
    hard = rule.max_length if rule is not None else None
    voice = playbook.voice.max_length
    soft = voice.get(kind or "", voice.get("default", 1200))
    if hard is not None:
        soft = min(soft, hard)
    return hard, soft


# Unmistakable complaint words: a reply that gushes "what a lovely review!" at these is worse than none.
_NEGATIVE_CUES = re.compile(
    r"\b(mediocre|bland|stale|rude|disgusting|awful|terrible|horrible|worst|useless|rubbish|junk|"
    r"overpriced|waste of|never again|not (?:that|very|so) good|one star|1 star|forget (?:about )?it|"
    r"avoid|disappoint\w*|broken|cold (?:coffee|food|latte)|meh|bloody|f+u+c+k\w*|shit\w*|crap\w*|wtf|"
    # Spanish: the analysis models are English-only, so Spanish complaints often come back neutral.
    r"rot[oa]s?|fr[ií][oa]|nunca lleg[óo]|no ha llegado|lent[oa]|suci[oa]|decepci\w+|fatal|horrible|"
    r"p[ée]sim[oa]|mal[oa]? servicio|muy mal)\b",
    re.I,
)
_POSITIVE_CUES_ES = re.compile(
    r"\b(buen[ií]sim[oa]|genial|incre[ií]ble|me encant\w+|perfect[oa]|riqu[ií]sim[oa]|qu[ée] rico|"
    r"delicios[oa]|amable|recomiendo|gracias)\b",
    re.I,
)


_SPAM_CUES = re.compile(
    r"\b(buy (?:cheap )?(?:instagram |twitter |tiktok )?(?:followers|likes)|cheap followers|followers for|"
    r"click here|win a free|crypto (?:tips|signals)|promo code|work from home and earn|dm me for (?:promo|collab|cheap|shoutouts?))\b",
    re.I,
)


def looks_like_spam(text: str) -> bool:
    """Unmistakable spam the analysis let through (selling followers, "click here" prizes)."""
    return _SPAM_CUES.search(text) is not None


def effective_sentiment(analysis: Analysis, rating: float | None, text: str = "") -> str:
    """The analysis's sentiment, corrected by a clear star rating and by unmistakable complaint words."""
    sentiment = analysis.sentiment
    cue = bool(text) and _NEGATIVE_CUES.search(text) is not None
    if cue and sentiment != "negative" and (rating is None or rating <= 3):
        # Positive becomes neutral (a measured reply), neutral becomes negative (acknowledge it).
        sentiment = "neutral" if sentiment == "positive" else "negative"
    if rating is not None and sentiment == "neutral":
        if rating <= 2:
            return "negative"
        if rating >= 4:
            return "positive"
    if sentiment == "neutral" and not cue and text and _POSITIVE_CUES_ES.search(text):
        sentiment = "positive"
    if sentiment == "positive" and analysis.intent == "safety":
        # a polite letter about an allergen or an injury is a report, not praise: no cheerful thanks
        sentiment = "neutral"
    upset = analysis.emotion in {"anger", "frustration", "disappointment", "sadness"}
    if sentiment == "neutral" and upset:
        return "negative"
    if (
        sentiment == "negative"
        and not upset
        and not cue
        and (rating is None or rating >= 3)
        and _is_plain_question(text)
    ):
        return "neutral"  # "Is the oat milk a barista one?" asks; it does not complain
    return sentiment


def _is_plain_question(text: str) -> bool:
    """A message made only of questions (every sentence ends with "?")."""
    sentences = [p for p in re.split(r"(?<=[.!?])\s+", text.strip()) if p]
    return bool(sentences) and all(p.rstrip().endswith("?") for p in sentences)


def resolve_situation(
    *, analysis: Analysis, playbook: Playbook, extraction: Extraction, text: str, rating: float | None = None
) -> tuple[str, Situation]:
    """The situation key and its definition; lookup order documented in the default playbook."""
    sits = playbook.situations
    sentiment = effective_sentiment(analysis, rating, text)
    candidates: list[str] = []
    if analysis.spam or analysis.intent == "spam" or looks_like_spam(text):
        candidates.append("spam")
    candidates.extend(t for t in ("safety", "legal_threat", "press") if t in extraction.triggers)
    intent = analysis.intent
    if intent == "safety":
        if extraction.question and not extraction.triggers:
            intent = "question"  # a plain allergen question is answered (or found out), not escalated
        else:
            candidates.append("safety")
    if analysis.abusive:
        candidates.append("abusive")
    if not text.strip() or not any(ch.isalnum() for ch in text):
        candidates += [f"rating_only.{sentiment}", "rating_only"]
    if analysis.over_the_top and sentiment == "negative":
        candidates.append("over_the_top")
    if extraction.question and sentiment != "negative" and intent != "suggestion":
        intent = "question"  # "can I change my delivery address?" is a question, not a complaint
    if intent == "praise" and sentiment == "negative":
        intent = "complaint"  # sarcasm or a mixed review: answer the criticism, not the praise
    candidates.append(f"{intent}.{sentiment}")
    if intent == "other" or (intent == "praise" and sentiment != "positive"):
        candidates.append(sentiment)  # "other" says nothing; the feeling decides what the reply does
    candidates += [intent, sentiment, "default"]
    for key in candidates:
        if key in sits:
            return key, sits[key]
    return "default", sits["default"]


_ES_WORDS = frozenset(
    words("el la los las del que con una un por para mi mis muy está estaba pero se lo al es y")
)
_EN_WORDS = frozenset(
    words(
        "the and to of is was my it for with in on but not this that you i a as at be are have has had me we "
        "they so very much those these will would can just all an or if do does did what when how i'm it's"
    )
)


def _score(text: str) -> tuple[int, int]:
    toks = words(text)
    es = sum(t in _ES_WORDS for t in toks) + 2 * sum(ch in "ñ¿¡" for ch in text)
    return es, sum(t in _EN_WORDS for t in toks)


def looks_english(text: str) -> bool:
    """Clearly English by its function words (short messages are often misidentified upstream)."""
    es, en = _score(text)
    return en >= 3 and en > 2 * es


def looks_spanish(text: str) -> bool:
    """A cheap guess for short Spanish messages the analysis could not identify ("und")."""
    es, en = _score(text)
    return es >= 2 and es > 2 * en


def choose_language(analysis: Analysis, playbook: Playbook, text: str = "") -> tuple[str, bool]:
    """(reply language, whether the customer's language was unsupported and English was used)."""
    lang = analysis.language
    if lang in {"und", ""} and text and looks_spanish(text):
        lang = "es"
    elif lang not in playbook.languages and text and looks_english(text):
        lang = "en"
    if lang in playbook.languages:
        return lang, False
    fallback = "en" if "en" in playbook.languages else playbook.languages[0]
    return fallback, lang not in {"und", ""}
