"""Revision 0010, after 0009 (2026-11-30): the re-bake queue. A write no longer re-renders the
article's static page in the request: it enqueues the thread (one row per thread, a version
counter), and a baker where the static root is (a thread of each worker, or `flask rebake-worker`)
bakes it off the request path (core/storage/rebake_queue.py).
"""

import sqlalchemy as sa
from alembic import op

# Alembic reads these two; branch_labels and depends_on are left out (none).
revision, down_revision = "0010", "0009"


def upgrade() -> None:
    op.create_table(
        "rebake_queue",
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("baked_version", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_rebake_queue")),
    )
    op.create_index(op.f("ix_rebake_queue_due_at"), "rebake_queue", ["due_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_rebake_queue_due_at"), table_name="rebake_queue")
    op.drop_table("rebake_queue")
