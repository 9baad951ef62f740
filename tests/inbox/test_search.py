"""Full-text search: the same cases, the same answers, on SQLite FTS5 and PostgreSQL tsvector."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from factories import BASE_TIME, make_brand, make_channel, make_conversation, make_message
from trustdesk.inbox.cursor import InvalidCursor
from trustdesk.inbox.search import parse_query, search_messages

TEXTS = {
    "latte": "The oat latte at Canal Street was cold and the queue was long.",
    "cafe": "Best Café in Edinburgh, Tom made a perfect flat white.",
    "order": "Order BB-123456 never arrived, I want a refund.",
    "emoji": "☕☕ love the cold brew 😍",
    "rtl": "القهوة رائعة جدا",
    "hostile": 'He said "OR" NEAR( the * bun -- <script>alert(1)</script>',
    "zurich": "Shipped to Zürich, beans were stale. Dark Harbour tasted burnt.",
    "phrase": "The cardamom bun was stale but the almond croissant was fresh.",
}


@pytest.fixture
def corpus(session: Session) -> dict[str, int]:
    channel = make_channel(session)
    ids = {}
    for i, (key, text) in enumerate(TEXTS.items()):
        conv = make_conversation(session, channel=channel, last_message_at=BASE_TIME + timedelta(hours=i))
        ids[key] = make_message(session, conversation=conv, text=text).id
    session.commit()
    return ids


def found(session: Session, query: str) -> set[int]:
    return {m.id for m in search_messages(session=session, query=query).items}


MATCH_CASES: list[tuple[str, set[str]]] = [
    ("latte", {"latte"}),
    ("LATTE queue", {"latte"}),
    ("stale", {"zurich", "phrase"}),
    ('"almond croissant"', {"phrase"}),
    ('"croissant almond"', set()),
    ("cafe", {"cafe"}),
    ("café", {"cafe"}),
    ("zurich", {"zurich"}),
    ("123456", {"order"}),
    ("BB-123456", {"order"}),
    ("cold brew ☕", {"emoji"}),
    ("القهوة", {"rtl"}),
    ("near", {"hostile"}),
    ('"OR"', {"hostile"}),
    ("script alert", {"hostile"}),
]


def test_search_finds_words_phrases_accents_on_both_databases(
    session: Session, corpus: dict[str, int]
) -> None:
    wrong = [
        (q, exp, found(session, q)) for q, exp in MATCH_CASES if found(session, q) != {corpus[k] for k in exp}
    ]
    assert not wrong, wrong


HOSTILE = [
    '"',
    '""',
    "*",
    "OR",
    "AND",
    "NOT",
    "NEAR(",
    "NEAR(a b",
    "a*",
    "(",
    ")",
    "^",
    ":",
    "-",
    "'",
    "\\",
    "title:latte",
    '"unclosed phrase',
    "OR OR OR",
    "*" * 500,
    "x" * 5000,
    "\x00",
    "😀",
    "   ",
    "",
    "\u202eetattel",
    "a\u0301",
    "%_%",
    "$1",
    "';DROP TABLE messages;--",
]


def test_search_hostile_input_never_raises(session: Session, corpus: dict[str, int]) -> None:
    for query in HOSTILE:
        result = search_messages(session=session, query=query)
        assert all(m.id in corpus.values() for m in result.items), query
    assert found(session, "latte") == {corpus["latte"]}


def test_search_operators_are_plain_words(session: Session, corpus: dict[str, int]) -> None:
    # "OR" is a word, not an operator: "latte OR croissant" needs all three words, which no message has.
    assert found(session, "latte OR croissant") == set()
    assert found(session, "latte*") == {corpus["latte"]}
    assert found(session, "NEAR( bun") == {corpus["hostile"]}
    # Punctuation-joined words are one chunk and must be adjacent, like an order number BB-123456.
    assert found(session, "NEAR(bun") == set()


def test_search_empty_and_emoji_only_find_nothing(session: Session, corpus: dict[str, int]) -> None:
    assert found(session, "") == set()
    assert found(session, "☕😍") == set()
    assert found(session, "!!! ???") == set()


def test_search_newest_first_with_cursor_pages(session: Session) -> None:
    channel = make_channel(session)
    ids = []
    for i in range(7):
        conv = make_conversation(session, channel=channel, last_message_at=BASE_TIME + timedelta(days=i))
        ids.append(make_message(session, conversation=conv, text=f"flat white number {i}").id)
    session.commit()
    seen: list[int] = []
    cursor = None
    while True:
        page = search_messages(session=session, query="flat white", limit=3, cursor=cursor)
        seen.extend(m.id for m in page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == list(reversed(ids))


def test_search_brand_filter(session: Session) -> None:
    a, b = make_channel(session, brand=make_brand(session)), make_channel(session, brand=make_brand(session))
    ma = make_message(session, conversation=make_conversation(session, channel=a), text="sourdough toastie")
    make_message(session, conversation=make_conversation(session, channel=b), text="sourdough toastie")
    session.commit()
    page = search_messages(session=session, query="toastie", brand_id=a.brand_id)
    assert [m.id for m in page.items] == [ma.id]


def test_search_finds_text_in_title_and_deep_in_long_text(session: Session) -> None:
    conv = make_conversation(session)
    titled = make_message(session, conversation=conv, text="meh", title="Monthly Beans subscription")
    long = make_message(session, conversation=conv, text="word " * 10_000 + "needleword")
    session.commit()
    assert found(session, "subscription") == {titled.id}
    assert found(session, "needleword") == {long.id}


def test_search_bad_cursor_is_a_coded_error(session: Session) -> None:
    with pytest.raises(InvalidCursor) as info:
        search_messages(session=session, query="latte", cursor="not-a-cursor")
    assert info.value.code == "inbox.invalid_cursor"


def test_search_parse_query_builds_only_quoted_tokens() -> None:
    parsed = parse_query('"almond  croissant" NEAR( x* "')
    assert parsed.fts5() == '"almond croissant" AND "near" AND "x"'


def test_search_common_word_walk_gives_the_same_pages(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite switches strategy for words in many messages; the answer must not change with it.
    channel = make_channel(session)
    for i in range(9):
        conv = make_conversation(
            session, channel=channel, last_message_at=BASE_TIME - timedelta(days=i * 7 % 5)
        )
        make_message(session, conversation=conv, text=f"cold brew {i}", created_at=conv.last_message_at)
    session.commit()

    def pages() -> list[list[int]]:
        out, cursor = [], None
        while True:
            page = search_messages(session=session, query="cold brew", limit=4, cursor=cursor)
            out.append([m.id for m in page.items])
            if page.next_cursor is None:
                return out
            cursor = page.next_cursor

    sorted_pages = pages()
    monkeypatch.setattr("trustdesk.inbox.search.COMMON_MATCHES", 2)
    assert pages() == sorted_pages and sum(map(len, sorted_pages)) == 9
