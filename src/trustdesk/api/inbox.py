"""/api/v1 reads of the inbox: conversations, one conversation, message search, channels."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query

from trustdesk.api.deps import CurrentUser, SessionDep, VisibleBrands
from trustdesk.api.errors import ApiError, error_responses
from trustdesk.api.params import IdPath, IdQuery
from trustdesk.inbox.channels import list_channels
from trustdesk.inbox.query import get_conversation, list_conversations
from trustdesk.inbox.schemas import (
    ChannelList,
    ChannelRead,
    ConversationDetail,
    ConversationPage,
    ConversationQuery,
    ConversationRead,
    MessagePage,
)
from trustdesk.inbox.search import search_messages

router = APIRouter(prefix="/api/v1", tags=["inbox"], responses=error_responses(400, 401, 403, 404, 422))


@router.get("/conversations", name="api.conversations.list")
def conversations(
    session: SessionDep,
    user: CurrentUser,
    brands: VisibleBrands,
    params: Annotated[ConversationQuery, Query()],
) -> ConversationPage:
    """The inbox: filtered, sorted, one keyset page at a time (pass next_cursor back as cursor)."""
    filters = replace(params.to_filter(viewer_id=user.id), brand_scope=brands)
    page = list_conversations(
        session=session, filters=filters, sort=params.sort, cursor=params.cursor, limit=params.limit
    )
    return ConversationPage(
        items=[ConversationRead.from_model(c) for c in page.items], next_cursor=page.next_cursor
    )


@router.get("/conversations/{conversation_id}", name="api.conversations.get")
def conversation(
    conversation_id: IdPath, session: SessionDep, user: CurrentUser, brands: VisibleBrands
) -> ConversationDetail:
    """One conversation with all its messages (and their analysis) and the customer's identities."""
    found = get_conversation(session=session, conversation_id=conversation_id)
    if found is None or (brands is not None and found.brand_id not in brands):
        raise ApiError("inbox.conversation_not_found", f"no conversation {conversation_id}", status=404)
    return ConversationDetail.from_model(found)


@router.get("/messages/search", name="api.messages.search")
def search(
    session: SessionDep,
    user: CurrentUser,
    brands: VisibleBrands,
    q: Annotated[str, Query(max_length=1000, description='words (all must match) and "exact phrases"')] = "",
    brand_id: IdQuery = None,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MessagePage:
    """Messages matching ``q``, newest first."""
    page = search_messages(
        session=session, query=q, brand_id=brand_id, limit=limit, cursor=cursor, brand_ids=brands
    )
    return MessagePage.from_models(page.items, page.next_cursor)


@router.get("/channels", name="api.channels.list")
def channels(session: SessionDep, user: CurrentUser, brands: VisibleBrands) -> ChannelList:
    """Every channel (front door) the caller can see."""
    rows = list_channels(session=session)
    visible = [c for c in rows if brands is None or c.brand_id in brands]
    return ChannelList(items=[ChannelRead.from_model(c) for c in visible])
