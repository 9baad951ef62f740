"""A brand's knowledge base in the database (SQLite and PostgreSQL): import, edit, audit, isolation, cache."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.factories import make_brand

from trustdesk.knowledge import service
from trustdesk.knowledge.formats import read_bytes
from trustdesk.knowledge.schemas import Entry, KnowledgeError
from trustdesk.team.models import AuditEvent

FILE = b"""## What are your opening hours?
Slug: hours
Open Mon-Fri 09:00-17:00.

## Do you ship to Ireland?
We ship to the UK and Ireland.
Links: https://acme.example/ship

## Broken
"""


def _audit(session, action):
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_service_import_is_idempotent_and_audited(session):
    brand = make_brand(session)
    parsed = read_bytes(FILE, "markdown")
    first = service.import_parsed(
        session=session, brand_id=brand.id, parsed=parsed, actor_id=None, source="kb.md"
    )
    assert (len(first.created), len(first.updated), [p.line for p in first.problems]) == (2, 0, [9])
    again = service.import_parsed(session=session, brand_id=brand.id, parsed=parsed, actor_id=None)
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 2)
    changed = read_bytes(FILE.replace(b"09:00-17:00", b"08:00-18:00"), "markdown")
    third = service.import_parsed(session=session, brand_id=brand.id, parsed=changed, actor_id=None)
    assert third.updated == ["hours"]
    events = _audit(session, "knowledge.import")
    assert (
        len(events) == 3
        and events[0].brand_id == brand.id
        and events[0].data["created"] == ["hours", "do-you-ship-to-ireland"]
    )


def test_service_crud_audits_each_change_and_refuses_a_duplicate_slug(session):
    brand = make_brand(session)
    row = service.create_entry(session=session, brand_id=brand.id, actor_id=None,
                               entry=Entry(title="Opening hours", slug="hours", answer="Open 9-5."))  # fmt: skip
    with pytest.raises(KnowledgeError) as err:
        service.create_entry(session=session, brand_id=brand.id, actor_id=None,
                             entry=Entry(title="Hours again", slug="hours", answer="x"))  # fmt: skip
    assert err.value.code == "knowledge.duplicate_slug"
    service.update_entry(session=session, brand_id=brand.id, entry_id=row.id, actor_id=None,
                         entry=Entry(title="Opening hours", slug="hours", answer="Open 8-6.", tags=["hours"]))  # fmt: skip
    assert _audit(session, "knowledge.update")[0].data["changed"] == ["answers", "tags"]
    [read] = service.list_entries(session=session, brand_id=brand.id)
    assert read.answers == {"en": ("Open 8-6.",)} and read.tags == ("hours",)
    service.delete_entry(session=session, brand_id=brand.id, entry_id=row.id, actor_id=None)
    assert service.list_entries(session=session, brand_id=brand.id) == []
    assert _audit(session, "knowledge.delete")[0].data["answers"] == {"en": ["Open 8-6."]}


def test_service_another_brands_entry_is_not_found(session):
    mine, theirs = make_brand(session), make_brand(session)
    row = service.create_entry(session=session, brand_id=theirs.id, actor_id=None,
                               entry=Entry(title="Secret policy", answer="Only for them."))  # fmt: skip
    for action in (
        lambda: service.get_entry(session=session, brand_id=mine.id, entry_id=row.id),
        lambda: service.update_entry(
            session=session,
            brand_id=mine.id,
            entry_id=row.id,
            actor_id=None,
            entry=Entry(title="Mine now", answer="x"),
        ),  # fmt: skip
        lambda: service.delete_entry(session=session, brand_id=mine.id, entry_id=row.id, actor_id=None),
    ):
        with pytest.raises(KnowledgeError) as err:
            action()
        assert err.value.code == "knowledge.not_found"
    assert service.list_entries(session=session, brand_id=mine.id) == []
    assert service.search(session=session, brand_id=mine.id, text="secret policy") == []


def test_service_index_is_rebuilt_after_an_edit_and_reused_otherwise(session):
    brand = make_brand(session)
    row = service.create_entry(session=session, brand_id=brand.id, actor_id=None,
                               entry=Entry(title="Do you ship to Ireland?", answer="Yes, to Ireland."))  # fmt: skip
    first = service.knowledge_index(session=session, brand_id=brand.id)
    assert service.knowledge_index(session=session, brand_id=brand.id) is first
    service.update_entry(session=session, brand_id=brand.id, entry_id=row.id, actor_id=None,
                         entry=Entry(title="Do you ship to Spain?", answer="Yes, to Spain."))  # fmt: skip
    second = service.knowledge_index(session=session, brand_id=brand.id)
    assert second is not first and second.entries[0].title == "Do you ship to Spain?"
