"""Comment ids are never reused: AUTOINCREMENT on SQLite (PostgreSQL sequences never reuse).

Without it SQLite gives the id of a deleted last row to the next comment, so that comment
inherited the deleted one's anchors, feed entry id and (until edit tokens named the creation
stamp too) its edit token. The table is rebuilt with its rows, indexes and keys; ids deleted
before this migration above the highest kept one cannot be known and may still come back once.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _rebuild_comments(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("comments", recreate="always",
                              table_kwargs={"sqlite_autoincrement": autoincrement}):
        pass
    broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"rebuilding the comments table broke foreign keys: {broken[:5]}")


def upgrade() -> None:
    _rebuild_comments(autoincrement=True)


def downgrade() -> None:
    _rebuild_comments(autoincrement=False)
