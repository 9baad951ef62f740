"""Small text helpers shared by the drafter and the checker: cleaning, tokens, trigrams, templates."""

from __future__ import annotations

import hashlib
import html
import random
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

_TAG = re.compile(r"<\s*(script|style)[^>]*>.*?<\s*/\s*\1\s*>|<[^>]{0,500}>", re.I | re.S)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.U)
_ALTERNATION = re.compile(r"\[([^\[\]]*\|[^\[\]]*)\]")
SLOT = re.compile(r"\{([a-z_]+)\}")

MAX_TEXT = 20_000
"""Longer messages are cut before analysis for drafting; a reply never needs more."""

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w-])(?:\+?\d[\d ()-]{7,}\d)(?![\w-])")
URL = re.compile(r"\bhttps?:\s*//\S+|\bwww\.\S+", re.I)
GENERIC_ORDER = re.compile(
    r"(?:#\s?(\d{5,})|\b(?:order|pedido|ref(?:erence)?)\s*(?:no\.?|number|n[º°])?\s*#?\s*([A-Z]{0,3}-?\d{5,}))",
    re.I,
)


def order_numbers(text: str) -> list[str]:
    """Order-like references (``#12345``, ``order AB-123456``), the identifier only."""
    return [a or b for a, b in GENERIC_ORDER.findall(text)]


INJECTION = re.compile(
    r"ignore (?:all |any |your |the |previous |prior |above )+(?:instructions|rules|prompts?)"
    r"|disregard (?:your|the|all|previous) \w+|system prompt|you are now|act as (?:an?|the) "
    r"|new instructions|jailbreak|ignora (?:tus|las) instrucciones",
    re.I,
)


def clean(text: str) -> str:
    """Strip HTML/script, control and bidi characters; collapse whitespace; cap the length."""
    text = text[:MAX_TEXT]
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = _TAG.sub(" ", text)
    text = _CONTROL.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def words(text: str) -> list[str]:
    """Lower-case word tokens (letters and digits of any script)."""
    return [w.replace("’", "'") for w in _WORD.findall(text.lower())]


@lru_cache(maxsize=4096)
def trigrams(text: str) -> frozenset[tuple[str, str, str]]:
    """The set of word trigrams of a text (cached: the same recent replies are compared often)."""
    toks = words(text)
    return frozenset(zip(toks, toks[1:], toks[2:], strict=False))


