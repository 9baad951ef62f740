"""The inbox: conversations by priority with chips, waiting time and SLA; filters, views, search, bulk."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustdesk.inbox import conversations
from trustdesk.inbox.cursor import InvalidCursor
from trustdesk.inbox.models import Brand, Channel, Conversation, ConversationTag, Message
from trustdesk.inbox.query import ConversationFilter, InvalidFilter, Sort, check_choices, list_conversations
from trustdesk.store.base import parse_id, utcnow
from trustdesk.team import audit
from trustdesk.team.access import Forbidden, Viewer, team_for
from trustdesk.team.sla import Calendar, Clock, calendar_for, clock_for
from trustdesk.understand.schemas import EMOTIONS, INTENTS, SENTIMENTS
from trustdesk.web.deps import CurrentViewer, DbSession, chosen_brand
from trustdesk.web.views._common import render, see_other

router = APIRouter()

SAVED_VIEWS: dict[str, str] = {
    "my-open": "My open",
    "negative": "Negative reviews",
    "waiting-4h": "Waiting > 4 h",
    "unassigned": "Unassigned",
}
FILTER_FIELDS = (
    "brand",
    "channel",
    "status",
    "sentiment",
    "emotion",
    "intent",
    "assignee",
    "tag",
    "rating",
    "flag",
    "since",
    "until",
)
FLAGS = ("abusive", "over_the_top", "spam")
"""The inbox's "Flag" filter: conversations with a customer message so flagged (spam: the conversation)."""


