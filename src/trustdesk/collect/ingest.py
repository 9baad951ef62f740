"""Ingestion: parsed records into the inbox, idempotent, threaded, one transaction per batch.

``ingest_batch`` is the service (it flushes, the caller commits); ``collect.imports`` holds the edges:
``run_import`` for files and ``ingest_resilient`` for any batch that must lose no good record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from trustdesk.collect.records import ParsedRecord, Rejected
from trustdesk.errors import DomainError
from trustdesk.inbox.identity import CustomerResolver
from trustdesk.inbox.models import Channel, Conversation, Message, MessageRevision
from trustdesk.inbox.priority import provisional_priority
from trustdesk.store.base import JSONText, utcnow
from trustdesk.store.bulk import chunked, insert_returning_ids, one_of
from trustdesk.team import audit

DEFAULT_BATCH_SIZE = 5000
_SUBJECT_CHARS = 200


@dataclass
class BatchReport:
    """What one batch did: counts, rejected lines, and the ids it touched."""

    new: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    """Records stored with a remark (e.g. a timestamp without a time zone, taken as UTC)."""
    message_ids: list[int] = field(default_factory=list)
    conversation_ids: set[int] = field(default_factory=set)
    run_id: int | None = None
    """The ``ImportRun`` of a file import (``trustdesk imports show``)."""
    results: list[dict[str, Any]] = field(default_factory=list)
    """Per record (only when asked for, e.g. by the webhook): line, id, status, message_id or reason."""

    def add(self, other: BatchReport) -> None:
        """Fold another batch's report into this one."""
        self.new += other.new
        self.updated += other.updated
        self.duplicates += other.duplicates
        self.rejected.extend(other.rejected)
        self.notes.extend(other.notes)
        self.message_ids.extend(other.message_ids)
        self.conversation_ids |= other.conversation_ids
        self.results.extend(other.results)

    def summary(self) -> dict[str, Any]:
        """The JSON summary promised by ``trustdesk import --json``."""
        return {
            "new": self.new,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "rejected": [{"line": r["line"], "reason": r["reason"]} for r in self.rejected],
        }


class IngestError(DomainError, ValueError):
    """A whole import cannot start (unknown channel, unreadable file); code says which."""


@dataclass
class _Pending:
    record: ParsedRecord
    channel: Channel


def ingest_batch(
    *,
    session: Session,
    channel: Channel,
    records: Sequence[ParsedRecord | Rejected],
    actor_kind: str = "import",
    actor_id: int | None = None,
    track: bool = False,
) -> BatchReport:
    """Store one batch: new messages, edits (with history), duplicates skipped, bad records reported.

    Idempotent on (channel, platform id): running the same batch twice changes nothing the second time.
    ``track``: also say what happened to each record (``report.results``). Flushes but never commits.
    """
    report = BatchReport()
    channels = _ChannelLookup(session=session, default=channel)
    latest: dict[tuple[int, str], _Pending] = {}
    superseded: list[ParsedRecord] = []
    for item in records:
        if isinstance(item, Rejected):
            report.rejected.append({"line": item.line, "reason": item.reason})
            continue
        target = channels.resolve(item.channel)
        if target is None:
            report.rejected.append({"line": item.line, "reason": f"unknown channel {item.channel!r}"})
            continue
        key = (target.id, item.platform_id)
        report.notes.extend({"line": item.line, "note": note} for note in item.notes)
        if key in latest:
            # The same id twice in one batch: the later record is the newer version of the message.
            report.duplicates += 1
            superseded.append(latest[key].record)
        latest[key] = _Pending(item, target)
    if not latest:
        if track:
            report.results = [
                _result(r["line"], None, "rejected", reason=r["reason"]) for r in report.rejected
            ]
        return report

    existing = _load_existing(session, list(latest))
    fresh: dict[tuple[int, str], _Pending] = {}
    status_of: dict[tuple[int, str], tuple[str, int]] = {}
    for key, pending in latest.items():
        row = existing.get(key)
        if row is None:
            fresh[key] = pending
        elif _apply_edit(session, row, pending.record):
            report.updated += 1
            report.message_ids.append(row.id)
            report.conversation_ids.add(row.conversation_id)
            status_of[key] = ("updated", row.id)
        else:
            report.duplicates += 1
            status_of[key] = ("duplicate", row.id)
    if fresh:
        for key, message_id in _insert_new(session, fresh, report).items():
            status_of[key] = ("new", message_id)
    if track:
        report.results = _results(report, latest, status_of, superseded)
    audit.record(
        session=session,
        action="import.batch",
        entity_type="channel",
        entity_id=channel.id,
        brand_id=channel.brand_id,
        actor_id=actor_id,
        actor_kind=actor_kind,
        data={
            "new": report.new,
            "updated": report.updated,
            "duplicates": report.duplicates,
            "rejected": len(report.rejected),
        },
    )
    return report


