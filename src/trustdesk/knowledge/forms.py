"""The desk's entry form: plain text fields to an ``Entry`` and back (validation stays in the schema)."""

from __future__ import annotations

from pydantic import ValidationError

from trustdesk.knowledge.schemas import LANGUAGE, Entry

FIELDS: tuple[str, ...] = ("title", "slug", "kind", "questions", "answer", "wordings", "languages", "links",
                           "tags", "intents")  # fmt: skip


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def entry_from_form(form: dict[str, str]) -> tuple[Entry | None, list[str]]:
    """(entry, []) or (None, problems) from the form's fields.

    ``questions``, ``wordings`` (more English wordings) and ``links`` (``url`` or ``title | url``) hold one
    item a line; ``languages`` one ``xx: answer`` a line; ``tags`` and ``intents`` are comma-separated.
    """
    problems: list[str] = []
    answers: dict[str, list[str]] = {"en": [a for a in [form.get("answer", "").strip()] if a]}
    answers["en"] += _lines(form.get("wordings", ""))
    for n, line in enumerate(_lines(form.get("languages", "")), start=1):
        language, sep, text = line.partition(":")
        if not sep or not LANGUAGE.fullmatch(language.strip().lower()):
            problems.append(f"other languages, line {n}: write it as 'es: the answer in Spanish'")
            continue
        answers.setdefault(language.strip().lower(), []).append(text.strip())
    links = []
    for line in _lines(form.get("links", "")):
        title, sep, url = line.rpartition("|")
        links.append({"url": url.strip(), "title": title.strip()} if sep else {"url": line})
    fields = {
        "title": form.get("title", ""),
        "slug": form.get("slug", "").strip(),
        "kind": form.get("kind") or "faq",
        "questions": _lines(form.get("questions", "")),
        "answers": answers,
        "links": links,
        "tags": [t for t in form.get("tags", "").split(",") if t.strip()],
        "intents": [t for t in form.get("intents", "").split(",") if t.strip()],
    }
    try:
        entry = Entry.model_validate(fields)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "entry"
            problems.append(f"{where}: {err['msg'].removeprefix('Value error, ')}")
        return None, problems
    return (None, problems) if problems else (entry, [])


def form_from_entry(entry: Entry) -> dict[str, str]:
    """The form's fields for an entry (the inverse of ``entry_from_form``)."""
    english = list(entry.answers.get("en", ()))
    return {
        "title": entry.title,
        "slug": entry.slug,
        "kind": entry.kind,
        "questions": "\n".join(entry.questions),
        "answer": english[0] if english else "",
        "wordings": "\n".join(english[1:]),
        "languages": "\n".join(
            f"{lang}: {w}" for lang, ws in entry.answers.items() if lang != "en" for w in ws
        ),
        "links": "\n".join(f"{link.title} | {link.url}" if link.title else link.url for link in entry.links),
        "tags": ", ".join(entry.tags),
        "intents": ", ".join(entry.intents),
    }
