"""Recognising one customer across channels, and merging two customer records into one.

Matching is deliberately conservative, because a wrong merge shows one person another's history:
the same platform user on the same channel is always the same identity; across channels of a brand,
the same handle (``@name``, case-insensitive) or the same full name of two or more words links to the
existing customer. Anything else starts a new customer, and a person can merge them later.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from trustdesk.collect.records import ParsedRecord
from trustdesk.inbox.models import Channel, Conversation, Customer, Identity, Message
from trustdesk.store.base import utcnow
from trustdesk.store.bulk import chunked, insert_returning_ids, one_of
from trustdesk.team import audit

_SPACES = re.compile(r"\s+")


def external_key(record: ParsedRecord) -> str | None:
    """The stable per-channel key of a record's author, or None for an anonymous author."""
    if record.author_platform_id:
        return f"id:{record.author_platform_id}"
    if record.author_handle:
        return f"h:{normal_handle(record.author_handle)}"
    if record.author_name and record.author_name.strip():
        return f"n:{_SPACES.sub(' ', record.author_name.strip())}"
    return None


def normal_handle(handle: str) -> str:
    """``@Name`` and ``name`` are the same handle."""
    return handle.strip().lstrip("@").lower()


def name_key(name: str | None) -> str | None:
    """A full name (two or more words) in matching form, or None when it is too weak to match on."""
    if not name:
        return None
    words = _SPACES.sub(" ", name.strip()).lower().split(" ")
    if len(words) < 2 or any(len(w) < 2 for w in words[:2]):
        return None
    return " ".join(words)[:300]


