"""Fixtures of the storage tests that need two real connections at once (PostgreSQL)."""

import threading

import pytest
from sqlalchemy import text

from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from tests.comments_service.conftest import postgres_schema_url


@pytest.fixture
def postgres_engine():
    """An engine on a migrated, empty PostgreSQL schema (SQLite has one writer at a time: races
    between transactions only exist here)."""
    with postgres_schema_url() as url:
        engine = database.engine_from_url(url)
        database.upgrade_schema(engine)
        yield engine
        engine.dispose()


def wait_until_blocked(engine, finished: threading.Event) -> None:
    """Return once a connection to this database waits for a lock (or the other thread has
    `finished`, which the test then finds wrong)."""
    with engine.connect() as watcher:
        watcher.execution_options(isolation_level="AUTOCOMMIT")
        for _ in range(4000):
            if finished.is_set() or watcher.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar():
                return
            finished.wait(0.005)
    raise AssertionError("the second transaction never waited for the first")


def add_comment(engine) -> int:
    """A published comment on first-article; its id."""
    with database.connect(engine, write=True) as conn:
        row = stored.create_comment(conn, slug="first-article", parent=None, author="Ann", email=None,
                                    website=None, text="Hello", html="<p>Hello</p>", ip_hash=None,
                                    state="approved")
        conn.commit()
    return row.id