class _ChannelLookup:
    """Resolves a record's own ``channel`` field to a channel of the same brand (cached per batch)."""

    def __init__(self, *, session: Session, default: Channel) -> None:
        self.session = session
        self.default = default
        self.cache: dict[str, Channel | None] = {default.name: default}

    def resolve(self, name: str | None) -> Channel | None:
        if not name:
            return self.default
        if name not in self.cache:
            found = self.session.scalars(
                select(Channel).where(Channel.name == name, Channel.brand_id == self.default.brand_id)
            ).first()
            self.cache[name] = found
        return self.cache[name]


def _load_existing(session: Session, keys: list[tuple[int, str]]) -> dict[tuple[int, str], Message]:
    by_channel: dict[int, list[str]] = {}
    for channel_id, platform_id in keys:
        by_channel.setdefault(channel_id, []).append(platform_id)
    found: dict[tuple[int, str], Message] = {}
    for channel_id, ids in by_channel.items():
        for chunk in chunked(ids):
            rows = session.scalars(
                select(Message).where(
                    Message.channel_id == channel_id, one_of(session, Message.platform_id, chunk)
                )
            )
            for row in rows:
                found[(channel_id, row.platform_id)] = row
    return found


def _apply_edit(session: Session, row: Message, record: ParsedRecord) -> bool:
    """Update ``row`` if the record changed its content; keep the old version. False if unchanged."""
    if (row.text, row.title, row.rating) == (record.text, record.title, record.rating):
        return False
    session.add(
        MessageRevision(
            message_id=row.id,
            text=row.text,
            title=row.title,
            rating=row.rating,
            edited_at=row.edited_at or row.created_at,
            raw=row.raw,
        )
    )
    row.text, row.title, row.rating, row.raw = record.text, record.title, record.rating, record.raw
    row.edited_at = record.updated_at or utcnow()
    # The words changed, so the analysis must be redone.
    row.analyzed_at = None
    session.flush()
    return True


def _result(line: int, platform_id: str | None, status: str, **more: Any) -> dict[str, Any]:
    return {"line": line, "id": platform_id, "status": status, **more}


def _results(
    report: BatchReport,
    latest: dict[tuple[int, str], _Pending],
    status_of: dict[tuple[int, str], tuple[str, int]],
    superseded: list[ParsedRecord],
) -> list[dict[str, Any]]:
    """What happened to each record of a batch, in line order."""
    out = [_result(r["line"], None, "rejected", reason=r["reason"]) for r in report.rejected]
    out += [
        _result(r.line, r.platform_id, "duplicate", note="a later record in the body has this id")
        for r in superseded
    ]
    for key, pending in latest.items():
        status, message_id = status_of[key]
        out.append(_result(pending.record.line, pending.record.platform_id, status, message_id=message_id))
    return sorted(out, key=lambda r: r["line"])


