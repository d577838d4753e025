"""Staging: what a reader yields, held in a scratch SQLite file (not in memory) while the whole
source is checked, then handed out in the order it is to be written.

Contract: `Staging(directory, ip_salt=..., strict=..., imported=...)`; `add(item)` for every item
a reader yields, `finish()` once the source is read, then `rows()`, `slugs()` and the counts.
- strict: the first Invalid item (or a problem found by finish: an id used twice, a parent not in
  the source or in another thread, a loop, a thread that names no article) raises SourceRejected
  naming it. Otherwise it is listed in `invalid` and left out; its replies become top-level.
- imported: the source ids imported before -> the comment each became (None when deleted here).
  Those comments are not imported again; a new reply to one is attached to it (top-level when it
  was deleted here).
- rows() yields Staged comments in the order they are written: by the time they were posted,
  every reply after its parent, numbered 1, 2, 3...; deleted comments nobody answered are
  dropped (counted in `skipped`), and so are comments of threads deleted in the source.
Memory holds the threads and a few bytes per comment (positions, flags); every comment's
values stay on disk.
"""

import json
import sqlite3
from array import array
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from .common import stored_values, thread_slug
from .items import Foreign, Invalid, Skipped, SourceRejected, Thread
from .ordering import order

_SCHEMA = """
CREATE TABLE items (pos INTEGER PRIMARY KEY, key TEXT NOT NULL, name TEXT NOT NULL,
    thread TEXT NOT NULL, parent TEXT, created REAL NOT NULL, deleted INTEGER NOT NULL,
    subscribed INTEGER NOT NULL, row TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'new',
    number INTEGER);
-- the parent of each new reply: a new comment (its position) or one imported before (its id)
CREATE TABLE links (pos INTEGER PRIMARY KEY, parent_pos INTEGER, parent_id INTEGER);
CREATE INDEX items_key ON items (key);
CREATE TABLE gone (key TEXT PRIMARY KEY) WITHOUT ROWID;  -- skipped or invalid: replies go top-level
CREATE TABLE imported (key TEXT PRIMARY KEY, comment_id INTEGER) WITHOUT ROWID;
CREATE TABLE invalid (pos INTEGER PRIMARY KEY, name TEXT NOT NULL, problem TEXT NOT NULL);
"""
_BATCH = 5000


class Staged(NamedTuple):
    """One comment to write: its number (ids are given in this order), its parent's number or
    the id of the comment it answers in the database, its thread's slug, its stored values."""

    key: str
    name: str
    number: int
    parent_number: int | None
    parent_id: int | None
    slug: str
    subscribed: bool
    values: dict[str, Any]


