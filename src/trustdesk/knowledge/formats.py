"""Read a knowledge base from Markdown, CSV or YAML: every good entry is kept, every bad line reported.

Markdown (``.md``) — one entry per ``## `` heading (the heading is the title and first question)::

    ## What are your opening hours?
    Slug: hours
    Also asked: When do you open? | Are you open on Sundays?
    Tags: cafés, hours
    Intents: question

    Our cafés are open Mon–Fri 07:00–18:00 and Sat–Sun 08:00–17:00.

    Or: Opening hours are Mon–Fri 07:00–18:00 and Sat–Sun 08:00–17:00 at all three cafés.

    ### es
    Abrimos de lunes a viernes de 07:00 a 18:00 y los fines de semana de 08:00 a 17:00.

    Links: [Our cafés](https://bluebirdcoffee.example/cafes)

Text before the first ``## `` is an introduction and is not imported. The body is the English answer (paragraphs join into one wording; a paragraph starting ``Or:`` is another
approved wording); ``### xx`` switches to language ``xx``. ``Slug``, ``Also asked`` (``|``-separated),
``Tags`` and ``Intents`` (comma-separated), ``Kind`` (faq, policy or link) and ``Links`` (URLs or
``[title](url)``, on the line or as ``- `` items below it) are optional; a ``[title](url)`` inside an
answer is written as "title (url)" and its link kept.

CSV (``.csv``) — a header row, then one entry per row: ``title`` and ``answer`` (English) are needed;
``slug``, ``questions``, ``answer_xx`` (other languages), ``links``, ``tags``, ``intents`` and ``kind`` are
optional; list cells are ``|``-separated. The simple keyword files of ``trustdesk draft --knowledge``
(``id, answer, keywords`` (``;``-separated), ``link``, ``language``) read too, in CSV and YAML.

YAML (``.yaml``/``.yml``) — a list of entries (or ``entries:`` holding one) with the fields of
``knowledge.schemas.Entry``; ``answer: "..."`` is short for ``answers: {en: ...}``.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from trustdesk.knowledge.schemas import LANGUAGE, Entry, KnowledgeError, Parsed, Problem

FORMATS: dict[str, str] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".csv": "csv",
    ".yaml": "yaml",
    ".yml": "yaml",
}
MAX_BYTES = 5_000_000
"""A knowledge file larger than this is refused: a brand's FAQ is kilobytes, not megabytes."""

_MD_LINK = re.compile(r"\[([^\]\n]{0,300})\]\(([^)\s]{1,2000})\)")
_URL = re.compile(r"https?://[^\s<>\"'|,)]+", re.I)
_META = re.compile(r"(slug|also asked|questions|tags|intents|kind|links)\s*:\s*(.*)", re.I)
_CSV_COLUMNS = frozenset(
    {
        "slug",
        "title",
        "questions",
        "answer",
        "links",
        "tags",
        "intents",
        "kind",
        "id",
        "keywords",
        "link",
        "language",
    }
)  # the last four: simple keyword files


def format_of(path: Path) -> str:
    """``markdown``, ``csv`` or ``yaml`` from the file name, or ``KnowledgeError`` (knowledge.unknown_format)."""
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise KnowledgeError("knowledge.unknown_format", f"{path.name}: use a .md, .csv, .yaml or .yml file")
    return found


