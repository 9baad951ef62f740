"""The brand's own archive: replies it posted to similar past messages, offered as a starting point.

Every outbound message of a brand (a reply posted from the desk, or a brand reply that came in with an
import) is paired with the customer message it answered, whose embedding is stored once in
``archive_vectors`` (``embed_pending``, run by the desk's background tick and after the demo loads).
``ArchiveIndex`` holds a brand's vectors as one float16 matrix plus a lexical index, refreshed with new rows
only; a query is one embedding and a matrix-vector product (about 2 ms at 33,000 replies: bench.archive).

A suggestion never carries the other customer's details: names, handles, order numbers, e-mails and
phone numbers are removed (``deidentify``), and it is offered only when the reply checker finds no
violation in it as an answer to the new message.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from threading import Lock
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session, aliased

from trustdesk.inbox.models import Conversation, Message
from trustdesk.knowledge.index import LEXICAL_WEIGHT, centre, embed_one
from trustdesk.knowledge.lexical import Lexical
from trustdesk.knowledge.models import ArchiveVector
from trustdesk.respond.schemas import Finding, Playbook
from trustdesk.respond.text import EMAIL, GENERIC_ORDER, PHONE
from trustdesk.store.base import utcnow
from trustdesk.understand.schemas import Analysis

EMBED_BATCH = 256
REFRESH_SECONDS = 10.0
MIN_SCORE = 0.45
"""A past message must be at least this close (same scale as knowledge retrieval) to offer its reply."""
_HANDLE = re.compile(r"(?<![\w@])@\w{1,30}\b")


@dataclass(frozen=True, slots=True)
class ArchiveSuggestion:
    """A reply the brand posted to a similar message, with that customer's details removed."""

    message_id: int
    """The outbound message it comes from (for the desk to link to)."""
    reply: str
    score: float
    findings: tuple[Finding, ...] = ()
    """The checker's warnings on it as an answer to the new message (never a violation)."""


def deidentify(
    text: str, *, names: Sequence[str] = (), handles: Sequence[str] = (), playbook: Playbook | None = None
) -> str:
    """``text`` without the other customer's names, handles, order numbers, e-mails and phone numbers.

    The brand's own care address and signer stay. A greeting or thanks that named the customer keeps its
    word ("Hi Mark, sorry" -> "Hi, sorry"); an order reference keeps its noun ("order BB-123456" -> "order").
    """
    keep = {playbook.facts.care_email.lower()} if playbook and playbook.facts.care_email else set()
    text = EMAIL.sub(lambda m: m.group(0) if m.group(0).lower() in keep else "", text)
    if playbook and playbook.facts.order_pattern:
        text = re.sub(playbook.facts.order_pattern, "", text)
    text = GENERIC_ORDER.sub(
        lambda m: re.sub(r"[#\s]*[A-Z]{0,3}-?\d{5,}\s*$", "", m.group(0), flags=re.I), text
    )
    text = PHONE.sub("", text)
    text = _HANDLE.sub("", text)
    for handle in handles:
        if handle:
            text = re.sub(rf"(?<!\w)@?{re.escape(handle.lstrip('@'))}(?!\w)", "", text, flags=re.I)
    parts = {p for name in names for p in re.findall(r"[^\W\d_]{2,}", name or "")}
    for part in sorted(parts, key=len, reverse=True):
        text = re.sub(rf"(?<![\w@]){re.escape(part)}(?!\w)", "", text)
    return _tidy(text)


