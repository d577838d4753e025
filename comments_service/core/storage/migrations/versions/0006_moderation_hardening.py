"""Moderation that cannot be bypassed: revocable moderator sessions (one row per login, only the
SHA-256 of the cookie's random id), authors' edits of published comments held for review
(comments.pending_text / pending_html / pending_since), and the email addresses readers confirmed
(MODERATION=first trusts only these).

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
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("pending_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("pending_html", sa.Text(), nullable=True))
        batch.add_column(sa.Column("pending_since", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_comments_pending_since"), "comments", ["pending_since"])
    op.create_table(
        "confirmed_addresses",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("confirmed", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_confirmed_addresses")),
    )


def downgrade() -> None:
    op.drop_table("confirmed_addresses")
    op.drop_index(op.f("ix_comments_pending_since"), table_name="comments")
    # SQLite rebuilds the table to drop columns: keep 0005's AUTOINCREMENT.
    with op.batch_alter_table("comments", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("pending_since")
        batch.drop_column("pending_html")
        batch.drop_column("pending_text")
    op.drop_table("moderator_sessions")
