"""Revision 0009, after 0008 (2026-11-30): what readers and editors add to comments.

- `comment_votes`: one vote per reader and comment (a reader is the signed cookie the service
  gives, and the hash of their address: either one voting again changes the vote, never adds
  one); `comments.likes` / `dislikes` keep the counts so pages need no aggregate.
- `comment_reports`: readers' reports (spam, abuse, off-topic), one per reader and comment.
- `comments.picked` / `pick_note`: editor's picks.
- `comments.kind`, `about_reference`, `about_paragraph`: a comment may be about one reference
  [n] or one paragraph of the article; a correction is its own kind, held for the moderators.
"""

import sqlalchemy as sa
from alembic import op

# Alembic reads these two; branch_labels and depends_on are left out (none).
revision, down_revision = "0009", "0008"


def upgrade() -> None:
    # Plain ADD COLUMNs: a batch rebuild would drop SQLite's AUTOINCREMENT (revision 0005).
    op.add_column("comments", sa.Column("picked", sa.Boolean(), server_default=sa.false(),
                                        nullable=False))
    op.add_column("comments", sa.Column("pick_note", sa.String(length=500), nullable=True))
    op.add_column("comments", sa.Column("kind", sa.String(length=12),
                                        server_default=sa.text("'comment'"), nullable=False))
    op.add_column("comments", sa.Column("about_reference", sa.Integer(), nullable=True))
    op.add_column("comments", sa.Column("about_paragraph", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_comments_thread_id_picked"), "comments", ["thread_id", "picked"])
    for table, person in (("comment_votes", "voter"), ("comment_reports", "reporter")):
        op.create_table(
            table,
            sa.Column("comment_id", sa.Integer(), nullable=False),
            sa.Column(person, sa.String(length=64), nullable=False),
            sa.Column("ip_hash", sa.String(length=64), nullable=True),
            *([sa.Column("value", sa.SmallInteger(), nullable=False)] if table == "comment_votes"
              else [sa.Column("reason", sa.String(length=20), nullable=False)]),
            sa.Column("created", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], ondelete="CASCADE",
                                    name=op.f(f"fk_{table}_comment_id_comments")),
            sa.PrimaryKeyConstraint("comment_id", person, name=op.f(f"pk_{table}")),
        )
        op.create_index(op.f(f"ix_{table}_comment_id_ip_hash"), table, ["comment_id", "ip_hash"])


def downgrade() -> None:
    for table in ("comment_reports", "comment_votes"):
        op.drop_index(op.f(f"ix_{table}_comment_id_ip_hash"), table_name=table)
        op.drop_table(table)
    op.drop_index(op.f("ix_comments_thread_id_picked"), table_name="comments")
    with op.batch_alter_table("comments") as batch:
        for column in ("about_paragraph", "about_reference", "kind", "pick_note", "picked"):
            batch.drop_column(column)