def read_file(path: Path) -> Parsed:
    """Entries and problems of a knowledge file (format from its name); unreadable files raise KnowledgeError."""
    kind = format_of(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KnowledgeError("knowledge.unreadable", f"{path}: {exc.strerror or exc}") from None
    return read_bytes(data, kind)


def read_bytes(data: bytes, kind: str) -> Parsed:
    """Entries and problems of a knowledge file's bytes in format ``kind`` (markdown, csv or yaml)."""
    if len(data) > MAX_BYTES:
        raise KnowledgeError("knowledge.too_large", f"the file is larger than {MAX_BYTES // 1_000_000} MB")
    problems: list[Problem] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(Problem(line, "not valid UTF-8: the bad bytes were replaced"))
        text = data.decode("utf-8-sig", errors="replace")
    reader = {"markdown": read_markdown, "csv": read_csv, "yaml": read_yaml}.get(kind)
    if reader is None:
        raise KnowledgeError("knowledge.unknown_format", f"unknown knowledge format {kind!r}")
    parsed = reader(text)
    return Parsed(parsed.entries, sorted(problems + parsed.problems, key=lambda p: p.line))


def _validated(line: int, fields: dict[str, Any], problems: list[Problem]) -> Entry | None:
    try:
        return Entry.model_validate(fields)
    except ValidationError as exc:
        slug = fields.get("slug") if isinstance(fields.get("slug"), str) else None
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            message = err["msg"].removeprefix("Value error, ")
            problems.append(Problem(line, f"{where}: {message}" if where else message, slug))
        return None


def _unique(entries: list[tuple[int, Entry]], problems: list[Problem]) -> list[tuple[int, Entry]]:
    """The first entry of each slug; later ones are reported (a file should not say two things)."""
    seen: dict[str, int] = {}
    kept = []
    for line, entry in entries:
        if entry.slug in seen:
            problems.append(Problem(line, f"slug {entry.slug!r} is already used at line {seen[entry.slug]}; "
                                          "this entry was skipped", entry.slug))  # fmt: skip
            continue
        seen[entry.slug] = line
        kept.append((line, entry))
    return kept


def _split(value: str, sep: str) -> list[str]:
    return [part.strip() for part in value.split(sep) if part.strip()]


def _links_in(value: str, line: int, problems: list[Problem]) -> list[dict[str, str]]:
    """Links written as ``[title](url)`` or bare URLs; anything that is not http(s) is reported."""
    links = [{"url": url, "title": title.strip()} for title, url in _MD_LINK.findall(value)]
    rest = _MD_LINK.sub(" ", value)
    links += [{"url": url, "title": ""} for url in _URL.findall(rest)]
    leftover = _URL.sub(" ", rest).strip(" -*,|\t")
    if leftover:
        problems.append(Problem(line, f"not an http(s) link, ignored: {leftover[:80]!r}"))
    bad = [link for link in links if not re.match(r"https?://", link["url"], re.I)]
    for link in bad:
        problems.append(Problem(line, f"not an http(s) link, ignored: {link['url'][:80]!r}"))
    return [link for link in links if link not in bad]


class _MarkdownEntry:
    """The parts of one ``##`` section while it is read."""

    def __init__(self, line: int, title: str) -> None:
        self.line = line
        self.fields: dict[str, Any] = {"title": title, "questions": [], "tags": [], "intents": []}
        self.links: list[dict[str, str]] = []
        self.answers: dict[str, list[list[list[str]]]] = {}
        self.language = "en"
        self.paragraph_open = False
        self.in_links = False

    def text(self, value: str, line: int, problems: list[Problem]) -> None:
        for title, url in _MD_LINK.findall(value):
            self.links += _links_in(f"[{title}]({url})", line, problems)
        value = _MD_LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})" if m.group(1) else m.group(2), value)
        # a wording is a list of paragraphs, a paragraph a list of lines
        wordings = self.answers.setdefault(self.language, [])
        alternative = re.match(r"or\s*:\s*", value, re.I)
        if alternative or not wordings:
            wordings.append([[]])
            value = value[alternative.end() :] if alternative else value
        elif not self.paragraph_open:
            wordings[-1].append([])
        wordings[-1][-1].append(value)
        self.paragraph_open = True

    def build(self, problems: list[Problem]) -> tuple[int, Entry] | None:
        fields = dict(self.fields)
        fields["answers"] = {
            lang: ["\n\n".join(" ".join(lines) for lines in paragraphs if lines) for paragraphs in wordings]
            for lang, wordings in self.answers.items()
        }
        if not any(fields["answers"].values()):
            problems.append(Problem(self.line, f"{fields['title'][:60]!r} has no answer text: skipped"))
            return None
        fields["links"] = list({link["url"]: link for link in self.links}.values())
        entry = _validated(self.line, fields, problems)
        return (self.line, entry) if entry else None


def read_markdown(text: str) -> Parsed:
    """Entries from Markdown: ``## question`` sections (see the module docstring)."""
    problems: list[Problem] = []
    entries: list[tuple[int, Entry]] = []
    current: _MarkdownEntry | None = None
    in_fence = False
    preamble = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip()
        stripped = line.strip()
        if stripped.startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence or stripped.startswith("<!--"):
            continue
        if line.startswith("## "):
            if current and (built := current.build(problems)):
                entries.append(built)
            current = _MarkdownEntry(number, line[3:].strip())
            continue
        if line.startswith("# ") or not stripped:
            if current:
                current.paragraph_open = False
                current.in_links = False
            continue
        if current is None:
            preamble = preamble or number  # an introduction: not an entry, not a mistake
            continue
        if line.startswith("### "):
            language = line[4:].strip().lower()
            if LANGUAGE.fullmatch(language):
                current.language, current.paragraph_open = language, False
            else:
                problems.append(Problem(number, f"'### {language[:40]}' is not a language code such as es"))
            continue
        if current.in_links and stripped.startswith(("- ", "* ")):
            current.links += _links_in(stripped[2:], number, problems)
            continue
        meta = _META.fullmatch(stripped)
        if meta:
            _markdown_meta(current, meta.group(1).lower(), meta.group(2), number, problems)
            continue
        current.text(stripped, number, problems)
    if current and (built := current.build(problems)):
        entries.append(built)
    if current is None and preamble:
        problems.append(Problem(preamble, "no '## ' question heading found: each entry starts with one"))
    return Parsed(_unique(entries, problems), problems)


