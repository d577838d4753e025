"""Writing a checked export document into the database.

Contract (no Flask, no click): write_import(conn, checked, on_progress) inserts the threads,
comments and records (records.py: moderation log, import keys...) of a CheckedImport
(document.py), keeping their ids, inside the caller's transaction, which must hold the write
lock (`connect(engine, write=True)`) so that nothing is posted while it runs. It refuses, with
ImportRejected, a database that already holds anything in any table it writes (kept ids and
keys could collide), and turns a row the database refuses into ImportRejected naming its batch;
the caller's transaction then rolls everything back. Afterwards the next comment, log entry...
gets an id above every imported one, on PostgreSQL as on SQLite (whose AUTOINCREMENT counter
in sqlite_sequence follows explicit ids by itself).
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.exc import SQLAlchemyError

from ..core.storage.ids import advance_ids, lock_tables
from ..core.storage.tables import comments, threads
from .document import CheckedImport, ImportRejected
from .records import SECTIONS

_CHUNK_SIZE = 500  # rows per INSERT batch (and per progress bar step for comments)
#: Every table an import writes, and how a count of its rows reads in messages.
_WRITTEN: dict[Table, Callable[[int], str]] = {
    threads: "{} threads".format, comments: "{} comments".format,
    **{section.table: section.counted for section in SECTIONS}}
#: The tables whose ids the import keeps (threads get new ones: the document names them by slug).
_KEPT_IDS = (comments, *(section.table for section in SECTIONS if section.explicit_ids))


def write_import(conn: Connection, checked: CheckedImport,
                 on_progress: Callable[[int], None] = lambda done: None) -> None:
    """Insert a checked document into the empty database behind `conn`, inside the caller's
    transaction (which must take the write lock: `connect(engine, write=True)`).
    `on_progress(n)` is told each time n more comments are stored."""
    lock_tables(conn, *_WRITTEN)
    _require_empty(conn)
    thread_ids = {}
    for thread in checked.threads:
        thread_ids[thread["slug"]] = conn.execute(
            threads.insert().values(slug=thread["slug"], locked=thread["locked"])
            .returning(threads.c.id)).scalar_one()
    for start in range(0, len(checked.comments), _CHUNK_SIZE):
        chunk = checked.comments[start:start + _CHUNK_SIZE]
        _insert(conn, comments, [_with_thread_id(row, thread_ids) for row in chunk])
        on_progress(len(chunk))
    for section in SECTIONS:
        rows = checked.records[section.key]
        for start in range(0, len(rows), _CHUNK_SIZE):
            _insert(conn, section.table, rows[start:start + _CHUNK_SIZE], section.many)
    advance_ids(conn, *_KEPT_IDS)


def _require_empty(conn: Connection) -> None:
    held = {table: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in _WRITTEN}
    if any(held.values()):
        # Threads and comments are always named, the other tables when they hold rows.
        named = [_WRITTEN[table](count) for table, count in held.items()
                 if count or table in (threads, comments)]
        listed = ", ".join(named[:-1]) + f" and {named[-1]}"
        raise ImportRejected(f"the database already holds {listed}: import only into a fresh, "
                             "empty database")


def _with_thread_id(row: dict[str, Any], thread_ids: dict[str, int]) -> dict[str, Any]:
    values = {column: value for column, value in row.items() if column != "thread"}
    values["thread_id"] = thread_ids[row["thread"]]
    return values


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]],
            what: str = "comments") -> None:
    if not rows:
        return
    try:
        conn.execute(table.insert(), rows)
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        first, last = (_primary_key(table, row) for row in (rows[0], rows[-1]))
        raise ImportRejected(f"{what} with {'ids' if 'id' in rows[0] else 'keys'} {first}–{last} "
                             f"could not be stored: {cause}") from error


def _primary_key(table: Table, row: dict[str, Any]) -> str:
    values = [row[column.name] for column in table.primary_key]
    return str(values[0]) if len(values) == 1 else repr(tuple(values))


