"""Queries of the `threads` table: a thread's id, version and moderator lock. A thread's row is
made by its first comment; its existence, URL, title and open/closed state come from the build's
manifest (core/manifest.py). The version is bumped by every write to the thread or its comments,
and the API's ETags and page cache name it (StateReader: the read every thread GET makes)."""

import os
from collections import deque
from typing import NamedTuple

from sqlalchemy import Connection, Engine, bindparam, event, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.pool import SingletonThreadPool, StaticPool

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


class StateReader:
    """thread_state for the API's hot read (every GET of a thread, page-cache hit or not), on
    DBAPI connections of its own, in autocommit, outside the engine's pool.

    Through SQLAlchemy the read cost a pool checkout, BEGIN, the SELECT and a ROLLBACK (~0.2 ms,
    half of a cached GET): here it is the SELECT alone, compiled once from the same statement
    (_THREAD_STATE), on SQLite a cached sqlite3 statement, on PostgreSQL a prepared one. Each
    statement runs in its own transaction, so it sees every write committed before it (a version
    is never older than the write the reader saw acknowledged).

    The connections are a free list (a deque: append and pop are atomic), last used first out:
    there are as many as reads were ever in flight at once in this process, a few (each read is
    one round trip), never more than its request threads, which matters for PostgreSQL's
    max_connections. They are made by the engine (its connect events: SQLite's pragmas) and
    detached from its pool, so they never take the place of a request's connection; the engine's
    dispose() closes them (gunicorn's master does before forking; a forked child never touches
    its parent's). A failed statement drops its connection: one that had worked before is
    replaced and the read retried once (a restarted PostgreSQL, which the pool's pre-ping would
    have hidden), else the error is raised as SQLAlchemy's (OperationalError: the app's 503)."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._sql = str(_THREAD_STATE.compile(dialect=engine.dialect))
        self._positional = engine.dialect.positional
        self._postgres = engine.dialect.name == "postgresql"
        self._error = engine.dialect.loaded_dbapi.Error
        self._free: deque = deque()  # (connection, cursor, generation) of this process, not in use
        self._pid, self._generation = os.getpid(), 0
        # An in-memory SQLite database lives in its pool's connection(s): no connection of ours
        # would see it, so it is read through the pool, as before.
        self._through_pool = isinstance(engine.pool, (SingletonThreadPool, StaticPool))
        event.listen(engine, "engine_disposed", lambda _engine: self.close())

    def state(self, slug: str) -> ThreadState:
        """The thread's id, version and lock, as thread_state reads them."""
        if self._through_pool:
            with self._engine.connect() as conn:
                return thread_state(conn, slug)
        params = (slug,) if self._positional else {"slug": slug}
        if self._pid != os.getpid():
            self._forked()
        try:
            opened, reused = self._free.pop(), True
        except IndexError:
            opened, reused = None, False
        try:
            opened = opened or self._connect()
            rows = self._run(opened, params)
        except self._error as error:
            self._close(opened)
            if not reused:
                raise DBAPIError.instance(self._sql, params, error, self._error) from error
            try:  # a connection that worked before: once more on a new one
                opened = self._connect()
                rows = self._run(opened, params)
            except self._error as again:
                self._close(opened)
                raise DBAPIError.instance(self._sql, params, again, self._error) from again
        if opened[2] == self._generation:
            self._free.append(opened)
        else:  # close() ran while it was in use
            self._close(opened)
        if not rows:
            return ThreadState(0, 0, False)
        thread_id, version, locked = rows[0]
        return ThreadState(id=thread_id, version=version, locked=bool(locked))

    def _run(self, opened: tuple, params) -> list:
        cursor = opened[1]
        if self._postgres:
            cursor.execute(self._sql, params, prepare=True)
        else:
            cursor.execute(self._sql, params)
        return cursor.fetchall()  # all (one row at most): a sqlite3 statement left open would pin a snapshot

    def _connect(self) -> tuple:
        fairy = self._engine.raw_connection()
        fairy.detach()  # ours until close(): outside the pool's count and its resets
        connection = fairy.dbapi_connection
        if self._postgres:
            connection.autocommit = True
        return connection, connection.cursor(), self._generation

    def _close(self, opened: tuple | None) -> None:
        if opened is None:
            return
        try:
            opened[0].close()
        except self._error:
            pass  # already broken: nothing to close cleanly

    def _forked(self) -> None:
        """In a child forked with connections of its parent: keep them from being used, and
        from being closed or collected (that would end the parent's conversations)."""
        _INHERITED.extend(self._free)
        self._free, self._pid = deque(), os.getpid()

    def close(self) -> None:
        """Close every connection (the engine's dispose() calls it): those in use once their
        read is done. The next read opens a new one."""
        if self._pid != os.getpid():
            self._forked()
        self._generation += 1
        while True:
            try:
                self._close(self._free.pop())
            except IndexError:
                return


#: Connections a forked process inherited (StateReader._forked): never used, never closed here.
_INHERITED: list = []


#: changed_thread_id's bump, built once (every POST runs it inside the writer's turn).
_BUMP_BY_SLUG = (update(threads).where(threads.c.slug == bindparam("bumped_slug"))
                 .values(version=threads.c.version + 1).returning(threads.c.id))
