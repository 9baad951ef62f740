"""Small factories for inbox and team rows, shared by every test package (they flush, never commit)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from trustdesk.inbox.models import Brand, Channel, Conversation, Customer, Identity, Message
from trustdesk.team.models import User

_seq = itertools.count(1)
BASE_TIME = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _n() -> int:
    return next(_seq)


def make_brand(session: Session, **fields: Any) -> Brand:
    """A brand (default: Bluebird Coffee Co. with a unique slug)."""
    n = _n()
    values: dict[str, Any] = {"slug": f"bluebird-{n}", "name": "Bluebird Coffee Co.", "settings": {}}
    values.update(fields)
    brand = Brand(**values)
    session.add(brand)
    session.flush()
    return brand


def make_channel(session: Session, *, brand: Brand | None = None, **fields: Any) -> Channel:
    """A channel of ``brand`` (default kind google_business, unique name)."""
    brand = brand or make_brand(session)
    n = _n()
    values: dict[str, Any] = {
        "brand_id": brand.id,
        "name": f"google-canal-street-{n}",
        "kind": "google_business",
        "display_name": "Bluebird Canal Street",
        "config": {},
    }
    values.update(fields)
    channel = Channel(**values)
    session.add(channel)
    session.flush()
    return channel


def make_customer(
    session: Session,
    *,
    brand: Brand | None = None,
    identities_on: list[Channel] | None = None,
    **fields: Any,
) -> Customer:
    """A customer, with one identity on each channel in ``identities_on``."""
    if brand is None:
        brand = identities_on[0].brand if identities_on else make_brand(session)
    n = _n()
    values: dict[str, Any] = {"brand_id": brand.id, "display_name": f"Customer {n}", "notes": ""}
    values.update(fields)
    customer = Customer(**values)
    session.add(customer)
    session.flush()
    for channel in identities_on or []:
        session.add(
            Identity(
                channel_id=channel.id,
                customer_id=customer.id,
                external_key=f"user-{customer.id}-{channel.id}",
                display_name=customer.display_name,
                handle=f"@customer{customer.id}",
            )
        )
    session.flush()
    return customer


def make_conversation(
    session: Session,
    *,
    channel: Channel | None = None,
    customer: Customer | None = None,
    tags: list[str] | None = None,
    **fields: Any,
) -> Conversation:
    """A conversation on ``channel`` (no messages; use make_message to add some)."""
    channel = channel or make_channel(session)
    at = fields.pop("last_message_at", BASE_TIME + timedelta(minutes=_n()))
    values: dict[str, Any] = {
        "brand_id": channel.brand_id,
        "channel_id": channel.id,
        "customer_id": customer.id if customer else None,
        "status": "open",
        "priority": 50.0,
        "subject": "A comment",
        "first_message_at": at,
        "last_message_at": at,
        "waiting_since": at,
    }
    values.update(fields)
    conversation = Conversation(**values)
    session.add(conversation)
    session.flush()
    for tag in tags or []:
        from trustdesk.inbox.models import ConversationTag

        session.add(ConversationTag(conversation_id=conversation.id, tag=tag))
    session.flush()
    return conversation


def make_message(
    session: Session,
    *,
    conversation: Conversation | None = None,
    text: str = "Lovely flat white.",
    **fields: Any,
) -> Message:
    """A message in ``conversation`` (default: a new conversation); bumps its message_count."""
    conversation = conversation or make_conversation(session)
    n = _n()
    values: dict[str, Any] = {
        "conversation_id": conversation.id,
        "channel_id": conversation.channel_id,
        "customer_id": conversation.customer_id,
        "platform_id": f"msg-{n}",
        "direction": "inbound",
        "kind": "comment",
        "author_name": "A customer",
        "text": text,
        "created_at": conversation.last_message_at,
        "raw": {},
    }
    values.update(fields)
    message = Message(**values)
    session.add(message)
    conversation.message_count += 1
    session.flush()
    return message


def make_user(session: Session, *, role: str = "agent", **fields: Any) -> User:
    """A team member with ``role`` and a unique e-mail address."""
    n = _n()
    values: dict[str, Any] = {"email": f"user{n}@bluebirdcoffee.example", "name": f"User {n}", "role": role}
    values.update(fields)
    user = User(**values)
    session.add(user)
    session.flush()
    return user
