"""Where a draft's answer comes from: a small protocol, the playbook's own FAQ, and an in-memory source.

The drafter asks an ``AnswerSource`` for the approved wordings that answer a message; it never makes
an answer up. The playbook's ``facts.faq`` is always a source; a brand's knowledge base and its archive
of posted replies plug in through the same protocol (``trustdesk.respond.knowledge`` when present).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import yaml

from trustdesk.respond.schemas import Playbook
from trustdesk.respond.text import contains_phrase, words

AnswerKind = Literal["faq", "knowledge", "archive"]
MIN_SCORE = 0.5
"""Answers scoring below this are not used: a wrong answer is worse than an honest next step."""


@dataclass(frozen=True, slots=True)
class Answer:
    """One approved wording that answers a message, with where it came from and how sure the match is."""

    text: str
    score: float
    kind: AnswerKind = "faq"
    link: str | None = None
    id: str = ""
    alternatives: tuple[str, ...] = ()
    """Other approved wordings of the same answer (replies vary between them)."""


class AnswerSource(Protocol):
    """Anything that returns the answers to a message, best first (knowledge base, archive, FAQ)."""

    def __call__(self, *, text: str, language: str) -> Sequence[Answer]: ...


def _keyword_score(text: str, keywords: Iterable[str]) -> float:
    hits = sum(contains_phrase(text, k) for k in keywords)
    return min(1.0, 0.5 + 0.25 * (hits - 1)) if hits else 0.0


@dataclass(frozen=True)
class FaqSource:
    """The playbook's ``facts.faq``: an entry answers when one of its keywords is in the message."""

    playbook: Playbook

    def __call__(self, *, text: str, language: str) -> Sequence[Answer]:
        """FAQ answers whose keywords the message uses, best first."""
        found: list[Answer] = []
        for faq in self.playbook.facts.faq:
            score = _keyword_score(text, faq.keywords)
            wordings = faq.answer.get(language) or faq.answer.get("en") or []
            if score and wordings:
                found.append(Answer(wordings[0], score, "faq", None, faq.id, tuple(wordings[1:])))
        return sorted(found, key=lambda a: -a.score)


@dataclass(frozen=True, slots=True)
class Entry:
    """A knowledge entry: the question words it answers, the approved answer and an optional link."""

    id: str
    answer: str
    keywords: tuple[str, ...] = ()
    link: str | None = None
    language: str = "en"


@dataclass(frozen=True)
class StaticSource:
    """A small in-memory knowledge base matched by keywords (tests, files given to ``trustdesk draft``)."""

    entries: Sequence[Entry] = field(default_factory=tuple)

    def __call__(self, *, text: str, language: str) -> Sequence[Answer]:
        """Entries whose keywords (or, without keywords, most of their id's words) the message uses."""
        found = []
        for e in self.entries:
            if e.language != language:
                continue
            keys = e.keywords or tuple(w for w in words(e.id.replace("-", " ")) if len(w) > 3)
            score = _keyword_score(text, keys)
            if score:
                found.append(Answer(e.answer, score, "knowledge", e.link, e.id))
        return sorted(found, key=lambda a: -a.score)


def chain(*sources: AnswerSource | None) -> AnswerSource:
    """One source that asks each in turn and merges their answers, best first."""
    live = [s for s in sources if s is not None]

    def ask(*, text: str, language: str) -> Sequence[Answer]:
        merged = [a for s in live for a in s(text=text, language=language)]
        return sorted(merged, key=lambda a: -a.score)

    return ask


def best_answer(source: AnswerSource | None, *, text: str, language: str) -> Answer | None:
    """The best answer scoring at least ``MIN_SCORE`` (archive replies are offered elsewhere), or None."""
    if source is None:
        return None
    for answer in source(text=text, language=language):
        if answer.kind != "archive" and answer.score >= MIN_SCORE:
            return answer
    return None


_MD_ENTRY = re.compile(r"^#{1,3}\s+(.+)$", re.M)


def load_entries(path: Path) -> list[Entry]:
    """Read knowledge entries: YAML/JSON/CSV rows of {id, answer, keywords, link}, or Markdown headings."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".csv":
        import csv
        import io

        rows = list(csv.DictReader(io.StringIO(text)))
        return [
            Entry(
                str(r.get("id") or i),
                r["answer"],
                tuple(k.strip() for k in (r.get("keywords") or "").split(";") if k.strip()),
                r.get("link") or None,
                r.get("language") or "en",
            )  # fmt: skip
            for i, r in enumerate(rows)
            if r.get("answer")
        ]
    if path.suffix.lower() in {".md", ".markdown"}:
        heads = list(_MD_ENTRY.finditer(text))
        out = []
        for i, m in enumerate(heads):
            body = text[m.end() : heads[i + 1].start() if i + 1 < len(heads) else len(text)].strip()
            link = next(iter(re.findall(r"https?://\S+", body)), None)
            title = m.group(1).strip()
            out.append(
                Entry(title, " ".join(body.split()), tuple(w for w in words(title) if len(w) > 3), link)
            )
        return out
    raw = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    items = raw.get("entries", []) if isinstance(raw, dict) else raw or []
    return [
        Entry(
            id=str(item.get("id") or item.get("title") or i),
            answer=str(item["answer"]),
            keywords=tuple(str(k) for k in item.get("keywords") or ()),
            link=item.get("link"),
            language=str(item.get("language") or "en"),
        )
        for i, item in enumerate(items)
        if isinstance(item, dict) and item.get("answer")
    ]


def load_source(path: Path) -> AnswerSource | None:
    """An answer source for a knowledge file; a file that cannot be read gives None (drafts go on without)."""
    try:
        return StaticSource(tuple(load_entries(path)))
    except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError):
        return None