class Staging:
    """See the module's contract."""

    def __init__(self, directory: Path, *, ip_salt: str, strict: bool,
                 imported: Mapping[str, int | None]):
        self._db = sqlite3.connect(directory / "staging.sqlite3", isolation_level=None)
        self._db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        self._db.execute("BEGIN")
        self._db.executemany("INSERT INTO imported VALUES (?, ?)", imported.items())
        self._ip_salt, self._strict = ip_salt, strict
        self.threads: dict[str, Thread] = {}
        self._slugs: dict[str, str] = {}  # thread ref -> slug, once finish() resolved them
        self.skipped: Counter[str] = Counter()  # reason -> comments left out on purpose
        self.read = 0  # comments the source holds (imported, skipped or invalid)
        self.already_imported = 0
        self.replies_to_deleted = 0  # replies to comments deleted here, now top-level

    # Reading ----------------------------------------------------------------------------------

    def add(self, item: Thread | Foreign | Skipped | Invalid) -> None:
        if isinstance(item, Thread):
            self.threads.setdefault(item.ref, item)
        elif isinstance(item, Skipped):
            self.read += 1
            self.skipped[item.reason] += 1
            self._db.execute("INSERT OR IGNORE INTO gone VALUES (?)", (item.key,))
        elif isinstance(item, Invalid):
            self.read += 1
            self._invalid(item.key, item.name, item.problem)
        else:
            self.read += 1
            self._add_comment(item)

    def _add_comment(self, comment: Foreign) -> None:
        try:
            values = stored_values(comment, self._ip_salt)
        except SourceRejected as problem:
            self._invalid(comment.key, comment.name, str(problem))
            return
        self._db.execute(
            "INSERT INTO items (key, name, thread, parent, created, deleted, subscribed, row) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (comment.key, comment.name, comment.thread, comment.parent,
             comment.created.timestamp(), comment.deleted, comment.subscribed,
             json.dumps(values, default=datetime.isoformat, ensure_ascii=False)))

    def _invalid(self, key: str | None, name: str, problem: str) -> None:
        if self._strict:
            raise SourceRejected(f"{name}: {problem}")
        self._db.execute("INSERT INTO invalid (name, problem) VALUES (?, ?)", (name, problem))
        if key is not None:
            self._db.execute("INSERT OR IGNORE INTO gone VALUES (?)", (key,))

    def _invalidate(self, pos: int, key: str, name: str, problem: str) -> None:
        self._invalid(key, name, problem)
        self._db.execute("UPDATE items SET status = 'invalid' WHERE pos = ?", (pos,))

    # Checking ---------------------------------------------------------------------------------

    def finish(self) -> None:
        """Check the whole source and fix the order (see the module's contract)."""
        self._resolve_threads()
        self._refuse_duplicates()
        self._db.execute("UPDATE items SET status = 'imported' WHERE status = 'new' "
                         "AND key IN (SELECT key FROM imported)")
        self.already_imported = self._count("status = 'imported'")
        self._attach_replies()
        self._skip_lonely_deleted(order(self._db, self._invalidate))
        self._db.execute("COMMIT")

    def _count(self, condition: str) -> int:
        return self._db.execute(f"SELECT count(*) FROM items WHERE {condition}").fetchone()[0]

    def _resolve_threads(self) -> None:
        refs = [ref for (ref,) in self._db.execute("SELECT DISTINCT thread FROM items")]
        for ref in refs:
            thread = self.threads.get(ref)
            problem = None if thread is not None else f"its thread {ref} is not in the file"
            if thread is not None and thread.deleted:
                self.skipped[f"on a thread deleted in the source ({thread.name})"] += \
                    self._count_thread(ref)
                self._db.execute("UPDATE items SET status = 'skipped' WHERE thread = ?", (ref,))
                self._db.execute("INSERT OR IGNORE INTO gone SELECT key FROM items WHERE thread = ?",
                                 (ref,))
                continue
            if thread is not None:
                try:
                    self._slugs[ref] = thread_slug(thread)
                    continue
                except SourceRejected as rejected:
                    if self._strict:
                        raise SourceRejected(f"{thread.name}: {rejected}") from None
                    problem = f"its thread, {thread.name}: {rejected}"
            for pos, key, name in self._db.execute(
                    "SELECT pos, key, name FROM items WHERE thread = ? ORDER BY pos", (ref,)).fetchall():
                self._invalidate(pos, key, name, problem)

    def _count_thread(self, ref: str) -> int:
        return self._db.execute("SELECT count(*) FROM items WHERE thread = ?", (ref,)).fetchone()[0]

    def _refuse_duplicates(self) -> None:
        duplicates = self._db.execute("""
            SELECT later.pos, later.key, later.name, first.name FROM items AS later
            JOIN items AS first ON first.key = later.key AND first.pos < later.pos
            WHERE first.pos = (SELECT min(pos) FROM items WHERE key = later.key)
            ORDER BY later.pos""").fetchall()
        for pos, key, name, first in duplicates:
            self._invalidate(pos, key, name, f"its id is also used by {first}")

    def _attach_replies(self) -> None:
        """Link every new reply to its parent: a new comment of the same thread, a comment
        imported before, or none (top-level) when the parent was skipped or is invalid. Repeated
        while a pass invalidates a comment, since that comment's replies must move too."""
        while True:
            self._db.execute("DELETE FROM links")
            invalidated = []
            replies = self._db.execute("""
                SELECT c.pos, c.key, c.name, c.parent, c.thread, p.pos, p.thread, p.status, p.name,
                       i.key IS NOT NULL, i.comment_id, g.key IS NOT NULL
                FROM items AS c
                LEFT JOIN items AS p ON p.key = c.parent AND p.status IN ('new', 'imported')
                LEFT JOIN imported AS i ON i.key = c.parent
                LEFT JOIN gone AS g ON g.key = c.parent
                WHERE c.status = 'new' AND c.parent IS NOT NULL""")
            while batch := replies.fetchmany(_BATCH):
                links = []
                for (pos, key, name, parent, thread, parent_pos, parent_thread, parent_status,
                     parent_name, was_imported, parent_id, gone) in batch:
                    if parent_status == "new":
                        ours, theirs = self._slugs[thread], self._slugs[parent_thread]
                        if ours == theirs:
                            links.append((pos, parent_pos, None))
                        else:
                            invalidated.append((pos, key, name, f"its parent, {parent_name}, "
                                                f"belongs to another thread ({theirs!r}, not {ours!r})"))
                    elif was_imported:
                        self.replies_to_deleted += parent_id is None
                        links.append((pos, None, parent_id))
                    elif not gone:
                        invalidated.append((pos, key, name, f"its parent {parent} is not in the source"))
                # a table the scan does not read: writing it while the scan runs is safe
                self._db.executemany("INSERT INTO links VALUES (?, ?, ?)", links)
            if not invalidated:
                return
            self.replies_to_deleted = 0
            for problem in invalidated:
                self._invalidate(*problem)

    def _skip_lonely_deleted(self, ranked: array) -> None:
        """Number the comments in `ranked` order (positions), leaving out deleted comments whose
        replies are all gone (as core/storage/comments.delete_comment does)."""
        size = max(ranked, default=0) + 1
        parent_of = array("q", bytes(8 * size))  # by position; 0: none (positions start at 1)
        deleted, answered = bytearray(size), bytearray(size)
        for pos, parent, is_deleted in self._db.execute(
                "SELECT pos, parent_pos, deleted FROM items LEFT JOIN links USING (pos) "
                "WHERE status = 'new'"):
            parent_of[pos], deleted[pos] = parent or 0, is_deleted
        dropped = bytearray(size)
        for pos in reversed(ranked):  # replies before their parents
            if deleted[pos] and not answered[pos]:
                dropped[pos] = 1
            elif parent_of[pos]:
                answered[parent_of[pos]] = 1
        if count := dropped.count(1):
            self.skipped["deleted, without replies"] += count
            self._db.executemany("UPDATE items SET status = 'dropped' WHERE pos = ?",
                                 ((pos,) for pos in ranked if dropped[pos]))
        kept = (pos for pos in ranked if not dropped[pos])
        self._db.executemany("UPDATE items SET number = ? WHERE pos = ?",
                             ((number, pos) for number, pos in enumerate(kept, 1)))

    # Results ----------------------------------------------------------------------------------

    @property
    def invalid(self) -> list[tuple[str, str]]:
        """(name, problem) of every item left out as invalid, in file order."""
        return self._db.execute("SELECT name, problem FROM invalid ORDER BY pos").fetchall()

    @property
    def to_import(self) -> int:
        return self._count("number IS NOT NULL")

    def slugs(self) -> list[str]:
        """The slugs of the threads that get new comments."""
        refs = self._db.execute("SELECT DISTINCT thread FROM items WHERE number IS NOT NULL")
        return sorted({self._slugs[ref] for (ref,) in refs})

    def rows(self) -> Iterator[Staged]:
        query = self._db.execute("""
            SELECT c.key, c.name, c.number, p.number, l.parent_id, c.thread, c.subscribed, c.row
            FROM items AS c LEFT JOIN links AS l ON l.pos = c.pos
            LEFT JOIN items AS p ON p.pos = l.parent_pos
            WHERE c.number IS NOT NULL ORDER BY c.number""")
        for key, name, number, parent_number, parent_id, thread, subscribed, row in query:
            values = json.loads(row)
            for field in ("created", "edited"):
                if values[field] is not None:
                    values[field] = datetime.fromisoformat(values[field])
            yield Staged(key, name, number, parent_number, parent_id, self._slugs[thread],
                         bool(subscribed), values)

    def close(self) -> None:
        self._db.close()
