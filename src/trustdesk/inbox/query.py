"""Reading the inbox: filtered, sorted conversation lists with keyset cursors, and one conversation.

Pages never use OFFSET: the cursor carries the last row's sort key and id, and the next page starts
strictly after it, so page 1,000 costs what page 1 costs (each sort has an index that ends in ``id``).
Rows inserted between two page requests never cause duplicates or gaps among the rows already listed;
a conversation whose sort key changes between pages (its priority moved) may show up twice or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import ColumnElement, Select, exists, false, or_, select, tuple_
from sqlalchemy.orm import Session, joinedload, selectinload

from trustdesk.errors import DomainError
from trustdesk.inbox.cursor import decode_cursor, encode_cursor
from trustdesk.inbox.models import (
    CONVERSATION_STATUSES,
    Brand,
    Channel,
    Conversation,
    ConversationTag,
    Customer,
    Message,
)
from trustdesk.inbox.search import message_match, parse_query
from trustdesk.store.base import parse_id
from trustdesk.understand.schemas import EMOTIONS, INTENTS, SENTIMENTS

Sort = Literal["priority", "newest", "oldest", "waiting"]
SORTS: tuple[str, ...] = get_args(Sort)
Assignee = int | Literal["me", "none"]
MAX_LIMIT = 200


class InvalidFilter(DomainError, ValueError):
    """A filter or sort value the inbox does not know (code ``inbox.invalid_filter``)."""

    code = "inbox.invalid_filter"


@dataclass(frozen=True, slots=True)
class ConversationFilter:
    """What to show. Empty sequences mean "any"; values within one field are OR-ed, fields AND-ed."""

    status: Sequence[str] = ()
    channel: Sequence[str | int] = ()
    """Channel names or ids."""
    sentiment: Sequence[str] = ()
    emotion: Sequence[str] = ()
    intent: Sequence[str] = ()
    priority_min: float | None = None
    priority_max: float | None = None
    assignee: Sequence[Assignee] = ()
    """User ids, "me" (needs ``viewer_id``) or "none" (unassigned)."""
    viewer_id: int | None = None
    tag: Sequence[str] = ()
    """Conversations with any of these tags."""
    rating: Sequence[float] = ()
    """Exact star ratings (e.g. 1 and 2 for the unhappy reviews)."""
    since: datetime | None = None
    """last_message_at >= since."""
    until: datetime | None = None
    """last_message_at < until."""
    q: str | None = None
    """Full-text query over the conversation's messages (see inbox.search)."""
    brand: Sequence[str | int] = ()
    """Brand slugs or ids."""
    urgency_min: float | None = None
    """The conversation's urgency (its most urgent unanswered message) at least this."""
    abusive: bool | None = None
    """True: a customer message in it is abusive; False: none is."""
    over_the_top: bool | None = None
    """True: a customer message in it is over the top; False: none is."""
    spam: bool | None = None
    """The conversation's spam flag (all that waits in it is spam)."""
    language: Sequence[str] = ()
    """Conversations with a customer message in any of these languages (ISO 639-1, or "und")."""
    brand_scope: Sequence[int] | None = None
    """Access control: only these brand ids, whatever else is asked (None: every brand)."""


@dataclass(slots=True)
class ConversationPage:
    """One page of conversations and the cursor of the next page (None at the end)."""

    items: list[Conversation]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class _SortSpec:
    columns: tuple[Any, ...]
    descending: bool
    cursor_types: tuple[type, ...]


_SORT_SPECS: dict[str, _SortSpec] = {
    "priority": _SortSpec((Conversation.priority, Conversation.id), True, (float, int)),
    "newest": _SortSpec((Conversation.last_message_at, Conversation.id), True, (datetime, int)),
    "oldest": _SortSpec((Conversation.last_message_at, Conversation.id), False, (datetime, int)),
    # Longest-waiting first; conversations nobody waits on (waiting_since is null) are not listed.
    "waiting": _SortSpec((Conversation.waiting_since, Conversation.id), False, (datetime, int)),
}


def list_conversations(
    *,
    session: Session,
    filters: ConversationFilter,
    sort: Sort = "priority",
    cursor: str | None = None,
    limit: int = 50,
) -> ConversationPage:
    """One page of conversations matching ``filters`` in ``sort`` order, starting after ``cursor``."""
    if sort not in _SORT_SPECS:
        raise InvalidFilter(f"unknown sort {sort!r}; one of: {', '.join(SORTS)}")
    spec = _SORT_SPECS[sort]
    limit = max(1, min(limit, MAX_LIMIT))
    stmt = _ordered(select(Conversation), session=session, filters=filters, sort=sort)
    if cursor:
        after = decode_cursor(cursor, kind=f"conversations:{sort}", types=spec.cursor_types)
        key = tuple_(*spec.columns)
        stmt = stmt.where(key < tuple(after) if spec.descending else key > tuple(after))
    stmt = stmt.limit(limit + 1).options(*_LIST_LOADS)
    rows = list(session.scalars(stmt))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(f"conversations:{sort}", _cursor_values(rows[-1], spec))
    return ConversationPage(items=rows, next_cursor=next_cursor)


def list_statement(*, session: Session, filters: ConversationFilter, sort: Sort = "priority") -> Select[Any]:
    """The first-page SELECT of ids (no eager loads) — for EXPLAIN in tests and benchmarks."""
    if sort not in _SORT_SPECS:
        raise InvalidFilter(f"unknown sort {sort!r}; one of: {', '.join(SORTS)}")
    return _ordered(select(Conversation.id), session=session, filters=filters, sort=sort).limit(51)


