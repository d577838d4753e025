"""Revision 0008, after 0007 (2026-11-30): votes counted on each comment, and the source ids of
imported comments.

`likes` and `dislikes` carry the votes an import brings (Isso, Remark42) and the votes readers
cast here. `imported_comments` maps a source's comment id to the comment it became, so importing
the same export again (or a newer export of the same site) adds only what is new. Its comment id
is set to NULL, not deleted, when the comment is deleted here, so a moderator's deletion is not
undone by the next import.
"""

import sqlalchemy as sa
from alembic import op

# Alembic reads these two; branch_labels and depends_on are left out (none).
revision, down_revision = "0008", "0007"


def upgrade() -> None:
    # A plain ADD COLUMN on both backends: a batch rebuild would drop SQLite's AUTOINCREMENT
    # (revision 0005), and a NOT NULL column with a default needs no rebuild.
    op.add_column("comments", sa.Column("likes", sa.Integer(), server_default=sa.text("0"),
                                        nullable=False))
    op.add_column("comments", sa.Column("dislikes", sa.Integer(), server_default=sa.text("0"),
                                        nullable=False))
    op.create_table(
        "imported_comments",
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], ondelete="SET NULL",
                                name=op.f("fk_imported_comments_comment_id_comments")),
        sa.PrimaryKeyConstraint("source", "source_id", name=op.f("pk_imported_comments")),
    )
    op.create_index(op.f("ix_imported_comments_comment_id"), "imported_comments", ["comment_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_imported_comments_comment_id"), table_name="imported_comments")
    op.drop_table("imported_comments")
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("dislikes")
        batch.drop_column("likes")
