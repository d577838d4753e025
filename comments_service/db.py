"""The app's database: one engine per app, one connection per request (opened on first use,
closed at teardown, which rolls back anything the view did not commit), the thread-version read
of every thread GET on connections of its own (thread_state), and `init-db`."""

import click
from flask import Flask, current_app, g, request
from flask.cli import with_appcontext
from sqlalchemy import Connection, Engine

from .core.storage import database
from .core.storage.threads import StateReader, ThreadState

_EXTENSION = "comments_engine"
_STATE_READER = "comments_thread_states"
_WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


def init_app(app: Flask) -> None:
    engine = database.engine_from_url(app.config["DATABASE_URL"])
    app.extensions[_EXTENSION] = engine
    app.extensions[_STATE_READER] = StateReader(engine)
    if app.config["AUTO_MIGRATE"]:
        database.upgrade_schema(engine)
    app.teardown_appcontext(_close_connection)
    app.cli.add_command(init_db_command)


def engine() -> Engine:
    return current_app.extensions[_EXTENSION]


def close_connections(app) -> None:
    """Close every pooled connection of `app` (no-op for an app that is not ours): called in
    gunicorn's master before it forks workers, so none inherits a connection."""
    engine_ = getattr(app, "extensions", {}).get(_EXTENSION)
    if engine_ is not None:
        engine_.dispose()


def connection() -> Connection:
    """This request's connection; a write request's transactions take the write lock at once."""
    if "db_connection" not in g:
        g.db_connection = database.connect(engine(), write=request.method in _WRITE_METHODS)
    return g.db_connection


def thread_state(slug: str) -> ThreadState:
    """The thread's id, version and lock, read outside the request's connection: a GET that the
    page cache answers never opens one (threads.StateReader)."""
    return current_app.extensions[_STATE_READER].state(slug)


def release() -> None:
    """Give this request's connection back now (what it did not commit is rolled back), not at
    teardown: on SQLite a write request's turn as the writer ends with it, so a view calls this
    once it has committed, and the other writers need not wait while it builds its response.
    A later `connection()` in the same request opens a new one."""
    _close_connection()


def _close_connection(_exc: BaseException | None = None) -> None:
    conn = g.pop("db_connection", None)
    if conn is not None:
        conn.close()


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema (alembic upgrade head)."""
    database.upgrade_schema(engine())
    click.echo(f"Database schema is up to date: {engine().url.render_as_string(hide_password=True)}")
