"""Revision 0011, after 0010 (2026-11-30): each comment's public JSON, stored.

`comments.public_json` holds the comment's public view as JSON text (core.comment.public_view's
JSON), kept right by triggers on the comments table on both backends (core/storage/public_json.py
says why triggers), so a thread page on a page-cache miss reads and concatenates stored texts
instead of building one JSON object per row. Existing rows are filled here.

The triggers are compiled from public_json.py as it is when this migration runs: a later change
of the public shape comes with a migration of its own that re-creates them and fills the column
again (public_json.py's contract).
"""

import sqlalchemy as sa
from alembic import op

from comments_service.core.storage import public_json

# Alembic reads these two; branch_labels and depends_on are left out (none).
revision, down_revision = "0011", "0010"


def upgrade() -> None:
    # A plain ADD COLUMN: a batch rebuild would drop SQLite's AUTOINCREMENT (revision 0005).
    op.add_column("comments", sa.Column("public_json", sa.Text(), nullable=True))
    conn = op.get_bind()
    public_json.create_triggers(conn)
    public_json.backfill(conn)


def downgrade() -> None:
    conn = op.get_bind()
    public_json.drop_triggers(conn)
    with op.batch_alter_table("comments", recreate="never") as batch:
        batch.drop_column("public_json")
