"""Close the holes: server-side web sessions, reply idempotency keys, import run status, manual spam
marks, and an audit log that TRUNCATE cannot empty (PostgreSQL)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trustdesk.store.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# Row triggers do not fire on TRUNCATE: a statement trigger does (the function already raises).
POSTGRES_UP = [
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
]
POSTGRES_DOWN = ["DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events"]


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("expires_at", trustdesk.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", trustdesk.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", trustdesk.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"], unique=False)
    with op.batch_alter_table("replies") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(
            op.f("uq_replies_author_id_idempotency_key"), ["author_id", "idempotency_key"]
        )
    with op.batch_alter_table("import_runs") as batch:
        batch.add_column(sa.Column("status", sa.String(length=16), nullable=False, server_default="finished"))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("host", sa.String(length=255), nullable=False, server_default=""))
    op.execute("UPDATE import_runs SET status = 'running' WHERE finished_at IS NULL")
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("spam_by_id", BIG_ID, nullable=True))
        batch.create_foreign_key(
            op.f("fk_conversations_spam_by_id_users"), "users", ["spam_by_id"], ["id"], ondelete="SET NULL"
        )
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_DOWN:
            op.execute(statement)
    with op.batch_alter_table("conversations") as batch:
        batch.drop_constraint(op.f("fk_conversations_spam_by_id_users"), type_="foreignkey")
        batch.drop_column("spam_by_id")
    with op.batch_alter_table("import_runs") as batch:
        batch.drop_column("host")
        batch.drop_column("pid")
        batch.drop_column("status")
    with op.batch_alter_table("replies") as batch:
        batch.drop_constraint(op.f("uq_replies_author_id_idempotency_key"), type_="unique")
        batch.drop_column("idempotency_key")
    op.drop_index(op.f("ix_web_sessions_user_id"), table_name="web_sessions")
    op.drop_table("web_sessions")
