"""Recognising one customer across channels by evidence, and merging or unmerging two customers.

A wrong merge shows one person another's history (and an agent may quote it in public), so customers are
joined automatically only on evidence: the same platform user on the same channel is one identity, and the
same platform user id on another channel of the same platform (two Google locations, two app stores of one
kind, the same e-mail address on two mailboxes) is the same customer. A shared handle or full name across
platforms is only a ``CustomerSuggestion`` that an agent confirms or dismisses; merges and unmerges are
audited.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from trustdesk.collect.records import ParsedRecord
from trustdesk.errors import DomainError
from trustdesk.inbox.models import Channel, Conversation, Customer, CustomerSuggestion, Identity, Message
from trustdesk.store.base import utcnow
from trustdesk.store.bulk import chunked, insert_returning_ids, one_of
from trustdesk.team import audit
from trustdesk.team.models import AuditEvent

_SPACES = re.compile(r"\s+")
SUGGEST_AMONG = 6
"""A name or handle that more customers than this share (counting the new ones) is too common to suggest a
merge on: in 100,000 synthetic tickets 416 names recur hundreds of times; a person who writes on five
channels in one import still gets a suggestion for each."""


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
        channel_of = {k: keyed[k][0][0] for k in missing}
        first = {k: keyed[k][0][1] for k in missing}
        evidence = self._customers_by_platform_id(channel_of)
        customer_for: dict[tuple[int, str], int] = {}
        new_customers: list[tuple[tuple[int, str], dict[str, Any]]] = []
        twins: dict[tuple[int, str, str], tuple[int, str]] = {}  # (brand, kind, key) -> first new key
        for k in missing:
            channel, rec = channel_of[k], first[k]
            same_platform = (channel.brand_id, channel.kind, k[1])
            if k[1].startswith("id:") and same_platform in evidence:
                customer_for[k] = evidence[same_platform]
                continue
            if k[1].startswith("id:") and same_platform in twins:
                customer_for[k] = -1  # the same person on two channels of one platform, both new here
                continue
            twins[same_platform] = k
            new_customers.append(
                (
                    k,
                    {
                        "brand_id": channel.brand_id,
                        "display_name": (rec.author_name or rec.author_handle or "")[:300],
                        "match_key": name_key(rec.author_name),
                        "notes": "",
                        "created_at": now,
                    },
                )
            )
        if new_customers:
            ids = insert_returning_ids(self.session, Customer, [values for _, values in new_customers])
            for (k, _), customer_id in zip(new_customers, ids, strict=True):
                customer_for[k] = customer_id
        for k in missing:
            if customer_for[k] == -1:
                channel = channel_of[k]
                customer_for[k] = customer_for[twins[(channel.brand_id, channel.kind, k[1])]]
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
        fresh = {k: customer_for[k] for k, _ in new_customers}
        if fresh:
            self._suggest(fresh, channel_of, first, now)
        return {
            k: (customer_for[k], identity_id) for k, identity_id in zip(missing, identity_ids, strict=True)
        }

    def _customers_by_platform_id(
        self, channel_of: dict[tuple[int, str], Channel]
    ) -> dict[tuple[int, str, str], int]:
        """(brand, channel kind, "id:…" key) -> customer, for identities already on a channel of that platform."""
        keys = sorted({k[1] for k in channel_of if k[1].startswith("id:")})
        if not keys:
            return {}
        brands = {c.brand_id for c in channel_of.values()}
        found: dict[tuple[int, str, str], int] = {}
        for chunk in chunked(keys):
            rows = self.session.execute(
                select(Channel.brand_id, Channel.kind, Identity.external_key, Identity.customer_id)
                .join(Channel, Channel.id == Identity.channel_id)
                .where(one_of(self.session, Identity.external_key, chunk), Channel.brand_id.in_(brands))
            )
            for brand, kind, key, customer in rows:
                found.setdefault((brand, kind, key), customer)
        return found

    def _suggest(
        self,
        fresh: dict[tuple[int, str], int],
        channel_of: dict[tuple[int, str], Channel],
        first: dict[tuple[int, str], ParsedRecord],
        now: Any,
    ) -> None:
        """Suggest (never make) a merge for each new customer who shares a full name or handle with another."""
        brand_of = {k: channel_of[k].brand_id for k in fresh}
        recs = {k: first[k] for k in fresh}
        by_handle = self._customers_by_handle(brand_of, recs)
        by_name = self._customers_by_name(brand_of, recs)
        pairs: dict[tuple[int, int], tuple[int, str]] = {}
        for k, customer in fresh.items():
            rec, brand = first[k], brand_of[k]
            handle = normal_handle(rec.author_handle) if rec.author_handle else None
            nkey = name_key(rec.author_name)
            for candidates, reason in (
                (by_handle.get((brand, handle), []) if handle else [], "same handle"),
                (by_name.get((brand, nkey), []) if nkey else [], "same name"),
            ):
                # the oldest other customer: the one the earlier conversations belong to
                other = min((c for c in candidates if c != customer), default=None)
                if other is not None:
                    pairs.setdefault((customer, other), (brand, reason))
        if pairs:
            self.session.execute(
                insert(CustomerSuggestion),
                [
                    {"brand_id": brand, "customer_id": customer, "candidate_id": candidate, "reason": reason,
                     "status": "open", "created_at": now}
                    for (customer, candidate), (brand, reason) in pairs.items()
                ],
            )  # fmt: skip

    def _customers_by_handle(
        self, brand_of: dict[tuple[int, str], int], first: dict[tuple[int, str], ParsedRecord]
    ) -> dict[tuple[int, str], list[int]]:
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
        found: dict[tuple[int, str], list[int]] = {}
        for chunk in chunked(sorted(handles)):
            rows = self.session.execute(
                select(Identity.channel_id, Identity.handle, func.min(Identity.customer_id), func.count())
                .where(one_of(self.session, Identity.handle, chunk))
                .group_by(Identity.channel_id, Identity.handle)
            )
            for channel_id, handle, customer, count in rows:
                brand = brand_of_channel.get(channel_id)
                if brand is not None and handle and count <= SUGGEST_AMONG:
                    found.setdefault((brand, handle), []).append(customer)
        return found

    def _customers_by_name(
        self, brand_of: dict[tuple[int, str], int], first: dict[tuple[int, str], ParsedRecord]
    ) -> dict[tuple[int, str], list[int]]:
        keys = {k for r in first.values() if (k := name_key(r.author_name))}
        if not keys:
            return {}
        rows = self.session.execute(
            select(Customer.brand_id, Customer.match_key, func.min(Customer.id), func.count())
            .where(
                one_of(self.session, Customer.match_key, sorted(keys)),
                Customer.brand_id.in_(set(brand_of.values())),
                Customer.merged_into_id.is_(None),
            )
            .group_by(Customer.brand_id, Customer.match_key)
        )
        return {(brand, key): [cid] for brand, key, cid, count in rows if key and count <= SUGGEST_AMONG}


class MergeError(DomainError, ValueError):
    """Two customers cannot be merged (code ``inbox.merge_invalid``)."""

    code = "inbox.merge_invalid"
    status = 409


def merge_customers(
    *, session: Session, survivor_id: int, merged_id: int, actor_id: int | None = None
) -> Customer:
    """Fold ``merged_id`` into ``survivor_id``: identities, conversations and messages move; audited with
    what moved, so ``unmerge_customer`` can take it back."""
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
    identity_ids = list(session.scalars(select(Identity.id).where(Identity.customer_id == merged_id)))
    conversation_ids = list(
        session.scalars(select(Conversation.id).where(Conversation.customer_id == merged_id))
    )
    for model in (Identity, Conversation, Message):
        session.execute(update(model).where(model.customer_id == merged_id).values(customer_id=survivor_id))
    merged.merged_into_id = survivor_id
    _decide_suggestions(session, survivor_id, merged_id, "merged", actor_id)
    audit.record(
        session=session,
        action="customer.merged",
        entity_type="customer",
        entity_id=survivor_id,
        brand_id=survivor.brand_id,
        actor_id=actor_id,
        actor_kind="user" if actor_id else "system",
        data={"merged_id": merged_id, "identity_ids": identity_ids, "conversation_ids": conversation_ids},
        summary=f"merged customer {merged_id} ({merged.display_name[:60]}) into {survivor_id}",
    )
    session.flush()
    session.expire_all()
    return survivor


def unmerge_customer(*, session: Session, merged_id: int, actor_id: int | None = None) -> Customer:
    """Undo a merge: the identities, conversations and messages that came with ``merged_id`` go back."""
    merged = session.get(Customer, merged_id)
    if merged is None or merged.merged_into_id is None:
        raise MergeError("this customer is not merged into another")
    event = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "customer.merged", AuditEvent.entity_id == str(merged.merged_into_id))
        .order_by(AuditEvent.id.desc())
    ).all()
    record = next((e for e in event if e.data.get("merged_id") == merged_id), None)
    if record is None:
        raise MergeError("no record of what this merge moved; it cannot be undone")
    survivor_id = merged.merged_into_id
    identity_ids = [int(i) for i in record.data.get("identity_ids", [])]
    conversation_ids = [int(i) for i in record.data.get("conversation_ids", [])]
    session.execute(update(Identity).where(Identity.id.in_(identity_ids)).values(customer_id=merged_id))
    session.execute(
        update(Message).where(Message.identity_id.in_(identity_ids)).values(customer_id=merged_id)
    )
    session.execute(
        update(Conversation)
        .where(Conversation.id.in_(conversation_ids), Conversation.customer_id == survivor_id)
        .values(customer_id=merged_id)
    )
    merged.merged_into_id = None
    audit.record(
        session=session, action="customer.unmerged", entity_type="customer", entity_id=merged_id,
        brand_id=merged.brand_id, actor_id=actor_id, actor_kind="user" if actor_id else "system",
        data={"from": survivor_id, "identity_ids": identity_ids, "conversation_ids": conversation_ids},
        summary=f"customer {merged_id} ({merged.display_name[:60]}) taken back out of {survivor_id}",
    )  # fmt: skip
    session.flush()
    session.expire_all()
    return merged


def open_suggestions(*, session: Session, customer_id: int) -> list[tuple[CustomerSuggestion, Customer]]:
    """Undecided "maybe the same person" suggestions that involve ``customer_id``, with the other customer."""
    rows = session.scalars(
        select(CustomerSuggestion).where(
            CustomerSuggestion.status == "open",
            (CustomerSuggestion.customer_id == customer_id)
            | (CustomerSuggestion.candidate_id == customer_id),
        )
    ).all()
    out = []
    for suggestion in rows:
        other_id = (
            suggestion.candidate_id if suggestion.customer_id == customer_id else suggestion.customer_id
        )
        other = session.get(Customer, other_id)
        if other is not None and other.merged_into_id is None:
            out.append((suggestion, other))
    return out


def dismiss_suggestion(*, session: Session, suggestion_id: int, actor_id: int | None) -> CustomerSuggestion:
    """ "Not the same person": the suggestion is closed (audited) and not made again for this pair."""
    suggestion = session.get(CustomerSuggestion, suggestion_id)
    if suggestion is None:
        raise MergeError(f"no suggestion {suggestion_id}")
    _decide_suggestions(session, suggestion.customer_id, suggestion.candidate_id, "dismissed", actor_id)
    audit.record(
        session=session, action="customer.not_same", entity_type="customer", entity_id=suggestion.customer_id,
        brand_id=suggestion.brand_id, actor_id=actor_id, actor_kind="user" if actor_id else "system",
        data={"candidate_id": suggestion.candidate_id, "reason": suggestion.reason},
    )  # fmt: skip
    return suggestion


def _decide_suggestions(session: Session, a: int, b: int, status: str, actor_id: int | None) -> None:
    session.execute(
        update(CustomerSuggestion)
        .where(
            CustomerSuggestion.status == "open",
            ((CustomerSuggestion.customer_id == a) & (CustomerSuggestion.candidate_id == b))
            | ((CustomerSuggestion.customer_id == b) & (CustomerSuggestion.candidate_id == a)),
        )
        .values(status=status, decided_by_id=actor_id, decided_at=utcnow())
    )
