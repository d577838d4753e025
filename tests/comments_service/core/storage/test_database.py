"""Engines, connections and migrations (core/storage/database.py), on SQLite and PostgreSQL."""

import sqlite3

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import select

from comments_service.core.storage import database
from tests.comments_service.conftest import postgres_schema_url


def test_upgrade_schema_is_idempotent(engine):
    database.upgrade_schema(engine)
    assert database.schema_exists(engine)


@pytest.mark.postgres
def test_reads_on_postgresql_send_no_begin():
    """A read connection runs in autocommit on PostgreSQL (no BEGIN/ROLLBACK round trips);
    writes keep their transaction."""
    with postgres_schema_url() as url:
        engine = database.engine_from_url(url)
        try:
            with database.connect(engine) as conn:
                assert conn.execute(select(1)).scalar_one() == 1
                assert conn.connection.dbapi_connection.info.transaction_status == TransactionStatus.IDLE
            with database.connect(engine, write=True) as conn:
                conn.execute(select(1))
                assert conn.connection.dbapi_connection.info.transaction_status == TransactionStatus.INTRANS
        finally:
            engine.dispose()


class BusyThenFine:
    """A DBAPI connection whose first `busy` journal-mode switches are refused as SQLite refuses
    the loser of two processes switching a new file at once."""

    def __init__(self, busy: int, message: str = "database is locked"):
        self.busy, self.message, self.calls = busy, message, 0

    def execute(self, statement: str):
        self.calls += 1
        if self.calls <= self.busy:
            raise sqlite3.OperationalError(self.message)


def test_wal_switch_retries_while_another_process_switches():
    connection = BusyThenFine(busy=3)
    database.enable_wal(connection)
    assert connection.calls == 4


def test_wal_switch_gives_up_and_other_errors_are_raised_at_once():
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        database.enable_wal(BusyThenFine(busy=10**6))
    unreadable = BusyThenFine(busy=1, message="file is not a database")
    with pytest.raises(sqlite3.OperationalError, match="not a database"):
        database.enable_wal(unreadable)
    assert unreadable.calls == 1


def test_the_autoincrement_rebuild_keeps_every_row_and_every_subscription(tmp_path):
    """Migration 0005 rebuilds the comments table on SQLite: rows, replies and reply subscriptions
    (whose foreign key cascades on delete) all survive, and foreign keys are on again after."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = database.engine_from_url(url)
    config = Config(str(database.ALEMBIC_INI))
    try:
        with database.connect(engine, write=True) as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0004")
            conn.exec_driver_sql("INSERT INTO threads (id, slug, locked, version) VALUES (1, 's', 0, 1)")
            for comment_id, parent in ((1, None), (2, 1), (3, None)):
                conn.execute(text(
                    "INSERT INTO comments (id, thread_id, parent_id, state, deleted, author, text, html, "
                    "created) VALUES (:id, 1, :parent, 'approved', 0, 'Ann', 't', '<p>t</p>', "
                    "'2026-01-01 00:00:00')"), {"id": comment_id, "parent": parent})
            conn.exec_driver_sql("INSERT INTO reply_subscriptions (comment_id, email, confirmed, created) "
                                 "VALUES (1, 'ann@example.org', 1, '2026-01-01 00:00:00')")
            conn.exec_driver_sql("DELETE FROM comments WHERE id = 3")  # the last id, to be reused
            conn.commit()
        database.upgrade_schema(engine)
        with database.connect(engine) as conn:
            assert conn.exec_driver_sql("SELECT id, parent_id FROM comments ORDER BY id").all() == [(1, None), (2, 1)]
            assert conn.exec_driver_sql("SELECT count(*) FROM reply_subscriptions").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert "AUTOINCREMENT" in conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'comments'").scalar()
    finally:
        engine.dispose()


def test_the_migrations_build_exactly_the_tables_of_tables_py(engine):
    """A column added to tables.py without a migration (or the reverse) would pass every test on
    a fresh database and fail on every deployed one."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from comments_service.core.storage.tables import metadata

    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