def overlap(a: frozenset[tuple[str, str, str]], b: frozenset[tuple[str, str, str]]) -> float:
    """Share of the smaller text's trigrams that also occur in the other (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def max_overlap(text: str, others: Iterable[str]) -> float:
    """The largest ``overlap`` of ``text`` with any of ``others``."""
    mine = trigrams(text)
    return max((overlap(mine, trigrams(o)) for o in others), default=0.0)


class RecentIndex:
    """Earlier replies indexed by trigram, so many candidates can be compared with hundreds of replies fast.

    ``for_texts`` reuses and extends the last index when the desk's list of recent replies only grew or
    slid forward (the usual case), instead of re-indexing hundreds of replies for every draft.
    """

    _last: RecentIndex | None = None
    _lock = threading.Lock()

    def __init__(self, texts: Sequence[str]) -> None:
        self._texts: list[str] = []
        self._sizes: list[int] = []
        self._index: dict[tuple[str, str, str], list[int]] = {}
        self._start = 0
        self._extend(texts)

    def _extend(self, texts: Iterable[str]) -> None:
        for text in texts:
            i = len(self._texts)
            self._texts.append(text)
            grams = trigrams(text)
            self._sizes.append(len(grams))
            for g in grams:
                self._index.setdefault(g, []).append(i)

    def _continues(self, texts: Sequence[str]) -> bool:
        """Slide the window so that ``texts`` starts where it starts; False when it is not a continuation."""
        live = self._texts[self._start :]
        if not texts:
            return False
        offset = next((k for k, t in enumerate(live) if t is texts[0] or t == texts[0]), None)
        if offset is None:
            return False
        kept = live[offset:]
        if len(kept) > len(texts) or any(a is not b and a != b for a, b in zip(kept, texts, strict=False)):
            return False
        self._start += offset
        self._extend(texts[len(kept) :])
        return True

    @classmethod
    def for_texts(cls, texts: Sequence[str]) -> RecentWindow:
        """A view of exactly ``texts`` (reusing the previous index when possible)."""
        with cls._lock:
            last = cls._last
            if last is None or last._start >= 2 * len(texts) + 100 or not last._continues(texts):
                last = cls._last = cls(texts)
            # The index only ever grows, so fixed bounds keep this view stable while others extend it.
            return RecentWindow(last, last._start, len(last._texts))

    def max_overlap(self, text: str, start: int = 0, end: int | None = None) -> float:
        """``max_overlap(text, texts)`` over the indexed texts ``start``..``end``."""
        end = len(self._sizes) if end is None else end
        mine = trigrams(text)
        counts: dict[int, int] = {}
        for g in mine:
            for i in self._index.get(g, ()):
                if start <= i < end:
                    counts[i] = counts.get(i, 0) + 1
        return max((c / min(len(mine), self._sizes[i]) for i, c in counts.items()), default=0.0)


@dataclass(frozen=True, slots=True)
class RecentWindow:
    """A fixed slice of a ``RecentIndex``: the recent replies one draft is compared with."""

    index: RecentIndex
    start: int
    end: int

    def max_overlap(self, text: str) -> float:
        """The largest overlap of ``text`` with the replies in this window."""
        return self.index.max_overlap(text, self.start, self.end)


def seed_for(*parts: str | None) -> int:
    """A stable seed from the message (same input, same drafts on every run and machine)."""
    digest = hashlib.sha256("\x1f".join(p or "" for p in parts).encode("utf-8", "replace")).digest()
    return int.from_bytes(digest[:8], "big")


def expand(template: str, rng: random.Random, *, shortest: bool = False) -> str:
    """Resolve ``[a|b|c]`` alternations (innermost first): a seeded pick, or the shortest option."""
    while True:
        match = _ALTERNATION.search(template)
        if match is None:
            return template
        options = match.group(1).split("|")
        choice = min(options, key=len) if shortest else rng.choice(options)
        template = template[: match.start()] + choice + template[match.end() :]


def slots(template: str) -> set[str]:
    """The ``{slot}`` names a template needs."""
    return set(SLOT.findall(template))


def fill(template: str, values: dict[str, str]) -> str:
    """Put values into ``{slot}``s (all must be present)."""
    return SLOT.sub(lambda m: values[m.group(1)], template)


def tidy(text: str) -> str:
    """Fix spacing and capitalisation left by joining building blocks."""
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" ([,.!?;:])", r"\1", text)
    text = re.sub(r"\.\.(?!\.)", ".", text)
    text = re.sub(r"\b(de|a) el\b", lambda m: "del" if m.group(1) == "de" else "al", text)
    lines = []
    for line in text.split("\n"):
        line = line.strip()
        if line:
            line = line[0].upper() + line[1:]
        lines.append(line)
    return "\n".join(lines).strip()


@lru_cache(maxsize=4096)
def _phrase_regex(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", re.I)


def contains_phrase(text: str, phrase: str) -> bool:
    """Whole-word, case-insensitive containment."""
    return _phrase_regex(phrase).search(text) is not None


_NOT_FIRST_NAMES = frozenset(
    [
        "customer",
        "guest",
        "user",
        "admin",
        "anonymous",
        "unknown",
        "traveller",
        "traveler",
        "reviewer",
        "google",
        "apple",
        "android",
        "amazon",
        "team",
        "support",
        "service",
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "sir",
        "madam",
        "the",
        "a",
        "an",
        "my",
        "hotel",
        "family",
        "couple",
        "business",
        "solo",
    ]
)


def first_name(author: str | None) -> str | None:
    """A first name from a display name like "Jane Smith"; None for handles, e-mails, titles or junk.

    "Mohsin65317336", "john_p9764", "dwhitcombe" and "A Google user" are not greeted by name: a reply that
    greets a handle reads as a machine's.
    """
    if not author:
        return None
    author = clean(author)
    if "@" in author or any(ch.isdigit() for ch in author) or "_" in author or "." in author:
        return None
    parts = author.split()
    if not parts or len(parts) > 4:
        return None
    name = parts[0]
    if not re.fullmatch(r"[A-ZÀ-Þ][a-zß-ÿ'-]{1,20}", name) or name.lower() in _NOT_FIRST_NAMES:
        return None
    return name


def mask(text: str) -> str:
    """Hide most of a piece of personal data for display in a finding."""
    return text[:2] + "…" if len(text) > 2 else "…"


def pick(options: Sequence[str], rng: random.Random) -> str:
    """A seeded choice."""
    return options[rng.randrange(len(options))]
