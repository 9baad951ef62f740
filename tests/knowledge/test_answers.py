"""The knowledge base as the drafter's answer source, and the keyword files `trustdesk draft --knowledge` read."""

from __future__ import annotations

from trustdesk.demo import demo_dir
from trustdesk.knowledge.answers import KnowledgeSource, load_source, on_answer_scale
from trustdesk.knowledge.formats import read_bytes
from trustdesk.respond.answers import MIN_SCORE, best_answer


def test_answers_the_measured_threshold_is_the_drafters_min_score():
    assert on_answer_scale(0.45, 0.45) == MIN_SCORE
    assert on_answer_scale(0.2, 0.45) < MIN_SCORE < on_answer_scale(0.6, 0.45) <= 1.0


def test_answers_knowledge_source_gives_the_approved_wording_in_the_reply_language():
    source = load_source(demo_dir() / "knowledge.md")
    assert isinstance(source, KnowledgeSource)
    best = best_answer(source, text="Do you deliver to Belgium?", language="en")
    assert best is not None and best.id == "shipping" and best.kind == "knowledge"
    assert best.link == "https://bluebirdcoffee.example/delivery" and "EU" in best.text
    spanish = source(text="¿Hacéis envíos a España?", language="es")
    assert spanish[0].id == "shipping" and spanish[0].text.startswith("Enviamos")
    assert all(a.id != "holiday-hours" for a in source(text="Are you open on Boxing Day?", language="es"))
    assert best_answer(source, text="Do you do afternoon tea?", language="en") is None


def test_answers_keyword_files_read_as_entries():
    yaml_file = b"- id: stranger-missions\n  keywords: [stranger missions]\n  answer: Update the game.\n  link: https://s.example/a\n"
    [(line, entry)] = read_bytes(yaml_file, "yaml").entries
    assert (entry.slug, entry.questions, entry.links[0].url) == (
        "stranger-missions",
        ("stranger missions",),
        "https://s.example/a",
    )
    csv_file = "id,answer,keywords,link,language\nhours,Abrimos a las 8.,horario;abrís,,es\n".encode()
    parsed = read_bytes(csv_file, "csv")
    assert parsed.problems == []
    [(_, hours)] = parsed.entries
    assert hours.answers == {"es": ("Abrimos a las 8.",)} and hours.questions == ("horario", "abrís")
