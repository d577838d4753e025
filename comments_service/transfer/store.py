"""Writing a checked export document into the database.

Contract (no Flask, no click): write_import(conn, checked, on_progress) inserts the threads and
comments of a CheckedImport (document.py), keeping their ids, inside the caller's transaction,
which must hold the write lock (`connect(engine, write=True)`) so that nothing is posted while
it runs. It refuses, with ImportRejected, a database that already holds threads or comments
(kept ids could collide), and turns a row the database refuses into ImportRejected naming the
ids of its batch; the caller's transaction then rolls everything back. Afterwards the next
posted comment gets an id above every imported one, on PostgreSQL as on SQLite.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from ..core.storage.tables import comments, threads
from .document import CheckedImport, ImportRejected

_CHUNK_SIZE = 500  # comments per INSERT batch (and per progress bar step)


def write_import(conn: Connection, checked: CheckedImport,
                 on_progress: Callable[[int], None] = lambda done: None) -> None:
    """Insert a checked document into the empty database behind `conn`, inside the caller's
    transaction (which must take the write lock: `connect(engine, write=True)`).
    `on_progress(n)` is told each time n more comments are stored."""
    _lock_tables(conn)
    _require_empty(conn)
    thread_ids = {}
    for thread in checked.threads:
        thread_ids[thread["slug"]] = conn.execute(
            threads.insert().values(slug=thread["slug"], locked=thread["locked"])
            .returning(threads.c.id)).scalar_one()
    for start in range(0, len(checked.comments), _CHUNK_SIZE):
        chunk = checked.comments[start:start + _CHUNK_SIZE]
        _insert_comments(conn, [_with_thread_id(row, thread_ids) for row in chunk])
        on_progress(len(chunk))
    _advance_comment_ids(conn)


def _lock_tables(conn: Connection) -> None:
    """PostgreSQL: no comment may be posted while the import runs (SQLite's write transaction
    already holds the database's only write lock)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"LOCK TABLE {threads.name}, {comments.name} IN EXCLUSIVE MODE"))


def _require_empty(conn: Connection) -> None:
    thread_count = conn.execute(select(func.count()).select_from(threads)).scalar_one()
    comment_count = conn.execute(select(func.count()).select_from(comments)).scalar_one()
    if thread_count or comment_count:
        raise ImportRejected(f"the database already holds {thread_count} threads and "
                             f"{comment_count} comments: import only into a fresh, empty database")


def _with_thread_id(row: dict[str, Any], thread_ids: dict[str, int]) -> dict[str, Any]:
    values = {column: value for column, value in row.items() if column != "thread"}
    values["thread_id"] = thread_ids[row["thread"]]
    return values


def _insert_comments(conn: Connection, rows: list[dict[str, Any]]) -> None:
    try:
        conn.execute(comments.insert(), rows)
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        raise ImportRejected(f"comments with ids {rows[0]['id']}–{rows[-1]['id']} could not be "
                             f"stored: {cause}") from error


def _advance_comment_ids(conn: Connection) -> None:
    """PostgreSQL's id sequence does not see explicit ids: move it past the largest one so the
    next posted comment gets a fresh id (SQLite takes max(id) + 1 by itself)."""
    if conn.dialect.name == "postgresql":
        largest = select(func.max(comments.c.id)).scalar_subquery()
        conn.execute(select(func.setval(func.pg_get_serial_sequence(comments.name, "id"), largest)))
