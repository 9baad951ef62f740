"""Pydantic shapes of the inbox as the API (and anything else speaking JSON) shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from trustdesk.inbox.models import Channel, Conversation, Customer, Identity, Message
from trustdesk.inbox.query import ConversationFilter, InvalidFilter, Sort
from trustdesk.store.base import as_utc, parse_id


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ChannelRef(_Read):
    """The channel a conversation or message came through."""

    id: int
    name: str
    kind: str
    display_name: str


class ChannelRead(ChannelRef):
    """A channel as listed by the API (never its webhook secret)."""

    brand_id: int
    url: str | None
    is_public: bool
    webhook_enabled: bool

    @classmethod
    def from_model(cls, channel: Channel) -> ChannelRead:
        """The API view of ``channel``."""
        return cls(
            id=channel.id,
            name=channel.name,
            kind=channel.kind,
            display_name=channel.display_name,
            brand_id=channel.brand_id,
            url=channel.url,
            is_public=channel.is_public,
            webhook_enabled=bool(channel.webhook_secret),
        )


class ChannelList(BaseModel):
    """All channels the caller can see."""

    items: list[ChannelRead]


class CustomerRef(_Read):
    """Who a conversation is with."""

    id: int
    display_name: str


class IdentityRead(_Read):
    """How the customer appears on one channel."""

    id: int
    channel_id: int
    external_key: str
    display_name: str
    handle: str | None
    followers: int | None


class CustomerRead(CustomerRef):
    """A customer with every identity we know across channels."""

    notes: str
    identities: list[IdentityRead]

    @classmethod
    def from_model(cls, customer: Customer) -> CustomerRead:
        """The API view of ``customer`` (identities must be loaded)."""
        identities: list[Identity] = customer.identities
        return cls(
            id=customer.id,
            display_name=customer.display_name,
            notes=customer.notes,
            identities=[IdentityRead.model_validate(i) for i in identities],
        )


class MessageRead(_Read):
    """One message exactly as received, with its analysis (null until analysed)."""

    id: int
    conversation_id: int
    channel_id: int
    customer_id: int | None
    parent_id: int | None
    platform_id: str
    direction: str
    kind: str
    author_name: str
    author_handle: str | None
    author_followers: int | None
    title: str | None
    text: str
    rating: float | None
    language: str | None
    is_public: bool
    url: str | None
    created_at: datetime
    received_at: datetime
    edited_at: datetime | None
    analyzed_at: datetime | None
    analysis_model: str | None
    sentiment: str | None
    sentiment_score: float | None
    emotion: str | None
    emotion_scores: dict[str, float] | None
    intent: str | None
    abusive: bool | None
    over_the_top: bool | None
    spam: bool | None
    urgency: float | None
    analysis_reasons: list[str] | None


class MessagePage(BaseModel):
    """One page of search hits, newest first."""

    items: list[MessageRead]
    next_cursor: str | None

    @classmethod
    def from_models(cls, messages: list[Message], next_cursor: str | None) -> MessagePage:
        """The API view of a search page."""
        return cls(items=[MessageRead.model_validate(m) for m in messages], next_cursor=next_cursor)


class ConversationRead(BaseModel):
    """A conversation as one inbox row."""

    id: int
    brand_id: int
    channel: ChannelRef
    customer: CustomerRef | None
    status: str
    assignee_id: int | None
    priority: float
    subject: str
    sentiment: str | None
    emotion: str | None
    intent: str | None
    rating: float | None
    is_public: bool
    message_count: int
    first_message_at: datetime
    last_message_at: datetime
    waiting_since: datetime | None
    resolved_at: datetime | None
    tags: list[str]

    @classmethod
    def from_model(cls, conversation: Conversation) -> ConversationRead:
        """The API view of ``conversation`` (channel, customer and tags must be loaded)."""
        return cls(**_conversation_fields(conversation))


class ConversationDetail(ConversationRead):
    """A conversation with all its messages and the customer's identities."""

    customer: CustomerRead | None  # richer than the row's CustomerRef
    messages: list[MessageRead]

    @classmethod
    def from_model(cls, conversation: Conversation) -> ConversationDetail:
        """The API view of a fully loaded conversation (see inbox.query.get_conversation)."""
        fields = _conversation_fields(conversation)
        fields["customer"] = CustomerRead.from_model(conversation.customer) if conversation.customer else None
        fields["messages"] = [MessageRead.model_validate(m) for m in conversation.messages]
        return cls(**fields)


