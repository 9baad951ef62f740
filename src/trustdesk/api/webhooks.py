"""POST /api/v1/webhooks/{channel}: signed generic-JSON deliveries into a channel, idempotently.

The sender signs the raw body: ``X-Trustdesk-Signature: sha256=<hex HMAC-SHA256(body, webhook_secret)>``.
The body is one generic-schema object, a list of them, or ``{"messages": [...]}``. Re-delivering the
same body is harmless: messages are keyed by (channel, id) and come back as duplicates.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from sqlalchemy import select

from trustdesk.api.deps import SessionDep
from trustdesk.api.errors import ApiError, error_responses
from trustdesk.collect.formats import parse_generic_object
from trustdesk.collect.imports import ingest_resilient
from trustdesk.collect.records import ParsedRecord, Rejected
from trustdesk.inbox.models import Channel
from trustdesk.inbox.schemas import BatchReportRead
from trustdesk.worker import dispatch_analysis

SIGNATURE_HEADER = "X-Trustdesk-Signature"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024

router = APIRouter(
    prefix="/api/v1", tags=["webhooks"], responses=error_responses(400, 401, 403, 404, 413, 422)
)


def sign_body(secret: str, body: bytes) -> str:
    """The header value a sender puts in ``X-Trustdesk-Signature`` for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is the signature of ``body`` under ``secret`` (constant-time compare)."""
    if not header:
        return False
    return hmac.compare_digest(sign_body(secret, body).encode(), header.strip().encode("utf-8", "replace"))


async def limited_body(request: Request) -> bytes:
    """The raw request body, refused with 413 past the app's ``webhook_max_bytes``."""
    limit: int = getattr(request.app.state, "webhook_max_bytes", DEFAULT_MAX_BYTES)
    too_large = ApiError("webhook.too_large", f"the body is larger than {limit} bytes", status=413)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


RawBody = Annotated[bytes, Depends(limited_body)]


def parse_webhook_body(body: bytes) -> list[ParsedRecord | Rejected]:
    """Records from a webhook body; a body that is not JSON is a 400, a bad record a rejected line."""
    try:
        doc: Any = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ApiError("webhook.invalid_json", f"the body is not valid UTF-8 JSON: {exc}"[:300]) from exc
    if isinstance(doc, dict) and isinstance(doc.get("messages"), list):
        items: list[Any] = doc["messages"]
    elif isinstance(doc, list):
        items = doc
    else:
        items = [doc]
    return [parse_generic_object(item, line=i) for i, item in enumerate(items, start=1)]


@router.post("/webhooks/{channel_name}", name="api.webhooks.receive")
def receive(
    channel_name: str, body: RawBody, request: Request, session: SessionDep, background: BackgroundTasks
) -> BatchReportRead:
    """Store a signed delivery of generic-JSON messages and say what happened to each."""
    channel = session.scalars(select(Channel).where(Channel.name == channel_name)).first()
    if channel is None:
        raise ApiError("webhook.unknown_channel", f"no channel {channel_name!r}", status=404)
    if not channel.webhook_secret:
        raise ApiError("webhook.disabled", f"channel {channel_name!r} has no webhook secret", status=403)
    if not signature_ok(channel.webhook_secret, body, request.headers.get(SIGNATURE_HEADER)):
        raise ApiError("webhook.bad_signature", f"missing or wrong {SIGNATURE_HEADER}", status=401)
    records = parse_webhook_body(body)
    # Each record lands or is rejected alone (line and reason); a delivery racing its own duplicate
    # reads as a duplicate, not a 500.
    report = ingest_resilient(
        session=session, channel=channel, records=records, actor_kind="webhook", track=True
    )
    # Background tasks run after the response, so after the request's transaction has committed.
    background.add_task(
        dispatch_analysis, engine=request.app.state.engine, message_ids=list(report.message_ids)
    )
    return BatchReportRead(
        new=report.new,
        updated=report.updated,
        duplicates=report.duplicates,
        rejected=report.rejected,
        message_ids=report.message_ids,
        results=report.results,
    )
