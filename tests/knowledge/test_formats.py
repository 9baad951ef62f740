"""Markdown, CSV and YAML knowledge files: good entries kept, every bad line reported with its number."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustdesk.knowledge.formats import read_bytes, read_file
from trustdesk.knowledge.schemas import KnowledgeError

MARKDOWN = """# Acme help

An introduction that is not an entry.

## What are your opening hours?
Slug: hours
Also asked: When do you open? | Are you open on Sundays?
Tags: hours, shops
Intents: question

We're open Mon–Fri 09:00–17:00,
and closed at weekends.

Or: Our doors are open Mon–Fri 09:00–17:00.

### es
Abrimos de lunes a viernes de 09:00 a 17:00.

Links: [Our shops](https://acme.example/shops)
- https://acme.example/hours

## A question with no answer
Tags: broken

## Where do you ship?
### klingon!
Links: javascript:alert(1)
See [delivery](https://acme.example/delivery) for details.

## What are your opening hours?
Slug: hours
A second entry with the same slug.
"""


def _lines(parsed):
    return {p.line: p.message for p in parsed.problems}


def test_markdown_reads_entries_and_reports_each_bad_line():
    parsed = read_bytes(MARKDOWN.encode(), "markdown")
    entries = {e.slug: (line, e) for line, e in parsed.entries}
    assert set(entries) == {"hours", "where-do-you-ship"}
    line, hours = entries["hours"]
    assert line == 5
    assert hours.questions == ("When do you open?", "Are you open on Sundays?")
    assert hours.answers["en"] == ("We're open Mon–Fri 09:00–17:00, and closed at weekends.",
                                   "Our doors are open Mon–Fri 09:00–17:00.")  # fmt: skip
    assert hours.answers["es"] == ("Abrimos de lunes a viernes de 09:00 a 17:00.",)
    assert [link.url for link in hours.links] == ["https://acme.example/shops", "https://acme.example/hours"]
    assert hours.tags == ("hours", "shops") and hours.intents == ("question",)
    ship = entries["where-do-you-ship"][1]
    assert ship.answers["en"] == ("See delivery (https://acme.example/delivery) for details.",)
    assert [link.url for link in ship.links] == ["https://acme.example/delivery"]
    problems = _lines(parsed)
    assert "no answer" in problems[22]
    assert "not a language code" in problems[26]
    assert "not an http(s) link" in problems[27]
    assert "already used at line 5" in problems[30]
    assert 1 not in problems and 3 not in problems  # the introduction is not a mistake


def test_markdown_without_question_headings_says_so():
    parsed = read_bytes(b"# FAQ\nWe are open 9-5.\n", "markdown")
    assert parsed.entries == [] and "no '## ' question heading" in parsed.problems[0].message


def test_csv_rows_with_problems_are_skipped_and_the_rest_kept():
    text = (
        "slug,title,questions,answer,answer_es,links,tags,colour\n"
        "hours,Opening hours,When do you open?|Open on Sunday?,Mon–Fri 9–5.,Lunes a viernes.,https://a.example/h,hours|shop,red\n"
        "ragged,Too few cells\n"
        ",No answer here,,,,,,\n"
        "bad-link,Links,,An answer.,,ftp://a.example,,\n"
        '"multi",Multi-line,,"Line one\nline two",,,,\n'
    )
    parsed = read_bytes(text.encode(), "csv")
    slugs = {e.slug: (line, e) for line, e in parsed.entries}
    assert set(slugs) == {"hours", "bad-link", "multi"}
    assert slugs["bad-link"][1].links == ()
    hours = slugs["hours"][1]
    assert hours.questions == ("When do you open?", "Open on Sunday?")
    assert hours.answers == {"en": ("Mon–Fri 9–5.",), "es": ("Lunes a viernes.",)}
    assert hours.tags == ("hours", "shop")
    assert slugs["multi"][0] == 6
    problems = _lines(parsed)
    assert "unknown column 'colour'" in problems[1]
    assert "2 cells" in problems[3]
    assert "answer in at least one language" in problems[4]
    assert "not an http(s) link" in problems[5]


def test_csv_without_the_needed_columns_is_refused_clearly():
    parsed = read_bytes(b"question,reply\nHi,Hello\n", "csv")
    assert parsed.entries == [] and "needs a 'title'" in parsed.problems[-1].message


def test_yaml_a_broken_item_costs_only_itself():
    text = """entries:
  - title: Opening hours
    slug: hours
    answer: Mon–Fri 9–5.
  - title: Broken item
    answer: [unclosed
  - title: Shipping
    answers: {en: [We ship to the EU., EU only.], es: Enviamos a la UE.}
    links: [https://a.example/ship]
  - just a string
  - title: Bad slug
    slug: "Not A Slug!"
    answer: x
"""
    parsed = read_bytes(text.encode(), "yaml")
    entries = {e.slug: (line, e) for line, e in parsed.entries}
    assert set(entries) == {"hours", "shipping"}
    assert entries["shipping"][0] == 7
    assert entries["shipping"][1].answers == {
        "en": ("We ship to the EU.", "EU only."),
        "es": ("Enviamos a la UE.",),
    }
    messages = [p.message for p in parsed.problems]
    assert any("not valid YAML" in m for m in messages)
    assert any(p.line == 6 and "item is not valid YAML" in p.message for p in parsed.problems)
    assert any(p.line == 10 and "must be a mapping" in p.message for p in parsed.problems)
    assert any(p.line == 11 and "slug" in p.message for p in parsed.problems)


def test_invalid_utf8_is_reported_and_the_file_still_read():
    data = "## Hours?\nOpen 9–5.\n".encode() + b"\n## Caf\xe9?\nYes.\n"
    parsed = read_bytes(data, "markdown")
    assert len(parsed.entries) == 2 and parsed.problems[0].line == 4 and "UTF-8" in parsed.problems[0].message


def test_read_file_refuses_an_unknown_extension(tmp_path: Path):
    path = tmp_path / "faq.txt"
    path.write_text("## Q\nA\n")
    with pytest.raises(KnowledgeError) as err:
        read_file(path)
    assert err.value.code == "knowledge.unknown_format"


def test_demo_knowledge_file_reads_without_a_problem():
    from trustdesk.demo import demo_dir

    parsed = read_file(demo_dir() / "knowledge.md")
    assert parsed.problems == [] and len(parsed.entries) >= 30
