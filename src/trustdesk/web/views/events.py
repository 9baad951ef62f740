"""Server-sent events: tell open pages that messages arrived, from this process or any other.

Imports run in other processes (CLI, webhook workers), so the stream watches the database: each
second it reads the newest message id and, when it moved, which of the viewer's brands' conversations
got the new messages; it sends an event only when there are some.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine, func, select

from trustdesk.inbox.models import Channel, Message
from trustdesk.store.db import unit_of_work
from trustdesk.web.deps import CurrentViewer, DbSession, web_state

router = APIRouter()
POLL_SECONDS = 1.0
KEEPALIVE_EVERY = 15


def _newest(engine: Engine) -> int:
    # max(id) on the primary key costs the same at a million messages as at ten.
    with unit_of_work(engine) as session:
        return session.scalar(select(func.max(Message.id))) or 0


@router.get("/events")
async def events(request: Request, session: DbSession, viewer: CurrentViewer) -> StreamingResponse:
    """The event stream of the viewer's brands."""
    session.commit()  # hand the request's connection back: the stream may stay open for hours
    engine = web_state(request).engine
    brand_ids = viewer.brand_ids or [-1]
    once = request.query_params.get("once") == "1"  # tests and probes: one event, then close

    async def stream() -> AsyncIterator[str]:
        # The newest message id stays on the server: it counts every brand's messages, and the stream
        # tells a brand's people only about their own brands.
        last = await asyncio.to_thread(_newest, engine)
        yield "event: hello\ndata: {}\n\n"
        ticks = 0
        while not once:
            if await request.is_disconnected():
                break
            await asyncio.sleep(POLL_SECONDS)
            newest = await asyncio.to_thread(_newest, engine)
            if newest > last:
                # Only what arrived since the last look, and only on the viewer's brands, is announced.
                changed = await asyncio.to_thread(_changed, engine, brand_ids, last)
                last = newest
                if changed:
                    yield f"event: messages\ndata: {json.dumps({'conversations': changed})}\n\n"
            ticks += 1
            if ticks % KEEPALIVE_EVERY == 0:
                yield ": keep-alive\n\n"

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _changed(engine: Engine, brand_ids: list[int], after: int) -> list[int]:
    with unit_of_work(engine) as session:
        return sorted(
            set(
                session.scalars(
                    select(Message.conversation_id)
                    .where(Message.id > after)
                    .where(Message.channel_id.in_(select(Channel.id).where(Channel.brand_id.in_(brand_ids))))
                    .limit(500)
                )
            )
        )