def _tidy(text: str) -> str:
    text = re.sub(r"\(\s*\)|\[\s*\]", "", text)
    text = re.sub(r"[ \t]+([,.!?;:])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"[,;:]+(?=[.!?])", "", text)
    text = re.sub(r"^[\s,;:–-]+", "", text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()


class ArchiveIndex:
    """One brand's archive vectors (unit length) and the lexical index of the answered messages."""

    def __init__(self) -> None:
        self.ids = np.zeros(0, dtype=np.int64)
        # float16 in the database, float32 here: numpy has no fast float16 product (33,000 rows: 80 ms vs 2 ms)
        self.vectors = np.zeros((0, 0), dtype=np.float32)
        self.lexical = Lexical()
        self.checked = 0.0
        """When ``state`` was last compared with the database (``time.monotonic``)."""
        self.state: tuple[int, int, object] = (0, 0, None)
        """(rows, newest message id, newest write) of the archive_vectors rows this index holds."""

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def add(self, ids: Sequence[int], vectors: np.ndarray, texts: Sequence[str]) -> None:
        """Append rows (ids ascending, after the ones held)."""
        if not len(ids):
            return
        block = np.asarray(vectors, dtype=np.float32)
        self.vectors = block if not len(self) else np.vstack([self.vectors, block])
        self.ids = np.concatenate([self.ids, np.asarray(ids, dtype=np.int64)])
        self.lexical.add(texts)

    def search(self, query: np.ndarray, text: str, *, limit: int = 5) -> list[tuple[int, float]]:
        """(message id, score) of the nearest past messages to a unit ``query`` vector and its ``text``."""
        if not len(self) or limit <= 0:
            return []
        semantic = self.vectors @ query.astype(np.float32)
        score = semantic - centre(semantic, query) + LEXICAL_WEIGHT * self.lexical.scores(text)
        top = np.argpartition(-score, min(limit, len(self)) - 1)[:limit]
        top = top[np.argsort(-score[top])]
        return [(int(self.ids[i]), float(score[i])) for i in top]


_CACHE: dict[tuple[str, int], ArchiveIndex] = {}
_CACHE_LOCK = Lock()


def _cache_key(session: Session, brand_id: int) -> tuple[str, int]:
    bind = session.get_bind()
    return (bind.engine.url.render_as_string(hide_password=True), brand_id)


def _indexed(brand_id: int, model: str) -> list:
    """Conditions of the rows an index holds: this brand, this encoder, a vector and its message."""
    return [
        ArchiveVector.brand_id == brand_id,
        ArchiveVector.model == model,
        ArchiveVector.vector.is_not(None),
        ArchiveVector.answered_id.is_not(None),
    ]


def archive_index(*, session: Session, brand_id: int) -> ArchiveIndex:
    """The brand's archive index, brought up to date with the rows stored since it was last read.

    Checked against the database at most every ``REFRESH_SECONDS``: the check counts the brand's rows
    (~10 ms at 33,000), and rows only arrive with the desk's 30-second tick.
    """
    from trustdesk.understand.embedding import embedding_model

    key = _cache_key(session, brand_id)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None and time.monotonic() - cached.checked < REFRESH_SECONDS:
            return cached
    model = embedding_model()
    count, newest, written = session.execute(
        select(func.count(), func.max(ArchiveVector.message_id), func.max(ArchiveVector.created_at)).where(
            *_indexed(brand_id, model)
        )
    ).one()
    state = (count or 0, newest or 0, written)
    with _CACHE_LOCK:
        index = _CACHE.get(key)
        if index is not None and index.state == state:
            index.checked = time.monotonic()
            return index
        if index is None or not (index.state[0] < state[0] and index.state[1] < state[1]):
            index = (
                ArchiveIndex()
            )  # not only new rows (deleted, re-embedded, another database): read it whole
        _read(session, index, brand_id, model, after=index.state[1])
        if len(index) != state[0]:  # rows appeared below the newest id held: read it whole
            index = ArchiveIndex()
            _read(session, index, brand_id, model, after=0)
        index.state = (len(index), int(index.ids[-1]) if len(index) else 0, written)
        index.checked = time.monotonic()
        _CACHE[key] = index
        return index


def _read(session: Session, index: ArchiveIndex, brand_id: int, model: str, *, after: int) -> None:
    answered = aliased(Message)
    rows = session.execute(
        select(ArchiveVector.message_id, ArchiveVector.vector, answered.title, answered.text)
        .join(answered, answered.id == ArchiveVector.answered_id)
        .where(*_indexed(brand_id, model), ArchiveVector.message_id > after)
        .order_by(ArchiveVector.message_id)
    ).all()
    vectors = np.frombuffer(b"".join(r.vector for r in rows), dtype=np.float16).reshape(len(rows), -1)
    index.add([r.message_id for r in rows], vectors, [_text(r.title, r.text) for r in rows])


def _text(title: str | None, text: str) -> str:
    return f"{title}\n{text}" if title else text


def embed_pending(*, session: Session, brand_id: int | None = None, limit: int = 2_000) -> int:
    """Store the embedding of the message each not-yet-indexed outbound reply answered; how many rows it wrote.

    Safe to run twice and from several places: it only picks replies without a row for the current
    encoder, and a reply whose vector was made by an older encoder is embedded again.
    """
    from trustdesk.understand import embed
    from trustdesk.understand.embedding import embedding_model

    model = embedding_model()
    query = (
        select(
            Message.id, Message.parent_id, Message.conversation_id, Message.created_at, Conversation.brand_id
        )
        .join(Conversation, Conversation.id == Message.conversation_id)
        .outerjoin(ArchiveVector, ArchiveVector.message_id == Message.id)
        .where(
            Message.direction == "outbound",
            or_(ArchiveVector.message_id.is_(None), ArchiveVector.model != model),
        )
        .order_by(Message.id)
        .limit(limit)
    )
    if brand_id is not None:
        query = query.where(Conversation.brand_id == brand_id)
    replies = session.execute(query).all()
    if not replies:
        return 0
    answered = _answered_messages(session, replies)
    texts = {rid: _text(m.title, m.text) for rid, m in answered.items() if m is not None and m.text.strip()}
    vectors: dict[int, bytes] = {}
    ids = list(texts)
    for start in range(0, len(ids), EMBED_BATCH):
        chunk = ids[start : start + EMBED_BATCH]
        for rid, row in zip(chunk, embed([texts[i] for i in chunk]), strict=True):
            vectors[rid] = row.astype(np.float16).tobytes()
    stale = {
        v.message_id: v
        for v in session.scalars(
            select(ArchiveVector).where(ArchiveVector.message_id.in_([r.id for r in replies]))
        )
    }
    for r in replies:
        source = answered.get(r.id)
        values = {"brand_id": r.brand_id, "answered_id": source.id if source else None, "model": model,
                  "vector": vectors.get(r.id), "created_at": utcnow()}  # fmt: skip
        row = stale.get(r.id)
        if row is None:
            session.add(ArchiveVector(message_id=r.id, **values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
    session.flush()
    with _CACHE_LOCK:  # this process's indexes check the database again on their next use
        for index in _CACHE.values():
            index.checked = 0.0
    return len(replies)


def _answered_messages(session: Session, replies: Sequence[Any]) -> dict[int, Message | None]:
    """Reply id -> the customer message it answered: its parent if inbound, else the conversation's last
    inbound message before it (two queries for the whole batch)."""
    wanted = [r.parent_id for r in replies if r.parent_id is not None]
    parents = {
        m.id: m
        for m in session.scalars(
            select(Message).where(Message.id.in_(wanted), Message.direction == "inbound")
        )
    }
    orphans = [r for r in replies if r.parent_id not in parents]
    inbound: dict[int, list[Message]] = {}
    if orphans:
        conversations = {r.conversation_id for r in orphans}
        for m in session.scalars(
            select(Message)
            .where(Message.conversation_id.in_(conversations), Message.direction == "inbound")
            .order_by(Message.created_at, Message.id)
        ):
            inbound.setdefault(m.conversation_id, []).append(m)
    out: dict[int, Message | None] = {}
    for r in replies:
        if r.parent_id in parents:
            out[r.id] = parents[r.parent_id]
            continue
        earlier = [m for m in inbound.get(r.conversation_id, []) if m.created_at <= r.created_at]
        out[r.id] = earlier[-1] if earlier else None
    return out


def embed_all_pending(*, engine: Engine, batch: int = 2_000) -> int:
    """``embed_pending`` in one transaction per batch until nothing is left (the tick and the demo loader)."""
    from trustdesk.store.db import unit_of_work

    total = 0
    while True:
        with unit_of_work(engine) as session:
            done = embed_pending(session=session, limit=batch)
        total += done
        if done < batch:
            return total


def suggestions(
    *,
    session: Session,
    brand_id: int,
    text: str,
    playbook: Playbook,
    channel: str | None = None,
    analysis: Analysis | None = None,
    role: str = "agent",
    rating: float | None = None,
    exclude_conversation_id: int | None = None,
    limit: int = 3,
) -> list[ArchiveSuggestion]:
    """Up to ``limit`` of the brand's posted replies to messages like ``text``, de-identified and checked."""
    from trustdesk.respond.checker import check_extracted, requires_lead

    index = archive_index(session=session, brand_id=brand_id)
    if not len(index) or not text.strip():
        return []
    hits = [(i, s) for i, s in index.search(embed_one(text), text, limit=limit * 2) if s >= MIN_SCORE]
    if not hits:
        return []
    answered = aliased(Message)
    rows = {
        r.id: r
        for r in session.execute(
            select(
                Message.id,
                Message.text,
                Message.conversation_id,
                answered.author_name,
                answered.author_handle,
            )
            .join(ArchiveVector, ArchiveVector.message_id == Message.id)
            .outerjoin(answered, answered.id == ArchiveVector.answered_id)
            .where(Message.id.in_([i for i, _ in hits]))
        ).all()
    }
    out: list[ArchiveSuggestion] = []
    seen: set[str] = set()
    prepared: tuple[str, Any, str | None] | None = None  # the message read once for every candidate
    for message_id, score in hits:
        row = rows.get(message_id)
        if row is None or row.conversation_id == exclude_conversation_id:
            continue
        reply = deidentify(row.text, names=[row.author_name or ""], handles=[row.author_handle or ""],
                           playbook=playbook)  # fmt: skip
        if len(reply) < 15 or reply.lower() in seen:
            continue
        if prepared is None:
            prepared = _prepared(text, playbook, analysis, rating)
        message, extraction, situation = prepared
        findings = check_extracted(message=message, extraction=extraction, reply=reply, playbook=playbook,
                                   channel=channel, analysis=analysis, recent_replies=(), role=role,
                                   situation=situation, rating=rating)  # fmt: skip
        if requires_lead(findings):
            continue
        seen.add(reply.lower())
        out.append(ArchiveSuggestion(message_id, reply, round(score, 4), tuple(findings)))
        if len(out) >= limit:
            break
    return out


def _prepared(
    text: str, playbook: Playbook, analysis: Analysis | None, rating: float | None
) -> tuple[str, Any, str | None]:
    """The message as ``check_reply`` reads it (cleaned, extracted, its situation), for ``check_extracted``."""
    from trustdesk.respond.extract import extract
    from trustdesk.respond.situations import choose_language, resolve_situation
    from trustdesk.respond.text import clean

    message = clean(text)
    language = choose_language(analysis, playbook, message)[0] if analysis else "en"
    extraction = extract(message, playbook, language=language)
    situation = None
    if analysis is not None:
        situation = resolve_situation(analysis=analysis, playbook=playbook, extraction=extraction, text=message,
                                      rating=rating)[0]  # fmt: skip
    return message, extraction, situation