def _insert_new(
    session: Session, fresh: dict[tuple[int, str], _Pending], report: BatchReport
) -> dict[tuple[int, str], int]:
    """Insert the batch's new messages (returns their ids), each conversation written once with its state.

    Threads are worked out in Python first (a reply's parent may be in this batch, in the database, or
    unknown), so a conversation started in this batch is inserted with its counters, waiting state and
    priority already folded in; only conversations that existed before the batch get an UPDATE.
    """
    now = utcnow()
    parents = _load_parents(session, fresh)
    resolver = CustomerResolver(session=session)
    inbound = [p for p in fresh.values() if p.record.direction == "inbound"]
    customer_of = resolver.resolve_many([(p.channel, p.record) for p in inbound])
    rows = {key: _message_row(p, customer_of, now) for key, p in fresh.items()}
    thread_of = _threads(fresh, parents)

    new_threads: dict[tuple[int, str], list[dict[str, Any]]] = {}
    old_threads: dict[int, list[dict[str, Any]]] = {}
    for key, row in rows.items():
        kind, ref = thread_of[key]
        if kind == "new":
            new_threads.setdefault(ref, []).append(row)
        else:
            old_threads.setdefault(ref, []).append(row)
    if new_threads:
        values = [
            _new_conversation(fresh[root], rows[root], members, now) for root, members in new_threads.items()
        ]
        ids = insert_returning_ids(session, Conversation, values)
        for members, conversation_id in zip(new_threads.values(), ids, strict=True):
            for row in members:
                row["conversation_id"] = conversation_id
    for conversation_id, members in old_threads.items():
        for row in members:
            row["conversation_id"] = conversation_id

    # Insert in waves: a message whose parent is in this same batch waits for the parent's id.
    remaining = list(rows)
    while remaining:
        wave, waiting = [], []
        for key in remaining:
            parent_key = (key[0], fresh[key].record.parent_platform_id or "")
            starts_thread = thread_of[key] == ("new", key)
            if starts_thread or parent_key not in fresh:
                found = None if starts_thread else parents.get(parent_key)
                rows[key]["parent_id"] = found[0] if found else None
                wave.append(key)
            elif parent_key in parents:
                rows[key]["parent_id"] = parents[parent_key][0]
                wave.append(key)
            else:
                waiting.append(key)
        if not wave:  # cannot happen: _threads breaks every cycle at the message that starts it
            raise RuntimeError("ingest: threading made no progress")
        ids = insert_returning_ids(session, Message, [rows[key] for key in wave])
        for key, message_id in zip(wave, ids, strict=True):
            parents[key] = (message_id, rows[key]["conversation_id"])
            report.message_ids.append(message_id)
        report.new += len(wave)
        remaining = waiting
    if old_threads:
        _update_conversations(session, old_threads, now)
    report.conversation_ids |= set(old_threads)
    report.conversation_ids |= {members[0]["conversation_id"] for members in new_threads.values()}
    return {key: parents[key][0] for key in rows}


def _load_parents(
    session: Session, fresh: dict[tuple[int, str], _Pending]
) -> dict[tuple[int, str], tuple[int, int]]:
    wanted: dict[int, set[str]] = {}
    for (channel_id, _), p in fresh.items():
        parent = p.record.parent_platform_id
        if parent and (channel_id, parent) not in fresh:
            wanted.setdefault(channel_id, set()).add(parent)
    found: dict[tuple[int, str], tuple[int, int]] = {}
    for channel_id, ids in wanted.items():
        for chunk in chunked(sorted(ids)):
            rows = session.execute(
                select(Message.platform_id, Message.id, Message.conversation_id).where(
                    Message.channel_id == channel_id, one_of(session, Message.platform_id, chunk)
                )
            )
            for platform_id, message_id, conversation_id in rows:
                found[(channel_id, platform_id)] = (message_id, conversation_id)
    return found


def _threads(
    fresh: dict[tuple[int, str], _Pending], parents: dict[tuple[int, str], tuple[int, int]]
) -> dict[tuple[int, str], tuple[str, Any]]:
    """For each new message: ("old", conversation id) or ("new", key of the message that starts it).

    A reply follows its parents up through the batch; it joins the parent's stored conversation, or the
    conversation its top-most ancestor in the batch starts. A message whose parent is unknown starts
    its own conversation, and so does the message at which a cycle of parent ids closes.
    """
    memo: dict[tuple[int, str], tuple[str, Any]] = {}
    for start, pending in fresh.items():
        if start in memo:
            continue
        if not pending.record.parent_platform_id:  # most messages: a conversation of their own
            memo[start] = ("new", start)
            continue
        path: list[tuple[int, str]] = []
        on_path: set[tuple[int, str]] = set()
        key = start
        while key not in memo:
            path.append(key)
            on_path.add(key)
            parent_id = fresh[key].record.parent_platform_id
            parent_key = (key[0], parent_id) if parent_id else None
            if parent_key is not None and parent_key in fresh and parent_key not in on_path:
                key = parent_key
                continue
            if parent_key is not None and parent_key in parents:  # holds only parents outside the batch
                memo[key] = ("old", parents[parent_key][1])
            else:
                memo[key] = ("new", key)
        for member in path:
            memo.setdefault(member, memo[key])
    return memo


