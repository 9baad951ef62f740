"""A brand's knowledge base in the database: list, add, edit, delete and import entries, each audited.

Every function takes the brand it acts for and never touches another brand's rows; callers (desk, CLI)
decide who may act for which brand. Services flush, never commit: the edge owns the transaction.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustdesk.knowledge.index import KnowledgeIndex
from trustdesk.knowledge.models import KnowledgeEntry
from trustdesk.knowledge.schemas import Entry, EntryRead, KnowledgeError, Match, Parsed, Problem
from trustdesk.store.base import utcnow
from trustdesk.team import audit
from trustdesk.team.models import User

MAX_ENTRIES = 5_000
"""Entries one brand may hold: a knowledge base is read whole for every draft (~1 ms per 500 entries)."""
CACHED_INDEXES = 32


@dataclass
class ImportReport:
    """What an import did: counts, and the problems of the lines it could not take."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (``trustdesk knowledge import --json`` and the desk)."""
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "problems": [p.to_dict() for p in self.problems],
        }


def _content(entry: Entry) -> dict[str, Any]:
    """The row's column values for an entry (JSON columns hold lists, not tuples)."""
    return {
        "slug": entry.slug,
        "kind": entry.kind,
        "title": entry.title,
        "questions": list(entry.questions),
        "answers": {lang: list(w) for lang, w in entry.answers.items()},
        "links": [link.model_dump() for link in entry.links],
        "tags": list(entry.tags),
        "intents": list(entry.intents),
    }


def to_read(row: KnowledgeEntry, editors: dict[int, str] | None = None) -> EntryRead:
    """The schema of a stored entry (``editors``: user id -> name, to say who changed it last)."""
    values = {
        k: getattr(row, k)
        for k in ("slug", "kind", "title", "questions", "answers", "links", "tags", "intents")
    }
    editor = (editors or {}).get(row.updated_by_id) if row.updated_by_id is not None else None
    return EntryRead(**values, id=row.id, updated_at=row.updated_at, updated_by=editor)


def _editors(session: Session, rows: Sequence[KnowledgeEntry]) -> dict[int, str]:
    ids = {r.updated_by_id for r in rows if r.updated_by_id is not None}
    if not ids:
        return {}
    return {u.id: u.name or u.email for u in session.scalars(select(User).where(User.id.in_(ids)))}


def list_entries(*, session: Session, brand_id: int) -> list[EntryRead]:
    """Every entry of the brand, by title."""
    rows = list(
        session.scalars(
            select(KnowledgeEntry).where(KnowledgeEntry.brand_id == brand_id).order_by(KnowledgeEntry.title)
        )
    )
    editors = _editors(session, rows)
    return [to_read(r, editors) for r in rows]


def get_entry(*, session: Session, brand_id: int, entry_id: int) -> KnowledgeEntry:
    """The brand's entry ``entry_id``, or ``KnowledgeError`` (knowledge.not_found) — also for another brand's."""
    row = session.get(KnowledgeEntry, entry_id)
    if row is None or row.brand_id != brand_id:
        raise KnowledgeError("knowledge.not_found", f"no knowledge entry {entry_id}")
    return row


def _slug_taken(session: Session, brand_id: int, slug: str, other_than: int | None = None) -> bool:
    query = select(KnowledgeEntry.id).where(KnowledgeEntry.brand_id == brand_id, KnowledgeEntry.slug == slug)
    found = session.scalars(query).first()
    return found is not None and found != other_than


def _count(session: Session, brand_id: int) -> int:
    query = select(func.count()).select_from(KnowledgeEntry).where(KnowledgeEntry.brand_id == brand_id)
    return session.scalar(query) or 0


def create_entry(
    *, session: Session, brand_id: int, entry: Entry, actor_id: int | None, actor_kind: str = "user"
) -> KnowledgeEntry:
    """Add an entry (audited ``knowledge.create``); a slug the brand already uses is refused."""
    if _slug_taken(session, brand_id, entry.slug):
        raise KnowledgeError("knowledge.duplicate_slug", f"the slug {entry.slug!r} is already used")
    if _count(session, brand_id) >= MAX_ENTRIES:
        raise KnowledgeError("knowledge.too_many", f"a knowledge base holds at most {MAX_ENTRIES} entries")
    row = KnowledgeEntry(brand_id=brand_id, updated_by_id=actor_id, updated_at=utcnow(), **_content(entry))
    session.add(row)
    session.flush()
    audit.record(session=session, action="knowledge.create", entity_type="knowledge_entry", entity_id=row.id,
                 brand_id=brand_id, actor_id=actor_id, actor_kind=actor_kind, data={"slug": entry.slug},
                 summary=entry.title[:200])  # fmt: skip
    return row