class CustomerResolver:
    """Finds or creates the customer and identity behind each inbound record of a batch."""

    def __init__(self, *, session: Session) -> None:
        self.session = session

    def resolve_many(self, items: Sequence[tuple[Channel, ParsedRecord]]) -> dict[int, tuple[int, int]]:
        """Map ``id(record)`` to ``(customer_id, identity_id)`` for every record with a known author."""
        keyed: dict[tuple[int, str], list[tuple[Channel, ParsedRecord]]] = {}
        for channel, record in items:
            key = external_key(record)
            if key is not None:
                keyed.setdefault((channel.id, key[:500]), []).append((channel, record))
        if not keyed:
            return {}
        found = self._existing(list(keyed))
        missing = [k for k in keyed if k not in found]
        if missing:
            found.update(self._create(missing, keyed))
        return {id(record): found[key] for key, group in keyed.items() for _, record in group}

    def _existing(self, keys: list[tuple[int, str]]) -> dict[tuple[int, str], tuple[int, int]]:
        found: dict[tuple[int, str], tuple[int, int]] = {}
        by_channel: dict[int, list[str]] = {}
        for channel_id, key in keys:
            by_channel.setdefault(channel_id, []).append(key)
        for channel_id, ext in by_channel.items():
            for chunk in chunked(ext):
                rows = self.session.execute(
                    select(Identity.external_key, Identity.customer_id, Identity.id).where(
                        Identity.channel_id == channel_id, one_of(self.session, Identity.external_key, chunk)
                    )
                )
                for key, customer_id, identity_id in rows:
                    found[(channel_id, key)] = (customer_id, identity_id)
        return found

    def _create(
        self,
        missing: list[tuple[int, str]],
        keyed: dict[tuple[int, str], list[tuple[Channel, ParsedRecord]]],
    ) -> dict[tuple[int, str], tuple[int, int]]:
        now = utcnow()
        brand_of = {k: keyed[k][0][0].brand_id for k in missing}
        first = {k: keyed[k][0][1] for k in missing}
        by_handle = self._customers_by_handle(brand_of, first)
        by_name = self._customers_by_name(brand_of, first)
        customer_for: dict[tuple[int, str], int] = {}
        new_customers: list[tuple[tuple[int, str], dict[str, Any]]] = []
        made: dict[tuple[int, str], tuple[int, str]] = {}  # within-batch: same person on two channels
        for k in missing:
            rec, brand = first[k], brand_of[k]
            handle = normal_handle(rec.author_handle) if rec.author_handle else None
            nkey = name_key(rec.author_name)
            match = (handle and by_handle.get((brand, handle))) or (nkey and by_name.get((brand, nkey)))
            if match:
                customer_for[k] = match
                continue
            twin = (handle and made.get((brand, "h:" + handle))) or (nkey and made.get((brand, "n:" + nkey)))
            if twin:
                customer_for[k] = -1  # resolved after the insert below
                made.setdefault((brand, "alias:" + k[1]), twin)
                continue
            new_customers.append(
                (
                    k,
                    {
                        "brand_id": brand,
                        "display_name": (rec.author_name or rec.author_handle or "")[:300],
                        "match_key": nkey,
                        "notes": "",
                        "created_at": now,
                    },
                )
            )
            if handle:
                made[(brand, "h:" + handle)] = k
            if nkey:
                made[(brand, "n:" + nkey)] = k
        if new_customers:
            ids = insert_returning_ids(self.session, Customer, [values for _, values in new_customers])
            for (k, _), customer_id in zip(new_customers, ids, strict=True):
                customer_for[k] = customer_id
        for k in missing:
            if customer_for.get(k) == -1:
                twin_key = made[(brand_of[k], "alias:" + k[1])]
                customer_for[k] = customer_for[twin_key]
        identity_rows = []
        for k in missing:
            rec = first[k]
            identity_rows.append(
                {
                    "channel_id": k[0],
                    "customer_id": customer_for[k],
                    "external_key": k[1],
                    "display_name": (rec.author_name or "")[:300],
                    "handle": normal_handle(rec.author_handle)[:300] if rec.author_handle else None,
                    "followers": rec.author_followers,
                    "created_at": now,
                }
            )
        identity_ids = insert_returning_ids(self.session, Identity, identity_rows)
        return {
            k: (customer_for[k], identity_id) for k, identity_id in zip(missing, identity_ids, strict=True)
        }

    def _customers_by_handle(
        self, brand_of: dict[tuple[int, str], int], first: dict[tuple[int, str], ParsedRecord]
    ) -> dict[tuple[int, str], int]:
        handles = {normal_handle(r.author_handle) for r in first.values() if r.author_handle}
        if not handles:
            return {}
        brands = set(brand_of.values())
        brand_of_channel = {
            channel_id: brand
            for channel_id, brand in self.session.execute(
                select(Channel.id, Channel.brand_id).where(Channel.brand_id.in_(brands))
            )
        }
        # By handle alone (its index), the brand checked here: joined to channels, SQLite walked every
        # identity of the brand's channels instead, once per batch — the slowest part of a large import.
        found: dict[tuple[int, str], int] = {}
        for chunk in chunked(sorted(handles)):
            rows = self.session.execute(
                select(Identity.channel_id, Identity.handle, Identity.customer_id).where(
                    one_of(self.session, Identity.handle, chunk)
                )
            )
            for channel_id, handle, customer in rows:
                brand = brand_of_channel.get(channel_id)
                if brand is not None and handle:
                    found[(brand, handle)] = customer
        return found

    def _customers_by_name(
        self, brand_of: dict[tuple[int, str], int], first: dict[tuple[int, str], ParsedRecord]
    ) -> dict[tuple[int, str], int]:
        keys = {k for r in first.values() if (k := name_key(r.author_name))}
        if not keys:
            return {}
        rows = self.session.execute(
            select(Customer.brand_id, Customer.match_key, Customer.id).where(
                one_of(self.session, Customer.match_key, sorted(keys)),
                Customer.brand_id.in_(set(brand_of.values())),
                Customer.merged_into_id.is_(None),
            )
        )
        return {(brand, key): cid for brand, key, cid in rows if key}


class MergeError(ValueError):
    """Two customers cannot be merged (code ``inbox.merge_invalid``)."""

    code = "inbox.merge_invalid"


def merge_customers(
    *, session: Session, survivor_id: int, merged_id: int, actor_id: int | None = None
) -> Customer:
    """Fold ``merged_id`` into ``survivor_id``: identities, conversations and messages move; audited."""
    if survivor_id == merged_id:
        raise MergeError("a customer cannot be merged into itself")
    survivor = session.get(Customer, survivor_id)
    merged = session.get(Customer, merged_id)
    if survivor is None or merged is None:
        raise MergeError("both customers must exist")
    if survivor.brand_id != merged.brand_id:
        raise MergeError("customers of different brands cannot be merged")
    if survivor.merged_into_id is not None or merged.merged_into_id is not None:
        raise MergeError("one of these customers was already merged into another")
    for model in (Identity, Conversation, Message):
        session.execute(update(model).where(model.customer_id == merged_id).values(customer_id=survivor_id))
    merged.merged_into_id = survivor_id
    audit.record(
        session=session,
        action="customer.merged",
        entity_type="customer",
        entity_id=survivor_id,
        brand_id=survivor.brand_id,
        actor_id=actor_id,
        actor_kind="user" if actor_id else "system",
        data={"merged_id": merged_id},
    )
    session.flush()
    session.expire_all()
    return survivor
