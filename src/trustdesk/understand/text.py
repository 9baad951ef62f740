"""Text clean-up shared by training and serving: strip markup, mask links and handles, bound length.

The cleaned text is used for analysis only; the stored message keeps exactly what was received.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

MAX_CHARS = 2000
"""Characters kept for the models; a 1 MB message is analysed on its head (models see ~128 tokens)."""

_TAG_RE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->|<[^>]{0,500}>", re.S | re.I)
URL_RE = re.compile(
    r"(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|io|ly|co|uk|me|gg|xyz|info|biz|shop|store|top|site)/\S*|"
    r"\b[a-z0-9-]+\.(?:shop|store|xyz|biz|top|click|online|site|link)\b",
    re.I,
)
# any URL_RE match contains one of these; the regex is skipped otherwise
_URL_HINTS = ("/", "www.", ".shop", ".store", ".xyz", ".biz", ".top", ".click", ".online", ".site", ".link")
_MENTION_RE = re.compile(r"@\w{1,30}")
_WS_RE = re.compile(r"\s+")
_CTRL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_WORD_RE = re.compile(r"[^\W\d_]", re.U)


@dataclass(slots=True)
class Cleaned:
    """A message prepared for the models, with the raw text's facts the rules need."""

    text: str
    raw: str
    urls: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def has_words(self) -> bool:
        """True when the text holds at least one letter (emoji-only or empty texts do not)."""
        return bool(_WORD_RE.search(self.text))


def to_text(value: object) -> tuple[str, list[str]]:
    """Coerce any input (bytes in any encoding, None, numbers) to ``str``, with reasons for repairs."""
    if value is None:
        return "", ["text missing"]
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8"), []
        except UnicodeDecodeError:
            return bytes(value).decode("utf-8", errors="replace"), ["invalid UTF-8 replaced"]
    if not isinstance(value, str):
        return str(value), ["text was not a string"]
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # lone surrogates come from invalid UTF-8 decoded with surrogateescape; they break encoders
        return value.encode("utf-8", errors="replace").decode("utf-8"), ["invalid UTF-8 replaced"]
    return value, []


def clean(value: object) -> Cleaned:
    """Prepare one message for analysis: decode, strip tags, mask URLs and @handles, truncate."""
    raw, reasons = to_text(value)
    text = raw
    if len(text) > MAX_CHARS * 4:
        text = text[: MAX_CHARS * 4]
        reasons.append(f"text truncated to {MAX_CHARS} characters for analysis")
        truncated = True
    else:
        truncated = False
    if "<" in text and ">" in text:
        stripped = _TAG_RE.sub(" ", text)
        if stripped != text:
            reasons.append("markup stripped for analysis")
            text = stripped
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if not text.isprintable():  # control characters are never printable: most texts skip the regex
        text = _CTRL_RE.sub(" ", text)
    # every hint holds "/" or "."
    hinted = "/" in text or ("." in text and any(map(text.lower().__contains__, _URL_HINTS)))
    urls = URL_RE.findall(text) if hinted else []
    if urls:
        text = URL_RE.sub(" http ", text)
    if "@" in text:
        text = _MENTION_RE.sub("@user", text)
    if "  " in text or not text.isprintable():  # the only printable whitespace is a single space
        text = _WS_RE.sub(" ", text)
    text = text.strip()
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
        if not truncated:
            reasons.append(f"text truncated to {MAX_CHARS} characters for analysis")
    if not text:
        reasons.append("empty text")
    elif not _WORD_RE.search(text):
        reasons.append("no words (emoji or symbols only)")
    return Cleaned(text=text, raw=raw, urls=urls, reasons=reasons)


def clean_for_training(text: str) -> str:
    """The same normalisation applied to training texts (TweetEval already masks handles and URLs)."""
    return clean(text).text
