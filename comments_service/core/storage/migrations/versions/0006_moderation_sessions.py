"""Revocable moderator sessions: one row per login (only the SHA-256 of the cookie's random id).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "moderator_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("moderator", sa.String(length=100), nullable=False),
        sa.Column("password_key", sa.String(length=64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_moderator_sessions")),
    )


def downgrade() -> None:
    op.drop_table("moderator_sessions")
