"""SLA clocks in business hours, per channel and priority, with holidays; escalation on breach."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.factories import make_brand, make_channel, make_conversation

from trustdesk.inbox.models import Brand
from trustdesk.team.models import AuditEvent
from trustdesk.team.sla import (
    BREACH_TAG,
    add_business_hours,
    calendar_for,
    clock_for,
    escalate_breaches,
    target_for,
)

HOURS = {d: ["09:00", "17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}


def _brand(**settings: object) -> Brand:
    return Brand(slug="b", name="B", timezone="Europe/London", settings=dict(settings))


def test_sla_business_hours_skip_nights_weekends_and_holidays() -> None:
    brand = _brand(business_hours=HOURS, holidays=["2026-11-30"])
    cal = calendar_for(brand)
    friday_4pm = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # London is UTC in November
    # 1 h left on Friday, Monday 30th is a holiday, so 3 more hours land on Tuesday at 12:00
    assert add_business_hours(friday_4pm, 4, cal) == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    assert add_business_hours(saturday, 1, cal) == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_sla_without_business_hours_runs_around_the_clock() -> None:
    cal = calendar_for(_brand())
    start = datetime(2026, 11, 28, 23, 0, tzinfo=UTC)
    assert add_business_hours(start, 2, cal) == start + timedelta(hours=2)


def test_sla_bad_calendar_entries_are_ignored() -> None:
    cal = calendar_for(
        Brand(
            slug="b",
            name="B",
            timezone="Not/AZone",
            settings={"business_hours": {"mon": ["x"]}, "holidays": ["?"]},
        )
    )
    assert cal.always_open and str(cal.zone) == "UTC"


def test_sla_targets_per_kind_default_and_urgent_halving() -> None:
    brand = _brand(
        sla={
            "x": {"first_response_hours": 2, "resolution_hours": 24},
            "default": {"first_response_hours": 24, "resolution_hours": 72},
        }
    )
    assert target_for(brand, "x", 10).first_response_hours == 2  # type: ignore[union-attr]
    assert target_for(brand, "email", 10).first_response_hours == 24  # type: ignore[union-attr]
    assert target_for(brand, "x", 90).first_response_hours == 1  # type: ignore[union-attr]
    assert target_for(_brand(), "x", 10) is None


def test_sla_clock_states_and_escalation(session: Session) -> None:
    brand = make_brand(
        session, settings={"sla": {"google_business": {"first_response_hours": 4, "resolution_hours": 48}}}
    )
    channel = make_channel(session, brand=brand)
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    late = make_conversation(
        session,
        channel=channel,
        first_message_at=now - timedelta(hours=5),
        waiting_since=now - timedelta(hours=5),
        priority=40.0,
    )
    soon = make_conversation(
        session,
        channel=channel,
        first_message_at=now - timedelta(hours=3, minutes=30),
        waiting_since=now - timedelta(hours=3, minutes=30),
    )
    fine = make_conversation(session, channel=channel, first_message_at=now, waiting_since=now)
    states = {
        c.id: clock_for(conversation=c, brand=brand, channel_kind="google_business", now=now)
        for c in (late, soon, fine)
    }
    assert states[late.id].state == "breached" and states[late.id].remaining_seconds == -3600  # type: ignore[union-attr]
    assert states[soon.id].state == "soon" and states[fine.id].state == "ok"  # type: ignore[union-attr]
    late.first_response_at = None
    assert escalate_breaches(session=session, now=now) == 1
    assert BREACH_TAG in {t.tag for t in late.tags} and late.priority == 50.0
    assert escalate_breaches(session=session, now=now) == 0  # escalated once only
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "sla.breach")).one()
    assert event.entity_id == str(late.id)
    late.status = "resolved"
    assert clock_for(conversation=late, brand=brand, channel_kind="google_business", now=now) is None
