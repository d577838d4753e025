"""Moderation: spam-defence flags and public removal reason on comments, the moderation log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("flags", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("moderation_reason", sa.String(length=500), nullable=True))
    op.create_table(
        "moderation_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("thread_slug", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_log")),
    )
    op.create_index(op.f("ix_moderation_log_at"), "moderation_log", ["at"])


def downgrade() -> None:
    op.drop_table("moderation_log")
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("moderation_reason")
        batch.drop_column("flags")
