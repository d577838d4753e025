"""Queries of the `imported_comments` table: which comments of a source were imported, and what
they became. No Flask. Functions run in the caller's transaction; the caller commits.

The importers (comments_service/importers/) read `imported_ids` before writing, so a comment
already imported is never imported twice, and a new reply to it is attached to the comment it
became. A comment deleted here keeps its row with comment_id NULL (the foreign key's ON DELETE
SET NULL): it stays "already imported" and is not brought back.
"""

from collections.abc import Iterable

from sqlalchemy import Connection, select

from .tables import imported_comments


def imported_ids(conn: Connection, source: str) -> dict[str, int | None]:
    """Every comment id of `source` imported so far -> the comment it became (None once it was
    deleted here)."""
    query = select(imported_comments.c.source_id, imported_comments.c.comment_id).where(
        imported_comments.c.source == source)
    return {row.source_id: row.comment_id for row in conn.execute(query)}


def remember_imported(conn: Connection, source: str, pairs: Iterable[tuple[str, int | None]]) -> None:
    """Record that the source ids of `pairs` became those comment ids (None: not kept, e.g. a
    deleted comment nobody answered)."""
    rows = [{"source": source, "source_id": source_id, "comment_id": comment_id}
            for source_id, comment_id in pairs]
    if rows:
        conn.execute(imported_comments.insert(), rows)
