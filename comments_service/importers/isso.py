"""The Isso reader: every comment of an Isso SQLite database (Isso 0.14's schema).

Contract: `read(path, on_read)` opens the database read-only (the source is never changed),
checks that the tables and columns it reads exist, and returns every comment as a Foreign in id
order; `on_read` is told the file's size once it is read. Isso stores Markdown: it is kept as the
text and rendered with our renderer, so the HTML follows our allow-list. Threads are named by
their `uri`, whose last segment is the article's slug. Anything unreadable or unexpected (an
unknown mode, a time that is not a Unix time, a thread missing from `threads`) raises
SourceRejected naming the comment.
"""

import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core.comment import APPROVED, PENDING
from ..core.render import render
from .common import Foreign, Read, SourceRejected, slug_of

DESCRIPTION = "an Isso database"

#: What is read of Isso's SQLite schema (Isso 0.14: isso/db/threads.py and comments.py).
_COLUMNS = {
    "threads": {"id", "uri"},
    "comments": {"tid", "id", "parent", "created", "modified", "mode", "remote_addr", "text",
                 "author", "email", "website"},
}
#: Isso's `mode`: 1 published, 2 waiting for moderation, 4 deleted (kept because it had replies).
_MODES = {1: (APPROVED, False), 2: (PENDING, False), 4: (APPROVED, True)}
_QUERY = """
    SELECT c.id, c.parent, c.tid, t.uri, c.created, c.modified, c.mode, c.remote_addr, c.text,
           c.author, c.email, c.website
    FROM comments AS c LEFT JOIN threads AS t ON t.id = c.tid
    ORDER BY c.id"""


def read(path: Path, on_read: Callable[[int], None]) -> Read:
    """Every comment of an Isso database (opened read-only)."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as isso:
            _check_schema(isso, path)
            rows = isso.execute(_QUERY).fetchall()
    except sqlite3.DatabaseError as problem:
        raise SourceRejected(f"{path.name} is not a readable Isso database: {problem}") from None
    on_read(path.stat().st_size)
    return Read([_comment(row) for row in rows], skipped={})


def _check_schema(isso: sqlite3.Connection, path: Path) -> None:
    for table, needed in _COLUMNS.items():
        found = {row[1] for row in isso.execute(f"PRAGMA table_info({table})")}
        if not found:
            raise SourceRejected(f"{path.name} has no `{table}` table: is it an Isso database?")
        if missing := needed - found:
            raise SourceRejected(f"{path.name}: the `{table}` table lacks the column(s) "
                                 f"{', '.join(sorted(missing))}: is it an Isso database?")


def _comment(row: tuple) -> Foreign:
    (key, parent, thread_id, uri, created, modified, mode, address, text, author, email,
     website) = row
    name = f"Isso comment {key}"
    if uri is None:
        raise SourceRejected(f"{name}: its thread {thread_id} is not in the `threads` table")
    if mode not in _MODES:
        raise SourceRejected(f"{name}: unknown mode {mode!r} (Isso uses 1, 2 and 4)")
    state, deleted = _MODES[mode]
    text = text or ""
    return Foreign(key=str(key), name=name, thread=slug_of(uri, f"{name}, thread {uri!r}"),
                   parent=None if parent is None else str(parent), state=state, deleted=deleted,
                   author=author, email=email, website=website, text=text, html=render(text),
                   ip=address, created=_time(created, name, "created"),
                   edited=None if modified is None else _time(modified, name, "modified"))


def _time(seconds: Any, name: str, field: str) -> datetime:
    """Isso stores Unix times as floats."""
    try:
        return datetime.fromtimestamp(float(seconds), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise SourceRejected(f"{name}: {field} {seconds!r} is not a Unix time") from None