def _message_row(p: _Pending, customer_of: dict[int, tuple[int, int]], now: datetime) -> dict[str, Any]:
    """The messages row for a new record; parent and conversation ids are filled in by the caller."""
    rec = p.record
    created = rec.created_at or now
    customer_id, identity_id = customer_of.get(id(rec), (None, None))
    return {
        "channel_id": p.channel.id,
        "customer_id": customer_id,
        "identity_id": identity_id,
        "parent_id": None,
        "conversation_id": None,
        "platform_id": rec.platform_id,
        "parent_platform_id": rec.parent_platform_id,
        "direction": rec.direction,
        "kind": rec.kind,
        "author_name": rec.author_name or "",
        "author_handle": rec.author_handle,
        "author_followers": rec.author_followers,
        "title": rec.title,
        "text": rec.text,
        "rating": rec.rating,
        "language": rec.language,
        "is_public": rec.is_public,
        "url": rec.url,
        "created_at": created,
        "received_at": now,
        "edited_at": rec.updated_at if rec.updated_at and rec.updated_at > created else None,
        "raw": JSONText(rec.raw_json) if rec.raw_json is not None else rec.raw,
    }


@dataclass
class _EmptyConversation:
    """The state a conversation starts from before its first message is folded in."""

    brand_id: int
    customer_id: int | None
    rating: float | None
    is_public: bool
    id: int | None = None
    status: str = "open"
    message_count: int = 0
    first_message_at: datetime | None = None
    last_message_at: datetime | None = None
    first_response_at: datetime | None = None
    waiting_since: datetime | None = None
    resolved_at: datetime | None = None


def _new_conversation(
    root: _Pending, root_row: dict[str, Any], members: list[dict[str, Any]], now: datetime
) -> dict[str, Any]:
    """The conversations row for a thread that starts in this batch, with its messages folded in."""
    rec = root.record
    start = _EmptyConversation(
        brand_id=root.channel.brand_id,
        customer_id=root_row["customer_id"],
        rating=rec.rating,
        is_public=rec.is_public,
    )
    values = _fold(None, start, members, now)
    del values["conversation_id"]
    values.update(
        brand_id=root.channel.brand_id,
        channel_id=root.channel.id,
        subject=_subject(rec),
        is_public=rec.is_public,
        created_at=now,
    )
    return values


def _subject(rec: ParsedRecord) -> str:
    text = (rec.title or rec.text or "").strip().replace("\n", " ")
    return text[:_SUBJECT_CHARS]


_CONVERSATION_STATE = (
    Conversation.id,
    Conversation.brand_id,
    Conversation.status,
    Conversation.message_count,
    Conversation.first_message_at,
    Conversation.last_message_at,
    Conversation.first_response_at,
    Conversation.rating,
    Conversation.customer_id,
    Conversation.waiting_since,
    Conversation.resolved_at,
    Conversation.is_public,
)
_conversations = cast(Table, Conversation.__table__)
_UPDATE_CONVERSATION = (
    update(_conversations)
    .where(_conversations.c.id == bindparam("conversation_id"))
    .values(
        {
            name: bindparam(name)
            for name in (
                "status",
                "message_count",
                "first_message_at",
                "last_message_at",
                "first_response_at",
                "rating",
                "customer_id",
                "waiting_since",
                "resolved_at",
                "priority",
            )
        }
    )
)


def _update_conversations(session: Session, touched: dict[int, list[dict[str, Any]]], now: datetime) -> None:
    """Fold new messages into their conversations' counters, waiting state and status (one executemany)."""
    states = {
        row.id: row
        for chunk in chunked(sorted(touched))
        for row in session.execute(
            select(*_CONVERSATION_STATE).where(one_of(session, Conversation.id, chunk))
        )
    }
    # the reach of everyone who wrote in the conversation before, as the analysis worker counts it
    reach: dict[int, int] = {}
    for chunk in chunked(sorted(touched)):
        rows = session.execute(
            select(Message.conversation_id, func.max(Message.author_followers))
            .where(one_of(session, Message.conversation_id, chunk), Message.direction == "inbound")
            .group_by(Message.conversation_id)
        )
        reach.update({conversation_id: most or 0 for conversation_id, most in rows})
    changes = [
        _fold(session, states[conversation_id], rows, now, followers=reach.get(conversation_id) or 0)
        for conversation_id, rows in touched.items()
    ]
    if not changes:
        return
    if session.get_bind().dialect.name == "postgresql":
        _update_conversations_postgresql(session, changes)
    else:
        session.execute(_UPDATE_CONVERSATION, changes)
    session.expire_all()