def update_entry(
    *,
    session: Session,
    brand_id: int,
    entry_id: int,
    entry: Entry,
    actor_id: int | None,
    actor_kind: str = "user",
) -> KnowledgeEntry:
    """Replace an entry's content (audited ``knowledge.update`` with the fields that changed)."""
    row = get_entry(session=session, brand_id=brand_id, entry_id=entry_id)
    if entry.slug != row.slug and _slug_taken(session, brand_id, entry.slug, other_than=row.id):
        raise KnowledgeError("knowledge.duplicate_slug", f"the slug {entry.slug!r} is already used")
    changed = _apply(row, entry, actor_id)
    if changed:
        session.flush()
        audit.record(session=session, action="knowledge.update", entity_type="knowledge_entry", entity_id=row.id,
                     brand_id=brand_id, actor_id=actor_id, actor_kind=actor_kind,
                     data={"slug": row.slug, "changed": changed}, summary=row.title[:200])  # fmt: skip
    return row


def _apply(row: KnowledgeEntry, entry: Entry, actor_id: int | None) -> list[str]:
    """Write ``entry`` into ``row``; the names of the columns that changed."""
    changed = []
    for name, value in _content(entry).items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    if changed:
        row.updated_at = utcnow()
        row.updated_by_id = actor_id
    return changed


def delete_entry(
    *, session: Session, brand_id: int, entry_id: int, actor_id: int | None, actor_kind: str = "user"
) -> None:
    """Delete an entry (audited ``knowledge.delete``, keeping its content in the event)."""
    row = get_entry(session=session, brand_id=brand_id, entry_id=entry_id)
    audit.record(session=session, action="knowledge.delete", entity_type="knowledge_entry", entity_id=row.id,
                 brand_id=brand_id, actor_id=actor_id, actor_kind=actor_kind,
                 data={"slug": row.slug, "title": row.title, "answers": row.answers}, summary=row.title[:200])  # fmt: skip
    session.delete(row)
    session.flush()


def import_parsed(
    *, session: Session, brand_id: int, parsed: Parsed, actor_id: int | None, actor_kind: str = "user",
    source: str = "",
) -> ImportReport:  # fmt: skip
    """Upsert the file's entries by slug (the same file twice changes nothing); one audit event for the run."""
    report = ImportReport(problems=list(parsed.problems))
    existing = {
        r.slug: r for r in session.scalars(select(KnowledgeEntry).where(KnowledgeEntry.brand_id == brand_id))
    }
    room = MAX_ENTRIES - len(existing)
    for line, entry in parsed.entries:
        row = existing.get(entry.slug)
        if row is None:
            if room <= 0:
                report.problems.append(
                    Problem(line, f"the knowledge base is full ({MAX_ENTRIES} entries)", entry.slug)
                )
                continue
            session.add(
                KnowledgeEntry(
                    brand_id=brand_id, updated_by_id=actor_id, updated_at=utcnow(), **_content(entry)
                )
            )
            room -= 1
            report.created.append(entry.slug)
        elif _apply(row, entry, actor_id):
            report.updated.append(entry.slug)
        else:
            report.unchanged.append(entry.slug)
    session.flush()
    report.problems.sort(key=lambda p: p.line)
    audit.record(session=session, action="knowledge.import", entity_type="brand", entity_id=brand_id,
                 brand_id=brand_id, actor_id=actor_id, actor_kind=actor_kind,
                 data={"source": source[:300], "created": report.created, "updated": report.updated,
                       "problems": len(report.problems)},
                 summary=f"{len(report.created)} new, {len(report.updated)} updated")  # fmt: skip
    return report


_INDEXES: OrderedDict[str, KnowledgeIndex] = OrderedDict()
_LOCK = Lock()


def knowledge_index(*, session: Session, brand_id: int) -> KnowledgeIndex:
    """The brand's entries indexed for retrieval; rebuilt only when an entry was added, changed or removed.

    Cached by a digest of the entries' ids and change times, so a cached index is never another
    database's or an older version's. Reading the rows is cheap; embedding them is what the cache saves.
    """
    rows = session.execute(
        select(KnowledgeEntry.id, KnowledgeEntry.updated_at)
        .where(KnowledgeEntry.brand_id == brand_id)
        .order_by(KnowledgeEntry.id)
    ).all()
    digest = hashlib.sha256(repr([(brand_id, i, t.isoformat()) for i, t in rows]).encode()).hexdigest()
    with _LOCK:
        if digest in _INDEXES:
            _INDEXES.move_to_end(digest)
            return _INDEXES[digest]
    index = KnowledgeIndex([to_read(r) for r in _rows(session, brand_id)])
    with _LOCK:
        _INDEXES[digest] = index
        while len(_INDEXES) > CACHED_INDEXES:
            _INDEXES.popitem(last=False)
    return index


def _rows(session: Session, brand_id: int) -> list[KnowledgeEntry]:
    return list(
        session.scalars(
            select(KnowledgeEntry).where(KnowledgeEntry.brand_id == brand_id).order_by(KnowledgeEntry.id)
        )
    )


def search(
    *, session: Session, brand_id: int, text: str, thread: Sequence[str] = (), limit: int = 5
) -> list[Match]:
    """The brand's entries nearest to ``text`` (after ``thread``), best first, each saying if it answers."""
    return knowledge_index(session=session, brand_id=brand_id).search(text, thread=thread, limit=limit)
