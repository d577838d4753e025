"""Queries of the `threads` table: a thread's id, version and moderator lock. A thread's row is
made by its first comment; its existence, URL, title and open/closed state come from the build's
manifest (core/manifest.py). The version is bumped by every write to the thread or its comments,
and the API's ETags and page cache name it."""

from typing import NamedTuple

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.exc import IntegrityError

from .tables import comments, threads


class ThreadState(NamedTuple):
    """A thread's row: `id` and `version` are 0 for a thread nobody has commented on yet."""

    id: int
    version: int
    locked: bool


_THREAD_STATE = select(threads.c.id, threads.c.version, threads.c.locked).where(
    threads.c.slug == bindparam("slug"))


def thread_state(conn: Connection, slug: str) -> ThreadState:
    """The thread's id, version and lock, by its unique slug (one index lookup)."""
    row = conn.execute(_THREAD_STATE, {"slug": slug}).first()
    return ThreadState(id=row.id, version=row.version, locked=bool(row.locked)) if row else ThreadState(0, 0, False)


def thread_is_locked(conn: Connection, slug: str) -> bool:
    return thread_state(conn, slug).locked


def set_thread_locked(conn: Connection, slug: str, locked: bool) -> None:
    thread_id = changed_thread_id(conn, slug)
    conn.execute(update(threads).where(threads.c.id == thread_id).values(locked=locked))


def bump_thread_of(conn: Connection, comment_id: int) -> None:
    """Mark the thread of `comment_id` changed."""
    thread_of_comment = select(comments.c.thread_id).where(comments.c.id == comment_id).scalar_subquery()
    conn.execute(update(threads).where(threads.c.id == thread_of_comment)
                 .values(version=threads.c.version + 1))


def changed_thread_id(conn: Connection, slug: str) -> int:
    """Mark the thread `slug` changed (its version bumped) and return its id, creating its row
    on first use (two first comments racing on PostgreSQL: the loser's insert fails on the
    unique slug and it bumps the winner's row)."""
    found = conn.execute(_BUMP_BY_SLUG, {"bumped_slug": slug}).scalar()
    if found is not None:
        return found
    try:
        with conn.begin_nested():
            return conn.execute(threads.insert().values(slug=slug, version=1)
                                .returning(threads.c.id)).scalar_one()
    except IntegrityError:
        return conn.execute(_BUMP_BY_SLUG, {"bumped_slug": slug}).scalar_one()


#: changed_thread_id's bump, built once (every POST runs it inside the writer's turn).
_BUMP_BY_SLUG = (update(threads).where(threads.c.slug == bindparam("bumped_slug"))
                 .values(version=threads.c.version + 1).returning(threads.c.id))
