"""Customers are merged on evidence only: same-name and same-handle matches become suggestions

Revision ID: 0010
Revises: 0004
Create Date: 2026-12-05 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trustdesk.store.base

revision: str = "0010"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "customer_suggestions",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("brand_id", BIG_ID, nullable=False),
        sa.Column("customer_id", BIG_ID, nullable=False),
        sa.Column("candidate_id", BIG_ID, nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by_id", BIG_ID, nullable=True),
        sa.Column("decided_at", trustdesk.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", trustdesk.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_customer_suggestions_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["customers.id"],
            name=op.f("fk_customer_suggestions_candidate_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_suggestions_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_customer_suggestions_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_suggestions")),
        sa.UniqueConstraint(
            "customer_id", "candidate_id", name=op.f("uq_customer_suggestions_customer_id_candidate_id")
        ),
    )
    op.create_index(
        op.f("ix_customer_suggestions_brand_id"), "customer_suggestions", ["brand_id"], unique=False
    )
    op.create_index(
        "ix_customer_suggestions_candidate", "customer_suggestions", ["candidate_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_customer_suggestions_candidate", table_name="customer_suggestions")
    op.drop_index(op.f("ix_customer_suggestions_brand_id"), table_name="customer_suggestions")
    op.drop_table("customer_suggestions")
