"""`trustdesk knowledge import|list|search` as a user runs them."""

from __future__ import annotations

import json

import pytest
from tests.cli.test_cli_import import run, shop  # noqa: F401 - the fixture, used by name below

from trustdesk.demo import demo_dir


@pytest.mark.usefixtures("shop")
def test_cli_knowledge_import_reports_each_bad_line_and_list_shows_the_rest(tmp_path):
    path = tmp_path / "faq.csv"
    path.write_text("title,answer,links\nOpening hours,Mon–Fri 07:00–18:00.,\n,No title,\nLinks,See us.,ftp://x\n",
                    encoding="utf-8")  # fmt: skip
    code, out, err = run("knowledge", "import", str(path), "--brand", "bluebird")
    assert code == 0
    assert "faq.csv:3: title:" in err and "faq.csv:4: not an http(s) link" in err
    assert out.strip() == "2 new, 0 updated, 0 unchanged, 2 problem(s)"
    code, out, _ = run("knowledge", "import", str(path), "--brand", "bluebird", "--json")
    assert json.loads(out) == {"created": 0, "updated": 0, "unchanged": 2,
                               "problems": json.loads(out)["problems"]}  # fmt: skip
    code, out, _ = run("knowledge", "list", "--brand", "bluebird", "--json")
    listed = json.loads(out)
    assert [e["slug"] for e in listed] == ["links", "opening-hours"] and listed[1]["answers"] == {
        "en": ["Mon–Fri 07:00–18:00."]
    }


@pytest.mark.usefixtures("shop")
def test_cli_knowledge_import_of_nothing_good_fails(tmp_path):
    path = tmp_path / "faq.yaml"
    path.write_text("- title: no answer\n", encoding="utf-8")
    code, _, err = run("knowledge", "import", str(path), "--brand", "bluebird")
    assert code == 1 and "faq.yaml:1:" in err
    assert run("knowledge", "import", str(path), "--brand", "nobody")[0] == 2
    assert run("knowledge", "import", str(tmp_path / "faq.txt"), "--brand", "bluebird")[0] == 2


@pytest.mark.usefixtures("shop")
def test_cli_knowledge_search_in_the_database_and_in_a_file():
    assert run("knowledge", "import", str(demo_dir() / "knowledge.md"), "--brand", "bluebird")[0] == 0
    code, out, _ = run("knowledge", "search", "Do you deliver beans to Ireland?", "--brand", "bluebird", "--json",
                       "--limit", "2")  # fmt: skip
    found = json.loads(out)
    assert code == 0 and found[0]["slug"] == "shipping" and found[0]["answers"] is True and len(found) == 2
    assert set(found[0]) >= {"slug", "title", "score", "semantic", "lexical", "answers", "answer", "links"}
    code, out, _ = run(
        "knowledge", "search", "Do you do afternoon tea?", "--file", str(demo_dir() / "knowledge.md")
    )
    assert code == 0 and "nothing in the knowledge base answers this message" in out
    assert run("knowledge", "search", "hours", "--brand", "bluebird", "--file", "x.md")[0] == 2
