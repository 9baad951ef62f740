"""Write to the append-only audit log: every state change and every public post goes through ``record``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from trustdesk.team.models import AuditEvent


def record(
    *,
    session: Session,
    action: str,
    entity_type: str,
    entity_id: int | str,
    brand_id: int | None = None,
    actor_id: int | None = None,
    actor_kind: str = "system",
    data: dict[str, Any] | None = None,
    summary: str = "",
) -> AuditEvent:
    """Append one audit event (flushed, not committed: it lives or dies with the caller's transaction)."""
    event = AuditEvent(
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        brand_id=brand_id,
        actor_id=actor_id,
        actor_kind=actor_kind,
        data=data or {},
        summary=summary,
    )
    session.add(event)
    session.flush()
    return event
