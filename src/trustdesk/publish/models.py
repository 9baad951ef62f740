"""Replies written in the desk, the outbox that posts them exactly once, and internal notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trustdesk.store.base import Base, BigId, CreatedAtMixin, JSONType, UTCDateTime, utcnow

# draft -> pending (needs approval) -> approved -> posted; pending -> returned (sent back) -> pending ...
REPLY_STATUSES: tuple[str, ...] = ("draft", "pending", "returned", "approved", "posted", "cancelled")
# pending: waiting for its channel; manual: a person must copy it; posted: done; failed: gave up.
OUTBOX_STATUSES: tuple[str, ...] = ("pending", "manual", "posted", "failed")


def _check(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Reply(CreatedAtMixin, Base):
    """One reply to a conversation, from first draft to posted, with why it needs approval."""

    __tablename__ = "replies"
    __table_args__ = (
        CheckConstraint(_check("status", REPLY_STATUSES), name="status"),
        Index("ix_replies_brand_status", "brand_id", "status", "id"),
        Index("ix_replies_conversation", "conversation_id", "id"),
        UniqueConstraint("author_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    in_reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    approval_reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    # Resolve the conversation once this reply is posted ("resolve with a public follow-up").
    resolve_on_post: Mapped[bool] = mapped_column(Boolean, default=False)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The client's key for this submit (a form's hidden field, an API Idempotency-Key): a second submit
    # with the same key returns the first reply instead of making another.
    idempotency_key: Mapped[str | None] = mapped_column(String(64))

    outbox: Mapped[OutboxItem | None] = relationship(back_populates="reply", uselist=False)


class OutboxItem(CreatedAtMixin, Base):
    """An approved reply waiting to be posted; the idempotency key makes a second post impossible."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_check("status", OUTBOX_STATUSES), name="status"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reply_id: Mapped[int] = mapped_column(ForeignKey("replies.id", ondelete="CASCADE"), unique=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    external_id: Mapped[str | None] = mapped_column(String(500))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))

    reply: Mapped[Reply] = relationship(back_populates="outbox")


class Note(CreatedAtMixin, Base):
    """An internal note on a conversation; never posted. ``mentions`` holds the user ids @mentioned."""

    __tablename__ = "conversation_notes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text, default="")
    mentions: Mapped[list[int]] = mapped_column(JSONType, default=list)