@dataclass
class Row:
    """One inbox line: the conversation, its newest customer words and its SLA clock."""

    conversation: Conversation
    preview: str
    author: str
    clock: Clock | None


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidFilter(f"not a date: {value[:40]!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=utcnow().tzinfo)


def _brands(params: dict[str, str], viewer: Viewer, switched: int | None) -> list[str | int]:
    """The brand filter (``brand=`` id), else the switcher's brand, else every brand the viewer reads."""
    readable = viewer.brands_with("inbox.read")
    wanted = parse_id(params.get("brand", "")) or switched
    if wanted in readable:
        return [wanted]
    return list(readable) or [-1]


def build_filter(
    params: dict[str, str], viewer: Viewer, switched: int | None = None
) -> tuple[ConversationFilter, Sort]:
    """The query's filter and sort from request parameters and the chosen saved view."""
    flag = params.get("flag")
    # Spam is resolved when marked: the spam flag looks at every status unless one is chosen.
    status = params.get("status") or ("any" if flag == "spam" else "open")
    assignee: list[Any] = []
    if params.get("assignee"):
        value = params["assignee"]
        user_id = parse_id(value)
        assignee = [user_id] if user_id is not None else [value]
    rating = [float(params["rating"])] if params.get("rating", "") in ("1", "2", "3", "4", "5") else []
    if flag:
        check_choices("flag", [flag], FLAGS)
    f = ConversationFilter(
        status=[] if status == "any" else [status],
        channel=[params["channel"]] if params.get("channel") else [],
        sentiment=[params["sentiment"]] if params.get("sentiment") else [],
        emotion=[params["emotion"]] if params.get("emotion") else [],
        intent=[params["intent"]] if params.get("intent") else [],
        assignee=assignee,
        viewer_id=viewer.id,
        tag=[params["tag"]] if params.get("tag") else [],
        rating=rating,
        since=_parse_date(params.get("since")),
        until=_parse_date(params.get("until")),
        q=params.get("q") or None,
        brand=_brands(params, viewer, switched),
        abusive=True if flag == "abusive" else None,
        over_the_top=True if flag == "over_the_top" else None,
        spam=True if flag == "spam" else None,
    )
    sort: Sort = "priority"
    view = params.get("view")
    if view == "my-open":
        f = replace(f, assignee=["me"], status=["open"])
    elif view == "negative":
        f = replace(f, sentiment=["negative"], status=["open"])
    elif view == "waiting-4h":
        # waiting_since <= last_message_at, so an old last message means a long wait.
        f = replace(f, status=["open"], until=utcnow() - timedelta(hours=4))
        sort = "waiting"
    elif view == "unassigned":
        f = replace(f, assignee=["none"], status=["open"])
    return f, sort


def _previews(session: Session, ids: list[int]) -> dict[int, Message]:
    if not ids:
        return {}
    newest = (
        select(func.max(Message.id))
        .where(Message.conversation_id.in_(ids), Message.direction == "inbound")
        .group_by(Message.conversation_id)
    )
    return {m.conversation_id: m for m in session.scalars(select(Message).where(Message.id.in_(newest)))}


def load_rows(
    session: Session, viewer: Viewer, params: dict[str, str], switched: int | None = None
) -> tuple[list[Row], str | None, str]:
    """The page of inbox rows, the next cursor and an error message (empty when the filters are fine)."""
    try:
        f, sort = build_filter(params, viewer, switched)
        page = list_conversations(session=session, filters=f, sort=sort, cursor=params.get("cursor") or None)
    except (InvalidFilter, InvalidCursor, ValueError) as exc:
        return [], None, str(exc)
    ids = [c.id for c in page.items]
    previews = _previews(session, ids)
    brands = {
        b.id: b for b in session.scalars(select(Brand).where(Brand.id.in_({c.brand_id for c in page.items})))
    }
    calendars: dict[int, Calendar] = {}
    now = utcnow()
    rows = []
    for conv in page.items:
        brand = brands[conv.brand_id]
        calendar = calendars.setdefault(brand.id, calendar_for(brand))
        message = previews.get(conv.id)
        rows.append(
            Row(
                conversation=conv,
                preview=(message.text if message else conv.subject)[:240],
                author=(message.author_name if message else "")
                or (conv.customer.display_name if conv.customer else ""),
                clock=clock_for(
                    conversation=conv, brand=brand, channel_kind=conv.channel.kind, now=now, calendar=calendar
                ),
            )
        )
    return rows, page.next_cursor, ""


def _params(request: Request) -> dict[str, str]:
    keys = (*FILTER_FIELDS, "q", "view", "cursor")
    return {k: v[:500] for k, v in request.query_params.items() if k in keys and v}


def _choices(session: Session, viewer: Viewer) -> dict[str, Any]:
    brands = viewer.brands_with("inbox.read") or [-1]
    channels = list(
        session.scalars(select(Channel).where(Channel.brand_id.in_(brands)).order_by(Channel.name))
    )
    users = team_for(session=session, brand_ids=brands)
    tags = list(
        session.scalars(select(ConversationTag.tag).distinct().order_by(ConversationTag.tag).limit(100))
    )
    return {
        "channels": channels,
        "users": users,
        "tags": tags,
        "sentiments": SENTIMENTS,
        "emotions": EMOTIONS,
        "intents": INTENTS,
        "flags": FLAGS,
    }


def _render_inbox(
    request: Request, session: Session, viewer: Viewer, template: str, **extra: Any
) -> Response:
    params = _params(request)
    rows, next_cursor, error = load_rows(session, viewer, params, chosen_brand(request, viewer))
    base = {k: v for k, v in params.items() if k != "cursor"}
    return render(
        request,
        template,
        viewer=viewer,
        session=session,
        rows=rows,
        error=error,
        params=params,
        next_url=f"/inbox/rows?{urlencode({**base, 'cursor': next_cursor})}" if next_cursor else "",
        refresh_url=f"/inbox/rows?{urlencode(base)}",
        can_work=bool(viewer.brands_with("conversation.work")),
        append=bool(params.get("cursor")),
        **extra,
    )


@router.get("/inbox")
def inbox(request: Request, session: DbSession, viewer: CurrentViewer) -> Response:
    """The inbox page."""
    return _render_inbox(
        request,
        session,
        viewer,
        "inbox/inbox.html",
        views=SAVED_VIEWS,
        refused_spam=parse_id(request.query_params.get("refused_spam", "")) or 0,
        **_choices(session, viewer),
    )


@router.get("/inbox/rows")
def inbox_rows(request: Request, session: DbSession, viewer: CurrentViewer) -> Response:
    """Just the rows (load more, live refresh)."""
    return _render_inbox(request, session, viewer, "inbox/_rows.html")


@router.post("/inbox/bulk")
async def bulk(request: Request, session: DbSession, viewer: CurrentViewer) -> Response:
    """Assign, tag or resolve-as-spam many conversations at once (only those on the viewer's brands)."""
    form = await request.form()
    action = str(form.get("action", ""))
    ids = [i for i in map(parse_id, form.getlist("ids")) if i is not None][:500]
    allowed = viewer.brands_with("conversation.work")
    if not allowed:
        raise Forbidden("your role may not change conversations")
    found = list(
        session.scalars(
            select(Conversation).where(Conversation.id.in_(ids), Conversation.brand_id.in_(allowed))
        )
    )
    value = str(form.get("tagvalue" if action == "tag" else "value", ""))[:64].strip().lower()
    team_ids: dict[int, set[int]] = {}
    refused = 0
    for conv in found:
        if action == "assign":
            if value.isdigit() and int(value) not in team_ids.setdefault(
                conv.brand_id, {u.id for u in team_for(session=session, brand_ids=[conv.brand_id])}
            ):
                continue
            conv.assignee_id = int(value) if value.isdigit() else None
        elif action == "tag" and value:
            if value not in {t.tag for t in conv.tags}:
                conv.tags.append(ConversationTag(tag=value))
        elif action == "spam":
            try:
                conversations.mark_spam(session=session, conversation=conv, access=viewer, bulk=True)
            except conversations.ConversationError:
                refused += 1
            continue  # audited by the transition itself
        else:
            continue
        audit.record(
            session=session,
            action=f"conversation.bulk_{action}",
            entity_type="conversation",
            entity_id=conv.id,
            brand_id=conv.brand_id,
            actor_id=viewer.id,
            actor_kind="user",
            data={"value": value},
        )
    session.flush()
    back = str(form.get("back", "/inbox"))
    back = back if back.startswith("/inbox") else "/inbox"
    if refused:
        # Negative feedback is never hidden by an agent's bulk click: say how many stayed, and why.
        back += ("&" if "?" in back else "?") + f"refused_spam={refused}"
    return see_other(back, request)
