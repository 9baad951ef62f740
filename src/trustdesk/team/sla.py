"""Service-level targets: first response and resolution per channel kind and priority, in business hours.

Targets live in ``Brand.settings["sla"]`` as ``{kind: {first_response_hours, resolution_hours}}`` (a
``default`` entry covers other kinds). Business hours (``business_hours``: ``{mon: ["07:00", "18:00"]}``)
and ``holidays`` (ISO dates) are read in the brand's time zone; without business hours the clock runs 24/7.
Urgent conversations (priority >= URGENT_PRIORITY) get half the time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustdesk.inbox.models import Brand, Channel, Conversation, ConversationTag
from trustdesk.team import audit

URGENT_PRIORITY = 70.0
BREACH_TAG = "sla-breach"
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SlaState = Literal["ok", "soon", "breached"]


@dataclass(frozen=True)
class Target:
    """Hours allowed for the first response and for resolution."""

    first_response_hours: float
    resolution_hours: float


@dataclass(frozen=True)
class Clock:
    """The running SLA clock of one conversation."""

    kind: Literal["first_response", "resolution"]
    due_at: datetime
    remaining_seconds: float
    state: SlaState

    @property
    def label(self) -> str:
        """ "first reply" or "resolution"."""
        return "first reply" if self.kind == "first_response" else "resolution"


@dataclass(frozen=True)
class Calendar:
    """Opening hours per weekday (local time) and holidays of a brand."""

    zone: ZoneInfo
    hours: dict[int, tuple[time, time]]
    holidays: frozenset[date]

    @property
    def always_open(self) -> bool:
        """True when no business hours are configured (the clock runs around the clock)."""
        return not self.hours


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def calendar_for(brand: Brand) -> Calendar:
    """The brand's business calendar from its settings (bad entries are ignored, not fatal)."""
    settings: dict[str, Any] = brand.settings or {}
    hours: dict[int, tuple[time, time]] = {}
    for day, span in (settings.get("business_hours") or {}).items():
        try:
            start, end = time.fromisoformat(span[0]), time.fromisoformat(span[1])
        except (TypeError, ValueError, IndexError):
            continue
        if day in _DAYS and start < end:
            hours[_DAYS.index(day)] = (start, end)
    holidays: set[date] = set()
    for value in settings.get("holidays") or []:
        try:
            holidays.add(date.fromisoformat(str(value)))
        except ValueError:
            continue
    return Calendar(zone=_zone(brand.timezone), hours=hours, holidays=frozenset(holidays))


def target_for(brand: Brand, channel_kind: str, priority: float) -> Target | None:
    """The brand's target for this channel kind and priority, or None when it sets none."""
    sla = (brand.settings or {}).get("sla") or {}
    entry = sla.get(channel_kind) or sla.get("default")
    if not isinstance(entry, dict):
        return None
    try:
        target = Target(float(entry["first_response_hours"]), float(entry["resolution_hours"]))
    except (KeyError, TypeError, ValueError):
        return None
    if priority >= URGENT_PRIORITY:
        return Target(target.first_response_hours / 2, target.resolution_hours / 2)
    return target


def add_business_hours(start: datetime, hours: float, calendar: Calendar) -> datetime:
    """The moment ``hours`` of business time after ``start`` (skipping closed hours and holidays)."""
    if calendar.always_open:
        return start + timedelta(hours=hours)
    left = timedelta(hours=hours)
    local = start.astimezone(calendar.zone)
    day = local.date()
    for _ in range(800):  # two years of days: enough for any target, bounded for bad calendars
        span = calendar.hours.get(day.weekday())
        if span and day not in calendar.holidays:
            opens = datetime.combine(day, span[0], calendar.zone)
            closes = datetime.combine(day, span[1], calendar.zone)
            begin = max(opens, local)
            if begin < closes:
                if begin + left <= closes:
                    return (begin + left).astimezone(UTC)
                left -= closes - begin
        day += timedelta(days=1)
        local = datetime.combine(day, time(0), calendar.zone)
    return (start + timedelta(hours=hours)).astimezone(UTC)


def clock_for(
    *,
    conversation: Conversation,
    brand: Brand,
    channel_kind: str,
    now: datetime,
    calendar: Calendar | None = None,
) -> Clock | None:
    """The SLA clock running on ``conversation`` now, or None (resolved, or no target)."""
    if conversation.status == "resolved":
        return None
    target = target_for(brand, channel_kind, conversation.priority or 0.0)
    if target is None:
        return None
    calendar = calendar or calendar_for(brand)
    if conversation.first_response_at is None:
        kind: Literal["first_response", "resolution"] = "first_response"
        hours = target.first_response_hours
    else:
        kind, hours = "resolution", target.resolution_hours
    due = add_business_hours(conversation.first_message_at, hours, calendar)
    remaining = (due - now).total_seconds()
    allowed = max(1.0, (due - conversation.first_message_at).total_seconds())
    state: SlaState = (
        "breached" if remaining <= 0 else "soon" if remaining < max(3600.0, allowed * 0.25) else "ok"
    )
    return Clock(kind=kind, due_at=due, remaining_seconds=remaining, state=state)


def escalate_breaches(*, session: Session, now: datetime, limit: int = 500) -> int:
    """Tag newly breached conversations ``sla-breach``, raise their priority and audit it; returns how many."""
    rows = session.execute(
        select(Conversation, Brand, Channel.kind)
        .join(Brand, Brand.id == Conversation.brand_id)
        .join(Channel, Channel.id == Conversation.channel_id)
        .where(Conversation.status == "open", Conversation.waiting_since.is_not(None))
        .where(~Conversation.tags.any(ConversationTag.tag == BREACH_TAG))
        .order_by(Conversation.waiting_since, Conversation.id)
        .limit(limit)
    ).all()
    calendars: dict[int, Calendar] = {}
    escalated = 0
    for conversation, brand, kind in rows:
        calendar = calendars.setdefault(brand.id, calendar_for(brand))
        clock = clock_for(
            conversation=conversation, brand=brand, channel_kind=kind, now=now, calendar=calendar
        )
        if clock is None or clock.state != "breached":
            continue
        conversation.tags.append(ConversationTag(tag=BREACH_TAG))
        conversation.priority = min(100.0, (conversation.priority or 0.0) + 10.0)
        audit.record(
            session=session,
            action="sla.breach",
            entity_type="conversation",
            entity_id=conversation.id,
            brand_id=brand.id,
            data={"kind": clock.kind, "due_at": clock.due_at.isoformat()},
            summary=f"{clock.label} target missed; escalated",
        )
        escalated += 1
    session.flush()
    return escalated
