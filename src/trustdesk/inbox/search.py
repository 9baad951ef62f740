"""Full-text search over messages: one query language on SQLite FTS5 and PostgreSQL tsvector.

The query language is deliberately small so that hostile input can never break it: words are ANDed,
``"double quoted words"`` are phrases, and everything else (``OR``, ``NEAR(``, ``*``, ``-``, quotes
left open, emoji, punctuation) is plain text. User input never reaches either engine's query syntax:
SQLite gets a MATCH string built only from quoted word tokens, PostgreSQL gets ``phraseto_tsquery``
(which has no operators) per chunk. Both sides fold accents and read ``- . / @ _ : + ' < > &`` as spaces, so
"cafe" finds "Café" and "123456" finds "BB-123456" on both databases.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, literal_column, select, text, tuple_
from sqlalchemy.orm import Session

from trustdesk.inbox.cursor import decode_cursor, encode_cursor
from trustdesk.inbox.models import Channel, Message

MAX_QUERY_CHARS = 1000
MAX_CHUNKS = 32
# Above this many matches, walking messages newest-first beats sorting the matches (SQLite).
COMMON_MATCHES = 2000
_PHRASE_OR_WORD = re.compile(r'"([^"]*)"|(\S+)')
# Characters the SQLite tokenizer keeps inside a token: letters, digits, marks (folded away later).
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed search: chunks (each a word or a phrase) that must all match."""

    chunks: tuple[tuple[str, ...], ...]

    @property
    def is_empty(self) -> bool:
        """True when nothing searchable is left (blank, emoji-only or punctuation-only input)."""
        return not self.chunks

    def fts5(self) -> str:
        """The SQLite FTS5 MATCH string: each chunk a quoted phrase of bare word tokens."""
        return " AND ".join('"' + " ".join(tokens) + '"' for tokens in self.chunks)

    def postgres_texts(self) -> list[str]:
        """One plain text per chunk for ``phraseto_tsquery`` (tokens only: no operator can survive)."""
        return [" ".join(tokens) for tokens in self.chunks]


def parse_query(query: str) -> SearchQuery:
    """Split user input into AND-ed words and "phrases"; never fails, whatever the input."""
    query = unicodedata.normalize("NFC", query[:MAX_QUERY_CHARS])
    chunks: list[tuple[str, ...]] = []
    for phrase, word in _PHRASE_OR_WORD.findall(query):
        tokens = tuple(t.lower() for t in _TOKEN.findall(phrase or word))
        if tokens and tokens not in chunks:
            chunks.append(tokens)
    return SearchQuery(tuple(chunks[:MAX_CHUNKS]))


def message_match(*, dialect: str, query: SearchQuery, walk_newest: bool = False) -> ColumnElement[bool]:
    """A WHERE clause on ``messages`` true for messages matching ``query`` (false if it is empty).

    ``walk_newest`` (SQLite): match by probing each row met while walking messages newest first,
    instead of fetching and sorting every match — the fast way for words in many messages.
    """
    if query.is_empty:
        return false()
    if dialect == "postgresql":
        tsquery: Any = None
        for chunk in query.postgres_texts():
            part = func.phraseto_tsquery(literal_column("'simple'"), func.trustdesk_fold(chunk))
            tsquery = part if tsquery is None else tsquery.op("&&")(part)
        return literal_column("messages.search_vector").op("@@")(tsquery)
    fts_ids: Select[Any] = (
        select(literal_column("rowid"))
        .select_from(text("message_fts"))
        .where(text("message_fts MATCH :fts_query").bindparams(fts_query=query.fts5()))
    )
    # "+ 0" hides the primary key from the planner, so it walks ix_messages_created and probes.
    return (Message.id + 0).in_(fts_ids) if walk_newest else Message.id.in_(fts_ids)


def _common_on_sqlite(session: Session, query: SearchQuery) -> bool:
    """True when at least COMMON_MATCHES messages match (counting stops there, so this stays cheap)."""
    capped = text(
        "SELECT count(*) FROM (SELECT rowid FROM message_fts WHERE message_fts MATCH :q LIMIT :cap)"
    ).bindparams(q=query.fts5(), cap=COMMON_MATCHES)
    return (session.scalar(capped) or 0) >= COMMON_MATCHES


@dataclass(slots=True)
class SearchPage:
    """One page of search hits, newest first, and the cursor of the next page (None at the end)."""

    items: list[Message]
    next_cursor: str | None


def search_messages(
    *,
    session: Session,
    query: str,
    brand_id: int | None = None,
    limit: int = 50,
    cursor: str | None = None,
    brand_ids: Sequence[int] | None = None,
) -> SearchPage:
    """Messages matching ``query``, newest first (created_at, id), one keyset page at a time.

    ``brand_id`` narrows to one brand; ``brand_ids`` (access control) to the brands the caller may see.
    """
    parsed = parse_query(query)
    if parsed.is_empty:
        return SearchPage(items=[], next_cursor=None)
    limit = max(1, min(limit, 200))
    dialect = session.get_bind().dialect.name
    # SQLite cannot sort FTS5 matches by date without reading them all: for a word in thousands of
    # messages, walk the newest messages and probe instead (PostgreSQL's planner makes this choice).
    walk = dialect == "sqlite" and _common_on_sqlite(session, parsed)
    stmt: Select[Any] = select(Message).where(message_match(dialect=dialect, query=parsed, walk_newest=walk))
    # "+ 0": a brand is most of the table, so its channels must not steer the planner to scan by channel.
    channel = Message.channel_id + 0
    if brand_id is not None:
        stmt = stmt.where(channel.in_(select(Channel.id).where(Channel.brand_id == brand_id)))
    if brand_ids is not None:
        stmt = stmt.where(channel.in_(select(Channel.id).where(Channel.brand_id.in_(brand_ids))))
    if cursor:
        created_at, last_id = _decode_search_cursor(cursor)
        stmt = stmt.where(tuple_(Message.created_at, Message.id) < (created_at, last_id))
    stmt = stmt.order_by(Message.created_at.desc(), Message.id.desc()).limit(limit + 1)
    rows: list[Message] = list(session.scalars(stmt))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor("search", [last.created_at.isoformat(), last.id])
    return SearchPage(items=rows, next_cursor=next_cursor)


def _decode_search_cursor(cursor: str) -> tuple[datetime, int]:
    created_at, last_id = decode_cursor(cursor, kind="search", types=(datetime, int))
    return created_at, last_id