class ConversationPage(BaseModel):
    """One page of the inbox and the cursor of the next (null at the end)."""

    items: list[ConversationRead]
    next_cursor: str | None


class ConversationQuery(BaseModel):
    """The inbox list's query parameters (repeat a parameter for several values: ?status=open&status=waiting)."""

    model_config = ConfigDict(extra="forbid")

    status: list[str] = Field(default_factory=list)
    channel: list[str] = Field(default_factory=list, description="channel names or ids")
    sentiment: list[str] = Field(default_factory=list)
    emotion: list[str] = Field(default_factory=list)
    intent: list[str] = Field(default_factory=list)
    priority_min: float | None = Field(default=None, ge=0, le=100)
    priority_max: float | None = Field(default=None, ge=0, le=100)
    assignee: list[str] = Field(default_factory=list, description='user ids, "me" or "none"')
    tag: list[str] = Field(default_factory=list)
    rating: list[float] = Field(default_factory=list)
    since: datetime | None = Field(default=None, description="last message at or after (UTC if no zone)")
    until: datetime | None = Field(default=None, description="last message before (UTC if no zone)")
    q: str | None = Field(default=None, max_length=1000, description="full-text search in the messages")
    brand: list[str] = Field(default_factory=list, description="brand slugs or ids")
    urgency_min: float | None = Field(default=None, ge=0, le=1)
    abusive: bool | None = Field(default=None, description="a customer message in it is abusive (or none is)")
    over_the_top: bool | None = Field(
        default=None, description="a customer message is over the top (or none)"
    )
    spam: bool | None = Field(default=None, description="the conversation is spam (or is not)")
    language: list[str] = Field(
        default_factory=list, description='ISO 639-1 codes of customer messages, or "und"'
    )
    sort: Sort = "priority"
    cursor: str | None = Field(default=None, max_length=512)
    limit: int = Field(default=50, ge=1, le=200)

    @field_validator("since", "until")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return as_utc(value) if value is not None else None

    def to_filter(self, *, viewer_id: int | None) -> ConversationFilter:
        """The service-level filter, with "me" meaning ``viewer_id``."""
        assignees: list[int | Literal["me", "none"]] = []
        for value in self.assignee:
            if value in ("me", "none"):
                assignees.append(value)  # type: ignore[arg-type]  # narrowed by the check
            elif (user_id := parse_id(value)) is not None:
                assignees.append(user_id)
            else:
                raise InvalidFilter(f'unknown assignee {value!r}; a user id, "me" or "none"')
        return ConversationFilter(
            status=self.status,
            channel=list(self.channel),
            sentiment=self.sentiment,
            emotion=self.emotion,
            intent=self.intent,
            priority_min=self.priority_min,
            priority_max=self.priority_max,
            assignee=assignees,
            viewer_id=viewer_id,
            tag=self.tag,
            rating=self.rating,
            since=self.since,
            until=self.until,
            q=self.q,
            brand=list(self.brand),
            urgency_min=self.urgency_min,
            abusive=self.abusive,
            over_the_top=self.over_the_top,
            spam=self.spam,
            language=self.language,
        )


class RecordResult(BaseModel):
    """What happened to one record of a delivery."""

    line: int = Field(description="the record's position in the body, from 1")
    id: str | None = Field(description="the record's own id (null when it had none)")
    status: Literal["new", "updated", "duplicate", "rejected"]
    message_id: int | None = None
    reason: str | None = Field(default=None, description="why a record was rejected")
    note: str | None = None


class BatchReportRead(BaseModel):
    """What a webhook delivery did: counts, and each record's result in body order."""

    new: int
    updated: int
    duplicates: int
    rejected: list[dict[str, Any]]
    message_ids: list[int]
    results: list[RecordResult] = Field(default_factory=list)


def _conversation_fields(c: Conversation) -> dict[str, Any]:
    return {
        "id": c.id,
        "brand_id": c.brand_id,
        "channel": ChannelRef.model_validate(c.channel),
        "customer": CustomerRef.model_validate(c.customer) if c.customer else None,
        "status": c.status,
        "assignee_id": c.assignee_id,
        "priority": c.priority,
        "subject": c.subject,
        "sentiment": c.sentiment,
        "emotion": c.emotion,
        "intent": c.intent,
        "rating": c.rating,
        "is_public": c.is_public,
        "message_count": c.message_count,
        "first_message_at": c.first_message_at,
        "last_message_at": c.last_message_at,
        "waiting_since": c.waiting_since,
        "resolved_at": c.resolved_at,
        "tags": sorted(t.tag for t in c.tags),
    }