def _markdown_meta(entry: _MarkdownEntry, key: str, value: str, line: int, problems: list[Problem]) -> None:
    if key == "links":
        entry.links += _links_in(value, line, problems) if value.strip() else []
        entry.in_links = True
    elif key in ("also asked", "questions"):
        entry.fields["questions"] += _split(value, "|")
    elif key in ("tags", "intents"):
        entry.fields[key] += _split(value, ",")
    else:
        entry.fields[key] = value.strip()


def read_csv(text: str) -> Parsed:
    """Entries from CSV with a header row (see the module docstring)."""
    problems: list[Problem] = []
    entries: list[tuple[int, Entry]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return Parsed([], [Problem(1, "the file is empty")])
    except csv.Error as exc:
        return Parsed([], [Problem(1, f"not readable as CSV: {exc}")])
    known = [h in _CSV_COLUMNS or (h.startswith("answer_") and LANGUAGE.fullmatch(h[7:])) for h in header]
    for h, ok in zip(header, known, strict=True):
        if not ok:
            problems.append(Problem(1, f"unknown column {h[:40]!r} ignored"))
    named = "title" in header or "id" in header
    if not named or not any(h == "answer" or h.startswith("answer_") for h in header):
        problems.append(Problem(1, "the header needs a 'title' and an 'answer' (or 'answer_xx') column"))
        return Parsed([], problems)
    start = 2
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(reader.line_num, f"not readable as CSV: {exc}"))
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(Problem(line, f"{len(row)} cells where the header has {len(header)}: skipped"))
            continue
        cells = {h: c.strip() for h, c, ok in zip(header, row, known, strict=True) if ok}
        answers = {
            "en" if h == "answer" else h[7:]: v for h, v in cells.items() if h.startswith("answer") and v
        }
        fields: dict[str, Any] = {
            "title": cells.get("title", ""),
            "answers": answers,
            "questions": _split(cells.get("questions", ""), "|"),
            "tags": _split(cells.get("tags", ""), "|"),
            "intents": _split(cells.get("intents", ""), "|"),
            "links": _links_in(cells.get("links", "").replace("|", " "), line, problems),
        }
        for key in ("slug", "kind", "id", "keywords", "link", "language"):
            if cells.get(key):
                fields[key] = cells[key]
        if not fields["title"] and fields.get("id"):
            del fields["title"]  # the id names it instead
        if "language" in fields and "en" in answers and len(answers) == 1:
            fields["answers"] = {fields.pop("language"): answers["en"]}
        entry = _validated(line, fields, problems)
        if entry:
            entries.append((line, entry))
    return Parsed(_unique(entries, problems), problems)


def read_yaml(text: str) -> Parsed:
    """Entries from YAML; a syntax error costs only the top-level item it is in."""
    problems: list[Problem] = []
    try:
        items = _yaml_items(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problems.append(Problem(line, f"not valid YAML ({getattr(exc, 'problem', None) or exc}); "
                                      "reading item by item"))  # fmt: skip
        items = []
        for first_line, chunk in _top_level_chunks(text):
            try:
                items += [(first_line + line - 1, value) for line, value in _yaml_items(chunk)]
            except yaml.YAMLError as chunk_exc:
                chunk_mark = getattr(chunk_exc, "problem_mark", None)
                where = first_line + (chunk_mark.line if chunk_mark is not None else 0)
                problems.append(Problem(where, "this item is not valid YAML: skipped"))
    except KnowledgeError as exc:
        return Parsed([], [Problem(1, str(exc))])
    entries: list[tuple[int, Entry]] = []
    for line, value in items:
        if not isinstance(value, dict):
            problems.append(Problem(line, "an entry must be a mapping (title, answer, …)"))
            continue
        entry = _validated(line, value, problems)
        if entry:
            entries.append((line, entry))
    return Parsed(_unique(entries, problems), problems)


def _yaml_items(text: str) -> list[tuple[int, Any]]:
    """(line, value) of each top-level item: a list, or a mapping holding ``entries``."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is None:
        return []
    data = yaml.safe_load(text)
    if isinstance(node, yaml.MappingNode) and isinstance(data, dict) and "entries" in data:
        node = next(v for k, v in node.value if k.value == "entries")
        data = data["entries"]
    if not isinstance(node, yaml.SequenceNode) or not isinstance(data, list):
        raise KnowledgeError("knowledge.invalid_file", "the YAML must be a list of entries (or 'entries:')")
    return [(item.start_mark.line + 1, value) for item, value in zip(node.value, data, strict=True)]


def _top_level_chunks(text: str) -> list[tuple[int, str]]:
    """The text cut before each line that starts a top-level list item (``- `` at the item's indent)."""
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if re.match(r"(\s{0,2})- ", line)]
    indent = min((len(lines[i]) - len(lines[i].lstrip()) for i in starts), default=0)
    starts = [i for i in starts if len(lines[i]) - len(lines[i].lstrip()) == indent]
    chunks = []
    for a, b in zip(starts, [*starts[1:], len(lines)], strict=True):
        chunk = "\n".join(line[indent:] for line in lines[a:b])
        chunks.append((a + 1, chunk))
    return chunks