# column -> PostgreSQL array type for the one-statement update below
_UPDATE_ARRAYS = {
    "status": "text[]",
    "message_count": "integer[]",
    "first_message_at": "timestamptz[]",
    "last_message_at": "timestamptz[]",
    "first_response_at": "timestamptz[]",
    "rating": "float8[]",
    "customer_id": "bigint[]",
    "waiting_since": "timestamptz[]",
    "resolved_at": "timestamptz[]",
    "priority": "float8[]",
}
# built from the column names above only; every value is bound
_UPDATE_CONVERSATIONS_POSTGRESQL = (
    "UPDATE conversations AS c SET "  # noqa: S608
    + ", ".join(f"{name} = v.{name}" for name in _UPDATE_ARRAYS)
    + " FROM unnest(%s::bigint[], "
    + ", ".join(f"%s::{array}" for array in _UPDATE_ARRAYS.values())
    + ") AS v(id, "
    + ", ".join(_UPDATE_ARRAYS)
    + ") WHERE c.id = v.id"
)


def _update_conversations_postgresql(session: Session, changes: list[dict[str, Any]]) -> None:
    """The same update as one statement over arrays: an executemany of a statement run unprepared (see
    ``unprepared``) had PostgreSQL parse and plan it once per conversation, most of an update's cost."""
    columns = [[change["conversation_id"] for change in changes]]
    columns += [[change[name] for change in changes] for name in _UPDATE_ARRAYS]
    result = session.connection().exec_driver_sql(_UPDATE_CONVERSATIONS_POSTGRESQL, tuple(columns))
    if result.rowcount != len(changes):
        raise RuntimeError(f"conversations: {result.rowcount} of {len(changes)} rows updated")


def _fold(
    session: Session | None, conv: Any, rows: list[dict[str, Any]], now: datetime, *, followers: int = 0
) -> dict[str, Any]:
    """A conversation's new counters, waiting state, status and priority once ``rows`` join it.

    ``followers`` is the largest audience among the conversation's stored inbound messages.
    """
    rows.sort(key=lambda r: r["created_at"])
    first, last = rows[0]["created_at"], rows[-1]["created_at"]
    had = conv.message_count > 0
    change: dict[str, Any] = {
        "conversation_id": conv.id,
        "status": conv.status,
        "message_count": conv.message_count + len(rows),
        "first_message_at": min(conv.first_message_at, first) if had else first,
        "last_message_at": max(conv.last_message_at, last) if had else last,
        "first_response_at": conv.first_response_at,
        "rating": conv.rating,
        "customer_id": conv.customer_id,
        "waiting_since": conv.waiting_since,
        "resolved_at": conv.resolved_at,
    }
    inbound = [r for r in rows if r["direction"] == "inbound"]
    outbound = [r for r in rows if r["direction"] == "outbound"]
    if outbound:
        first_reply = outbound[0]["created_at"]
        if conv.first_response_at is None or first_reply < conv.first_response_at:
            change["first_response_at"] = first_reply
    if inbound and inbound[-1]["rating"] is not None:
        change["rating"] = inbound[-1]["rating"]
    if conv.customer_id is None and inbound and inbound[0]["customer_id"]:
        change["customer_id"] = inbound[0]["customer_id"]
    if not had or last >= conv.last_message_at:
        if rows[-1]["direction"] == "inbound":
            change["waiting_since"] = conv.waiting_since or _first_unanswered(rows)
            if conv.status == "resolved":
                # The customer came back: the concern is open again, and that is audited.
                change["status"], change["resolved_at"] = "open", None
                assert session is not None  # only a stored conversation can have been resolved
                audit.record(
                    session=session,
                    action="conversation.reopened",
                    entity_type="conversation",
                    entity_id=conv.id,
                    brand_id=conv.brand_id,
                    summary="reopened by a new message from the customer",
                )
        else:
            change["waiting_since"] = None
    change["priority"] = provisional_priority(
        rating=change["rating"],
        followers=max([followers] + [r["author_followers"] or 0 for r in inbound]),
        is_public=conv.is_public,
        waiting_since=change["waiting_since"],
        now=now,
    )
    return change


def _first_unanswered(rows: list[dict[str, Any]]) -> datetime:
    waiting = rows[-1]["created_at"]
    for row in reversed(rows):
        if row["direction"] != "inbound":
            break
        waiting = row["created_at"]
    return waiting


def _batched(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def find_channel(*, session: Session, name: str) -> Channel:
    """The channel called ``name``, or an ``IngestError`` that lists the channels there are."""
    channel = session.scalars(select(Channel).where(Channel.name == name)).first()
    if channel is None:
        names = ", ".join(session.scalars(select(Channel.name).order_by(Channel.name))) or "none yet"
        raise IngestError(
            "collect.unknown_channel",
            f"No channel named {name!r} (channels: {names}). "
            "Create it with `trustdesk channels add NAME --kind KIND`.",
        )
    return channel
