"""The Isso reader: every comment of an Isso SQLite database (the schema of Isso 0.12 to 0.14).

Contract: `read(path, on_read)` opens the database read-only (the source is never changed),
checks that the tables and columns it reads exist, then yields every thread as a Thread and
every comment as a Foreign in id order, streaming the rows; `on_read` is told the file's size
once it is open. Isso stores Markdown: it is kept as the text and rendered with our renderer,
whose line breaks and fenced code blocks match Isso's. Isso stores author, email and website
HTML-escaped (`Tom &amp; Jerry`): they are unescaped, or pages would show the entities. Votes
(likes, dislikes) are carried; `notification = 1` (mail me replies) becomes a subscription.
A comment that cannot be read (an unknown mode, a time that is not a Unix time, a thread missing
from `threads`) is an Invalid naming it.
"""

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import Any

from ..core.comment import APPROVED, PENDING
from ..core.render import render
from .items import Foreign, Invalid, SourceRejected, Thread

DESCRIPTION = "an Isso database"

#: What is read of Isso's SQLite schema (isso/db/threads.py and comments.py).
_COLUMNS = {
    "threads": {"id", "uri"},
    "comments": {"tid", "id", "parent", "created", "modified", "mode", "remote_addr", "text",
                 "author", "email", "website"},
}
#: Read when present (every Isso since 0.10 has them), else taken as 0.
_OPTIONAL = ("likes", "dislikes", "notification")
#: Isso's `mode`: 1 published, 2 waiting for moderation, 4 deleted (kept because it had replies).
_MODES = {1: (APPROVED, False), 2: (PENDING, False), 4: (APPROVED, True)}
_QUERY = """
    SELECT c.id, c.parent, c.tid, t.id IS NOT NULL, c.created, c.modified, c.mode, c.remote_addr,
           c.text, c.author, c.email, c.website, {optional}
    FROM comments AS c LEFT JOIN threads AS t ON t.id = c.tid
    ORDER BY c.id"""


def read(path: Path, on_read: Callable[[int], None]) -> Iterator[Thread | Foreign | Invalid]:
    """Every thread and comment of an Isso database (opened read-only)."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as isso:
            optional = _check_schema(isso, path)
            on_read(path.stat().st_size)
            for thread_id, uri in isso.execute("SELECT id, uri FROM threads ORDER BY id"):
                yield Thread(ref=str(thread_id), name=f"Isso thread {thread_id} ({uri!r})", url=uri)
            columns = ", ".join(f"c.{column}" if column in optional else "0" for column in _OPTIONAL)
            for row in isso.execute(_QUERY.format(optional=columns)):
                yield _comment(row)
    except sqlite3.DatabaseError as problem:
        raise SourceRejected(f"{path.name} is not a readable Isso database: {problem}") from None


def _check_schema(isso: sqlite3.Connection, path: Path) -> set[str]:
    """The optional columns the `comments` table has; SourceRejected when a needed one lacks."""
    found = {}
    for table, needed in _COLUMNS.items():
        found[table] = {row[1] for row in isso.execute(f"PRAGMA table_info({table})")}
        if not found[table]:
            raise SourceRejected(f"{path.name} has no `{table}` table: is it an Isso database?")
        if missing := needed - found[table]:
            raise SourceRejected(f"{path.name}: the `{table}` table lacks the column(s) "
                                 f"{', '.join(sorted(missing))}: is it an Isso database?")
    return found["comments"] & set(_OPTIONAL)


def _comment(row: tuple) -> Foreign | Invalid:
    (key, parent, thread_id, thread_known, created, modified, mode, address, text, author, email,
     website, likes, dislikes, notification) = row
    name = f"Isso comment {key}"
    try:
        if not thread_known:
            raise SourceRejected(f"its thread {thread_id} is not in the `threads` table")
        if mode not in _MODES:
            raise SourceRejected(f"unknown mode {mode!r} (Isso uses 1, 2 and 4)")
        if not isinstance(text, str | None):
            raise SourceRejected(f"its text is stored as {type(text).__name__}, not as text")
        state, deleted = _MODES[mode]
        text = text or ""
        return Foreign(key=str(key), name=name, thread=str(thread_id),
                       parent=None if parent is None else str(parent), state=state,
                       deleted=deleted, author=_unescaped(author), email=_unescaped(email),
                       website=_unescaped(website), text=text, html=render(text), ip=address,
                       created=_time(created, "created"),
                       edited=None if modified is None else _time(modified, "modified"),
                       likes=_count(likes), dislikes=_count(dislikes),
                       subscribed=notification == 1)
    except SourceRejected as problem:
        return Invalid(str(key), name, str(problem))


def _unescaped(value: Any) -> str | None:
    """Isso escapes these fields with html.escape when a comment is posted."""
    return unescape(value) if isinstance(value, str) else None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and value > 0 else 0


def _time(seconds: Any, field: str) -> datetime:
    """Isso stores Unix times as floats."""
    try:
        return datetime.fromtimestamp(float(seconds), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise SourceRejected(f"{field} {seconds!r} is not a Unix time") from None
