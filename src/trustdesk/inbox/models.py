"""Brands, channels, customers, conversations and messages: the inbox's tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trustdesk.store.base import Base, BigId, CreatedAtMixin, JSONType, UTCDateTime, utcnow

CHANNEL_KINDS: tuple[str, ...] = (
    "google_business",
    "google_play",
    "app_store",
    "facebook",
    "instagram",
    "x",
    "trustpilot",
    "yelp",
    "email",
    "website",
    "webhook",
    "manual",
)
CONVERSATION_STATUSES: tuple[str, ...] = ("open", "waiting", "resolved")
MESSAGE_KINDS: tuple[str, ...] = ("review", "comment", "mention", "dm", "reply", "email", "post")


class Brand(CreatedAtMixin, Base):
    """A brand whose front doors trustdesk watches."""

    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    channels: Mapped[list[Channel]] = relationship(back_populates="brand", order_by="Channel.id")


class Channel(CreatedAtMixin, Base):
    """One front door: a Google location, an app in a store, a page, an account, a mailbox, a webhook."""

    __tablename__ = "channels"
    __table_args__ = (CheckConstraint(f"kind IN ({', '.join(repr(k) for k in CHANNEL_KINDS)})", name="kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    external_id: Mapped[str | None] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    # Shared secret for HMAC-signed webhooks; it must be readable to verify signatures.
    webhook_secret: Mapped[str | None] = mapped_column(String(200))
    config: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    brand: Mapped[Brand] = relationship(back_populates="channels")


class Customer(CreatedAtMixin, Base):
    """One person, recognised across channels through their identities."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(300), default="")
    # Lower-cased full name / handle used for conservative cross-channel matching.
    match_key: Mapped[str | None] = mapped_column(String(300))
    # When merged into another customer, this row stays as a tombstone pointing at the survivor.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    notes: Mapped[str] = mapped_column(Text, default="")

    identities: Mapped[list[Identity]] = relationship(back_populates="customer")

    __table_args__ = (Index("ix_customers_brand_match", "brand_id", "match_key"),)


class CustomerSuggestion(CreatedAtMixin, Base):
    """ "Maybe the same person": two customers who share only a name or a handle, for an agent to confirm.

    A shared name is no evidence (416 names spread over 100,000 tickets made strangers one customer), so
    only a person merges them; ``status`` is open, merged or dismissed, and who decided is audited.
    """

    __tablename__ = "customer_suggestions"
    __table_args__ = (
        UniqueConstraint("customer_id", "candidate_id"),
        Index("ix_customer_suggestions_candidate", "candidate_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Identity(CreatedAtMixin, Base):
    """How a customer appears on one channel: platform user id or handle, name, reach."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel_id", "external_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    external_key: Mapped[str] = mapped_column(String(500))
    display_name: Mapped[str] = mapped_column(String(300), default="")
    # Lower-case, without a leading "@"; the same handle on another platform is only a merge suggestion.
    handle: Mapped[str | None] = mapped_column(String(300), index=True)
    followers: Mapped[int | None] = mapped_column(Integer)

    customer: Mapped[Customer] = relationship(back_populates="identities")


class Conversation(CreatedAtMixin, Base):
    """A thread on one channel about one concern, worked from open to resolved."""

    __tablename__ = "conversations"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'waiting', 'resolved')", name="status"),
        Index("ix_conversations_inbox", "brand_id", "priority", "id"),
        Index("ix_conversations_status_priority", "status", "priority", "id"),
        Index("ix_conversations_channel_priority", "channel_id", "priority", "id"),
        Index("ix_conversations_last_message", "last_message_at", "id"),
        Index("ix_conversations_assignee", "assignee_id", "status"),
        Index("ix_conversations_sentiment", "sentiment", "priority", "id"),
        Index("ix_conversations_priority", "priority", "id"),
        Index("ix_conversations_waiting", "waiting_since", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Stored so the inbox can sort and page on it with an index; recomputed when messages or time change it.
    priority: Mapped[float] = mapped_column(Float, default=0.0)
    subject: Mapped[str] = mapped_column(String(300), default="")
    # Summary of the newest inbound message's analysis, for filters and chips.
    sentiment: Mapped[str | None] = mapped_column(String(16))
    emotion: Mapped[str | None] = mapped_column(String(32))
    intent: Mapped[str | None] = mapped_column(String(32))
    urgency: Mapped[float | None] = mapped_column(Float)
    spam: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when a person marked (or unmarked) the conversation as spam: the analysis then leaves it alone.
    spam_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rating: Mapped[float | None] = mapped_column(Float)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    first_message_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set while the customer waits for us (newest message inbound); cleared when we reply.
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    channel: Mapped[Channel] = relationship()
    customer: Mapped[Customer | None] = relationship()
    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", order_by="(Message.created_at, Message.id)"
    )
    tags: Mapped[list[ConversationTag]] = relationship(cascade="all, delete-orphan")


class ConversationTag(Base):
    """A tag on a conversation (one row per tag so tag filters use an index)."""

    __tablename__ = "conversation_tags"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class Message(Base):
    """One inbound comment, review, mention, DM or email, or one outbound reply — text exactly as received."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel_id", "platform_id"),
        CheckConstraint("direction IN ('inbound', 'outbound')", name="direction"),
        Index("ix_messages_conversation", "conversation_id", "created_at"),
        Index("ix_messages_pending_analysis", "analyzed_at", "direction"),
        Index("ix_messages_created", "created_at", "id"),
        # SQLite also has ix_messages_search_order (id, created_at, channel_id) for FTS ordering: see 0002.
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("identities.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    platform_id: Mapped[str] = mapped_column(String(500))
    parent_platform_id: Mapped[str | None] = mapped_column(String(500))
    direction: Mapped[str] = mapped_column(String(8), default="inbound")
    kind: Mapped[str] = mapped_column(String(16), default="comment")
    author_name: Mapped[str] = mapped_column(Text, default="")
    author_handle: Mapped[str | None] = mapped_column(Text)
    author_followers: Mapped[int | None] = mapped_column(Integer)
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[float | None] = mapped_column(Float)
    language: Mapped[str | None] = mapped_column(String(16))
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    raw: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Analysis (filled by the understand job after ingestion; null until then).
    analyzed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    analysis_model: Mapped[str | None] = mapped_column(String(64))
    sentiment: Mapped[str | None] = mapped_column(String(16))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    emotion: Mapped[str | None] = mapped_column(String(32))
    emotion_scores: Mapped[dict[str, float] | None] = mapped_column(JSONType)
    intent: Mapped[str | None] = mapped_column(String(32))
    abusive: Mapped[bool | None] = mapped_column(Boolean)
    over_the_top: Mapped[bool | None] = mapped_column(Boolean)
    spam: Mapped[bool | None] = mapped_column(Boolean)
    urgency: Mapped[float | None] = mapped_column(Float)
    analysis_reasons: Mapped[list[str] | None] = mapped_column(JSONType)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
    revisions: Mapped[list[MessageRevision]] = relationship(order_by="MessageRevision.id")


class MessageRevision(Base):
    """An earlier version of an edited message (a review the customer changed), kept forever."""

    __tablename__ = "message_revisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[float | None] = mapped_column(Float)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    raw: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
