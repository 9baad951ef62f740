"""The knowledge base's tables: a brand's entries, and the stored embeddings of its reply archive."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trustdesk.knowledge.schemas import KINDS
from trustdesk.store.base import Base, BigId, CreatedAtMixin, JSONType, UTCDateTime, utcnow


class KnowledgeEntry(CreatedAtMixin, Base):
    """One FAQ answer, policy or help link of a brand (see ``knowledge.schemas.Entry`` for the fields)."""

    __tablename__ = "knowledge_entries"
    __table_args__ = (
        UniqueConstraint("brand_id", "slug"),
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in KINDS)})", name="kind"),
        Index("ix_knowledge_entries_brand_updated", "brand_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="faq")
    title: Mapped[str] = mapped_column(String(300))
    questions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    answers: Mapped[dict[str, list[str]]] = mapped_column(JSONType, default=dict)
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    intents: Mapped[list[str]] = mapped_column(JSONType, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ArchiveVector(CreatedAtMixin, Base):
    """The embedding of the customer message a posted reply answered (``vector`` null: nothing to index).

    Keyed by the outbound message: one row per reply the brand posted, written once by
    ``knowledge.archive.embed_pending`` and read into a per-brand matrix for retrieval.
    """

    __tablename__ = "archive_vectors"
    __table_args__ = (Index("ix_archive_vectors_brand", "brand_id", "message_id"),)

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    answered_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    model: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)
