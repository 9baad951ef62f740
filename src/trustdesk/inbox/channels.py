"""Brands and their channels (front doors): create, find, list."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustdesk.errors import DomainError
from trustdesk.inbox.models import CHANNEL_KINDS, Brand, Channel

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")


class ChannelError(DomainError, ValueError):
    """A brand or channel cannot be created as asked; ``code`` names the reason."""


DEFAULT_SLA: dict[str, dict[str, float]] = {
    "default": {"first_response_hours": 24, "resolution_hours": 72},
    "x": {"first_response_hours": 2, "resolution_hours": 24},
    "facebook": {"first_response_hours": 4, "resolution_hours": 48},
    "instagram": {"first_response_hours": 4, "resolution_hours": 48},
    "website": {"first_response_hours": 4, "resolution_hours": 48},
    "email": {"first_response_hours": 8, "resolution_hours": 72},
}
"""A new brand's targets until it sets its own: public social posts fastest (a reply in public within hours
is what customers expect there), reviews within a day."""
DEFAULT_BUSINESS_HOURS: dict[str, list[str]] = {
    day: ["09:00", "17:30"] for day in ("mon", "tue", "wed", "thu", "fri")
}


def create_brand(*, session: Session, slug: str, name: str, timezone: str = "UTC") -> Brand:
    """A new brand with sensible SLA targets and office hours; slugs are lower-case names for URLs and the CLI."""
    if not _NAME.match(slug):
        raise ChannelError("inbox.bad_slug", f"brand slug {slug!r} must be lower-case letters, digits, - _ .")
    if session.scalars(select(Brand).where(Brand.slug == slug)).first():
        raise ChannelError("inbox.brand_exists", f"a brand {slug!r} already exists")
    settings = {
        "sla": {k: dict(v) for k, v in DEFAULT_SLA.items()},
        "business_hours": dict(DEFAULT_BUSINESS_HOURS),
    }
    brand = Brand(slug=slug, name=name, timezone=timezone, settings=settings)
    session.add(brand)
    session.flush()
    return brand


def create_channel(
    *,
    session: Session,
    brand_id: int,
    name: str,
    kind: str,
    display_name: str = "",
    external_id: str | None = None,
    url: str | None = None,
    is_public: bool | None = None,
) -> Channel:
    """A new front door; webhook channels get a random signing secret."""
    if kind not in CHANNEL_KINDS:
        raise ChannelError(
            "inbox.bad_kind", f"unknown channel kind {kind!r}; one of: {', '.join(CHANNEL_KINDS)}"
        )
    if not _NAME.match(name):
        raise ChannelError(
            "inbox.bad_name", f"channel name {name!r} must be lower-case letters, digits, - _ ."
        )
    if session.scalars(select(Channel).where(Channel.name == name)).first():
        raise ChannelError("inbox.channel_exists", f"a channel {name!r} already exists")
    channel = Channel(
        brand_id=brand_id,
        name=name,
        kind=kind,
        display_name=display_name or name,
        external_id=external_id,
        url=url,
        is_public=kind not in ("email",) if is_public is None else is_public,
        webhook_secret=secrets.token_urlsafe(32) if kind == "webhook" else None,
        config={},
    )
    session.add(channel)
    session.flush()
    return channel


def get_brand(*, session: Session, slug: str) -> Brand | None:
    """The brand with ``slug``."""
    return session.scalars(select(Brand).where(Brand.slug == slug)).first()


def list_channels(*, session: Session, brand_id: int | None = None) -> list[Channel]:
    """Channels, of one brand or all, in creation order."""
    query = select(Channel).order_by(Channel.id)
    if brand_id is not None:
        query = query.where(Channel.brand_id == brand_id)
    return list(session.scalars(query))
