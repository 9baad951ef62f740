"""Retrieval over the Bluebird knowledge base, on the labelled questions of bench/data/knowledge_questions.jsonl."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trustdesk.demo import demo_dir
from trustdesk.knowledge import KnowledgeError, load_knowledge, with_knowledge
from trustdesk.knowledge.index import KnowledgeIndex
from trustdesk.knowledge.lexical import Lexical, terms
from trustdesk.respond import check_reply, load_playbook

DATA = Path(__file__).resolve().parents[2] / "bench" / "data" / "knowledge_questions.jsonl"


@pytest.fixture(scope="module")
def bluebird() -> KnowledgeIndex:
    return load_knowledge(demo_dir() / "knowledge.md")


def _score(index: KnowledgeIndex, split: str) -> tuple[float, int, int]:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    top1 = answerable = false = 0
    for row in (r for r in rows if r["split"] == split):
        best = index.search(row["text"], thread=row.get("thread", ()), limit=1)[0]
        if row["expected"]:
            answerable += 1
            top1 += best.entry.slug in row["expected"]
        else:
            false += best.answers
    return top1 / answerable, false, answerable


def test_index_tune_half_meets_the_targets_it_was_chosen_on(bluebird):
    top1, false, answerable = _score(bluebird, "tune")
    assert answerable >= 60 and top1 >= 0.9 and false == 0


def test_index_held_out_half_top1_and_false_answers(bluebird):
    # measured 0.84 top-1 and 1 of 20 unanswerable messages answered ("Do you sell gift cards?" -> decaf):
    # short of the 0.9 target, reported as such; this guards against it getting worse
    top1, false, answerable = _score(bluebird, "test")
    assert answerable >= 50 and top1 >= 0.84 and false <= 1


def test_index_exact_words_count_and_nothing_answers_off_topic(bluebird):
    best = bluebird.answering("do you ship to Belgium?")[0]
    assert best.entry.slug == "shipping" and best.lexical > 0
    assert bluebird.answering("Do you do afternoon tea?") == []
    assert bluebird.answering("Tom is a legend.") == []


def test_index_thread_context_makes_a_short_follow_up_answerable(bluebird):
    alone = bluebird.search("Pixel 8", limit=1)[0]
    threaded = bluebird.search(
        "Pixel 8", thread=["The app won't open at all", "Which phone are you on?"], limit=1
    )[0]
    assert alone.entry.slug != "app-crash" and not alone.answers
    assert threaded.entry.slug == "app-crash" and threaded.score > alone.score
    follow_up = bluebird.search("How long does it take?", thread=["Do you ship to Ireland?"], limit=1)[0]
    assert follow_up.entry.slug == "shipping" and follow_up.answers


def test_index_empty_base_answers_nothing():
    assert KnowledgeIndex([]).search("anything") == []


def test_load_knowledge_caches_per_file_version_and_refuses_empty_files(tmp_path):
    path = tmp_path / "kb.md"
    path.write_text("## Hours?\nOpen 9–5.\n", encoding="utf-8")
    first = load_knowledge(path)
    assert load_knowledge(path) is first and len(first) == 1
    path.write_text("## Hours?\nOpen 9–5.\n\n## Ship?\nUK only.\n", encoding="utf-8")
    assert len(load_knowledge(path)) == 2
    path.write_text("just words\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(path)
    assert err.value.code == "knowledge.empty"
    with pytest.raises(KnowledgeError):
        load_knowledge(tmp_path / "missing.yaml")


def test_with_knowledge_lets_the_checker_accept_approved_wording(bluebird):
    playbook = load_playbook("bluebird")
    match = bluebird.answering("My Rewards top-up was taken twice, can you refund one?")[0]
    reply = f"Sorry about the double charge. {match.entry.answer_for('en')[0]} – Jess"
    before = {
        f.code for f in check_reply(message="charged twice", reply=reply, playbook=playbook, channel="email")
    }
    after = {f.code for f in check_reply(message="charged twice", reply=reply, playbook=with_knowledge(playbook, [match]),
                                         channel="email")}  # fmt: skip
    assert "invented_fact" in before and "invented_fact" not in after


def test_lexical_scores_are_the_share_of_the_query_a_document_holds():
    index = Lexical(["ship beans to Ireland and the EU", "opening hours of the cafés"])
    scores = index.scores("Do you ship to Ireland?")
    assert 0.3 < scores[0] < 1 and scores[1] == 0  # "do", "you", "to" are stop words
    index.add(["Ireland Ireland Ireland"])
    assert index.scores("Ireland")[2] > index.scores("Ireland")[0] > 0
    assert terms("Cafés' bags, envíos!") == ["cafe", "bag", "envio"]