def _ordered(stmt: Select[Any], *, session: Session, filters: ConversationFilter, sort: str) -> Select[Any]:
    spec = _SORT_SPECS[sort]
    stmt = stmt.where(*_filter_clauses(session, filters))
    if sort == "waiting":
        stmt = stmt.where(Conversation.waiting_since.is_not(None))
    return stmt.order_by(*[c.desc() if spec.descending else c.asc() for c in spec.columns])


def get_conversation(*, session: Session, conversation_id: int) -> Conversation | None:
    """A conversation with its messages, channel, tags, customer and identities (four queries in all)."""
    stmt = (
        select(Conversation)
        .where(Conversation.id == conversation_id)
        .options(
            joinedload(Conversation.channel),
            joinedload(Conversation.customer).selectinload(Customer.identities),
            selectinload(Conversation.messages),
            selectinload(Conversation.tags),
        )
        .execution_options(populate_existing=True)
    )
    return session.scalars(stmt).first()


# Channel and customer ride along in the page query (many-to-one joins keep the index order); tags
# come in one more query: two round trips per page whatever its size.
_LIST_LOADS = (
    joinedload(Conversation.channel),
    joinedload(Conversation.customer),
    selectinload(Conversation.tags),
)


def _cursor_values(row: Conversation, spec: _SortSpec) -> list[Any]:
    values: list[Any] = []
    for column in spec.columns:
        value = getattr(row, column.key)
        values.append(value.isoformat() if isinstance(value, datetime) else value)
    return values


def check_choices(field: str, values: Sequence[str], allowed: Sequence[str]) -> list[str]:
    """``values`` if each is one of ``allowed``; otherwise ``InvalidFilter`` naming the first that is not."""
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise InvalidFilter(f"unknown {field} {unknown[0]!r}; one of: {', '.join(allowed)}")
    return list(values)


def _ids_and_names(values: Sequence[str | int]) -> tuple[list[int], list[str]]:
    ids = [i for i in map(parse_id, values) if i is not None]
    names = [v for v in values if isinstance(v, str)]
    return ids, names


def _filter_clauses(session: Session, f: ConversationFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if f.brand:
        ids, names = _ids_and_names(f.brand)
        found = session.scalars(select(Brand.id).where(or_(Brand.id.in_(ids), Brand.slug.in_(names))))
        # Resolved to literal ids up front so each database plans with the (brand_id, ...) index.
        clauses.append(Conversation.brand_id.in_(list(found)))
    if f.brand_scope is not None:
        clauses.append(Conversation.brand_id.in_(list(f.brand_scope)))
    if f.channel:
        ids, names = _ids_and_names(f.channel)
        found = session.scalars(select(Channel.id).where(or_(Channel.id.in_(ids), Channel.name.in_(names))))
        clauses.append(Conversation.channel_id.in_(list(found)))
    if f.status:
        clauses.append(Conversation.status.in_(check_choices("status", f.status, CONVERSATION_STATUSES)))
    if f.sentiment:
        clauses.append(Conversation.sentiment.in_(check_choices("sentiment", f.sentiment, SENTIMENTS)))
    if f.emotion:
        clauses.append(Conversation.emotion.in_(check_choices("emotion", f.emotion, EMOTIONS)))
    if f.intent:
        clauses.append(Conversation.intent.in_(check_choices("intent", f.intent, INTENTS)))
    if f.priority_min is not None:
        clauses.append(Conversation.priority >= f.priority_min)
    if f.priority_max is not None:
        clauses.append(Conversation.priority <= f.priority_max)
    if f.assignee:
        clauses.append(_assignee_clause(f.assignee, f.viewer_id))
    if f.tag:
        clauses.append(
            exists().where(ConversationTag.conversation_id == Conversation.id, ConversationTag.tag.in_(f.tag))
        )
    if f.rating:
        clauses.append(Conversation.rating.in_([float(r) for r in f.rating]))
    if f.urgency_min is not None:
        clauses.append(Conversation.urgency >= f.urgency_min)
    if f.spam is not None:
        clauses.append(Conversation.spam.is_(f.spam))
    for flag, wanted in ((Message.abusive, f.abusive), (Message.over_the_top, f.over_the_top)):
        if wanted is not None:
            flagged = _has_inbound(flag.is_(True))
            clauses.append(flagged if wanted else ~flagged)
    if f.language:
        clauses.append(_has_inbound(Message.language.in_([v.lower() for v in f.language])))
    if f.since is not None:
        clauses.append(Conversation.last_message_at >= f.since)
    if f.until is not None:
        clauses.append(Conversation.last_message_at < f.until)
    if f.q is not None and f.q.strip():
        parsed = parse_query(f.q)
        if parsed.is_empty:
            clauses.append(false())
        else:
            match = message_match(dialect=session.get_bind().dialect.name, query=parsed)
            clauses.append(Conversation.id.in_(select(Message.conversation_id).where(match)))
    return clauses


def _has_inbound(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """The conversation has a customer message meeting ``condition``."""
    return exists().where(
        Message.conversation_id == Conversation.id, Message.direction == "inbound", condition
    )


def _assignee_clause(values: Sequence[Assignee], viewer_id: int | None) -> ColumnElement[bool]:
    ids: list[int] = []
    unassigned = False
    for value in values:
        if value == "none":
            unassigned = True
        elif value == "me":
            if viewer_id is None:
                raise InvalidFilter('assignee "me" needs a signed-in user')
            ids.append(viewer_id)
        elif isinstance(value, int) and not isinstance(value, bool):
            ids.append(value)
        else:
            raise InvalidFilter(f'unknown assignee {value!r}; a user id, "me" or "none"')
    parts: list[ColumnElement[bool]] = []
    if ids:
        parts.append(Conversation.assignee_id.in_(ids))
    if unassigned:
        parts.append(Conversation.assignee_id.is_(None))
    return or_(*parts)
