"""Knowledge base entries per brand, and the stored embeddings of the brand's reply archive

Revision ID: 0005
Revises: 0010
Create Date: 2026-12-05 07:35:32.902549
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import trustdesk.store.base

revision: str = "0005"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "knowledge_entries",
        sa.Column("id", _ID, nullable=False),
        sa.Column("brand_id", _ID, nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("questions", _json(), nullable=False),
        sa.Column("answers", _json(), nullable=False),
        sa.Column("links", _json(), nullable=False),
        sa.Column("tags", _json(), nullable=False),
        sa.Column("intents", _json(), nullable=False),
        sa.Column("updated_at", trustdesk.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", _ID, nullable=True),
        sa.Column("created_at", trustdesk.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('faq', 'policy', 'link')", name=op.f("ck_knowledge_entries_kind")),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_knowledge_entries_brand_id_brands"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_knowledge_entries_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_entries")),
        sa.UniqueConstraint("brand_id", "slug", name=op.f("uq_knowledge_entries_brand_id_slug")),
    )
    with op.batch_alter_table("knowledge_entries", schema=None) as batch_op:
        batch_op.create_index("ix_knowledge_entries_brand_updated", ["brand_id", "updated_at"], unique=False)

    op.create_table(
        "archive_vectors",
        sa.Column("message_id", _ID, nullable=False),
        sa.Column("brand_id", _ID, nullable=False),
        sa.Column("answered_id", _ID, nullable=True),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", trustdesk.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_id"],
            ["messages.id"],
            name=op.f("fk_archive_vectors_answered_id_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_archive_vectors_brand_id_brands"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_archive_vectors_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_archive_vectors")),
    )
    with op.batch_alter_table("archive_vectors", schema=None) as batch_op:
        batch_op.create_index("ix_archive_vectors_brand", ["brand_id", "message_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("archive_vectors", schema=None) as batch_op:
        batch_op.drop_index("ix_archive_vectors_brand")
    op.drop_table("archive_vectors")
    with op.batch_alter_table("knowledge_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_knowledge_entries_brand_updated")
    op.drop_table("knowledge_entries")
