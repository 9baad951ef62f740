"""What a knowledge entry is (validated once, for every way in: files, the desk, the CLI) and what retrieval returns."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from trustdesk.errors import DomainError

KINDS: tuple[str, ...] = ("faq", "policy", "link")
SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})?")
HINT = re.compile(r"[a-z][a-z0-9_.]{0,47}")
MAX_TEXT = 4000
"""Characters of one answer wording: a reply quotes it, so it stays short of any channel's limit x 4."""


class KnowledgeError(DomainError, ValueError):
    """A knowledge-base operation that cannot be done; ``code`` names the reason (``knowledge.*``)."""


def slugify(text: str) -> str:
    """A slug from a title: ASCII letters, digits and single hyphens, at most 64 characters."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")[:64].strip("-")
    return slug or "entry"


def _strings(value: object) -> object:
    """One string or a list of them -> a list of stripped, non-empty strings (others left for pydantic)."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list | tuple):
        return [
            v.strip() if isinstance(v, str) else v
            for v in value
            if not (isinstance(v, str) and not v.strip())
        ]
    return value


def _keyword_fields(data: dict[str, object]) -> None:
    """Accept the simple keyword files ``trustdesk draft --knowledge`` first read: ``id``, ``keywords``
    (phrases that show a message asks it: they become questions), ``link``, ``language``."""
    ident = data.get("id")
    if "slug" not in data and isinstance(ident, str | int) and not isinstance(ident, bool):
        del data["id"]  # a file's name for the entry (a stored entry's row id comes with its slug)
        data.setdefault("title", str(ident).replace("-", " ").strip().capitalize() or "Entry")
        data["slug"] = slugify(str(ident))
    keywords = data.pop("keywords", None)
    if keywords:
        listed = keywords.split(";") if isinstance(keywords, str) else keywords
        extra = _strings(listed)
        data["questions"] = [*(_strings(data.get("questions")) or []), *extra]  # type: ignore[misc]
    link = data.pop("link", None)
    if isinstance(link, str) and link.strip():
        data["links"] = [*(data.get("links") or []), link.strip()]  # type: ignore[misc]


class Link(BaseModel):
    """A help link an answer may give: http(s) only (it is shown in the desk and posted in replies)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(max_length=2000)
    title: str = Field(default="", max_length=300)

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        value = value.strip()
        if not re.fullmatch(r"https?://[^\s<>\"']+", value, re.I):
            raise ValueError(f"not an http(s) link: {value[:80]!r}")
        return value


class Entry(BaseModel):
    """One FAQ answer, policy or help link of a brand, in the words the brand approved.

    ``questions`` are ways customers ask it (the title counts as one); ``answers`` holds, per language,
    one or more approved wordings of the same answer (several let replies vary); ``intents`` are hints
    (``delivery``, ``billing_refund``, a playbook situation) that tell the drafter when it applies.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: str
    title: str = Field(min_length=1, max_length=300)
    kind: Literal["faq", "policy", "link"] = "faq"
    questions: tuple[str, ...] = ()
    answers: dict[str, tuple[str, ...]]
    links: tuple[Link, ...] = ()
    tags: tuple[str, ...] = ()
    intents: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _shorthands(cls, data: object) -> object:
        # ``answer: "..."`` is the English answer; a missing slug comes from the title
        if isinstance(data, dict):
            data = dict(data)
            _keyword_fields(data)
            if "answer" in data:
                answer = data.pop("answer")
                if "answers" in data:
                    raise ValueError("give either answer or answers, not both")
                data["answers"] = {str(data.pop("language", None) or "en"): answer}
            if not data.get("slug") and isinstance(data.get("title"), str):
                data["slug"] = slugify(data["title"])
            if isinstance(data.get("links"), list):
                data["links"] = [{"url": x} if isinstance(x, str) else x for x in data["links"]]
        return data

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        value = value.strip().lower()
        if not SLUG.fullmatch(value):
            raise ValueError(f"{value[:70]!r} is not a slug (a-z, 0-9 and hyphens, at most 64 characters)")
        return value

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return " ".join(value.split())

    @field_validator("questions", "tags", "intents", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _strings(value)

    @field_validator("questions")
    @classmethod
    def _questions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(len(q) > 500 for q in value):
            raise ValueError("a question is longer than 500 characters")
        return tuple(dict.fromkeys(" ".join(q.split()) for q in value))

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(len(t) > 64 for t in value):
            raise ValueError("a tag is longer than 64 characters")
        return tuple(dict.fromkeys(t.lower() for t in value))

    @field_validator("intents")
    @classmethod
    def _intents(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in value if not HINT.fullmatch(v.lower())]
        if bad:
            raise ValueError(f"not an intent or situation name: {bad[0][:60]!r}")
        return tuple(dict.fromkeys(v.lower() for v in value))

    @field_validator("answers", mode="before")
    @classmethod
    def _answers_shape(cls, value: object) -> object:
        if isinstance(value, str):
            return {"en": [value]}
        if isinstance(value, dict):
            return {str(k).strip().lower(): _strings(v) for k, v in value.items()}
        return value

    @field_validator("answers")
    @classmethod
    def _answers(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for language, wordings in value.items():
            if not LANGUAGE.fullmatch(language):
                raise ValueError(f"{language[:20]!r} is not a language code such as en or es")
            if any(len(w) > MAX_TEXT for w in wordings):
                raise ValueError(f"an answer is longer than {MAX_TEXT} characters")
        value = {k: v for k, v in value.items() if v}
        if not value:
            raise ValueError("an entry needs an approved answer in at least one language")
        return value

    def answer_for(self, language: str = "en") -> tuple[str, ...]:
        """The approved wordings in ``language``, else English, else the first language given."""
        return self.answers.get(language) or self.answers.get("en") or next(iter(self.answers.values()))

    def all_questions(self) -> tuple[str, ...]:
        """The title and every question variant, without repeats."""
        return tuple(dict.fromkeys((self.title, *self.questions)))


class EntryRead(Entry):
    """An entry as stored for a brand: its row id, when and by whom it was last changed."""

    id: int
    updated_at: datetime
    updated_by: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """Why one line of an import file was not (fully) taken; the rest of the file still is."""

    line: int
    message: str
    slug: str | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (the CLI's and the desk's report)."""
        out: dict[str, object] = {"line": self.line, "message": self.message}
        if self.slug:
            out["slug"] = self.slug
        return out


@dataclass(frozen=True, slots=True)
class Parsed:
    """The entries read from a file, each with the line it starts on, and the problems found."""

    entries: list[tuple[int, Entry]]
    problems: list[Problem]


@dataclass(frozen=True, slots=True)
class Match:
    """One entry retrieved for a message: its combined score, the two signals, and whether it answers.

    ``answers`` is ``score >= threshold`` (``knowledge.index.ANSWER_THRESHOLD`` unless the index was built
    with another); below it the entry is related at best and the drafter should not state it as the answer.
    """

    entry: Entry
    score: float
    semantic: float
    lexical: float
    answers: bool
    question: str
    """The title or question variant that came closest to the message."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (``trustdesk knowledge search --json``)."""
        return {
            "slug": self.entry.slug,
            "title": self.entry.title,
            "score": round(self.score, 4),
            "semantic": round(self.semantic, 4),
            "lexical": round(self.lexical, 4),
            "answers": self.answers,
            "question": self.question,
            "answer": self.entry.answer_for("en")[0],
            "links": [link.url for link in self.entry.links],
        }
