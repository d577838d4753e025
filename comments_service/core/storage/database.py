"""The database: engines, connections, the schema's migrations and liveness, with no Flask import.

The Pelican build reads through these (never HTTP): `engine_from_url(url)`, then the queries of
comments.py / threads.py; the web app gets its connections through comments_service/db.py.
Queries live in one module per table (comments, threads, moderation_log, subscriptions,
moderator_sessions, addresses, outbox), as Isso's `isso/db/` does; each takes a `Connection`,
runs inside the caller's transaction and never commits (SQLAlchemy 2 "commit as you go"). Write
transactions use `connect(engine, write=True)`: on SQLite they start with BEGIN IMMEDIATE, so
concurrent writers queue instead of failing with "database is locked" when a read turns into a
write.
"""

import sqlite3
import time
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, delete, event, func, inspect, select
from sqlalchemy.exc import DBAPIError

from .sqlite_writers import WriterQueue
from .tables import comments, threads

ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"
_WRITE_OPTION = "comments_write_transaction"
_SQLITE_PRAGMAS = ("busy_timeout=5000", "synchronous=FULL", "foreign_keys=ON")
_WAL_ATTEMPTS = 50  # about 2.5 s of retries in all
_MIGRATION_LOCK_ID = 0x636F6D6D  # PostgreSQL advisory lock key ("comm")


def engine_from_url(url: str) -> Engine:
    """Build an engine for `url` (the value of COMMENTS_DATABASE_URL); SQLite gets its pragmas."""
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    """WAL + busy_timeout + synchronous=FULL + foreign keys on every connection, and real
    transactions: pysqlite's own BEGIN handling is switched off and SQLAlchemy emits BEGIN
    (IMMEDIATE for write transactions), the recipe from SQLAlchemy's SQLite dialect docs. Write
    transactions on a file queue in sqlite_writers.WriterQueue rather than in the busy handler."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        enable_wal(dbapi_connection)
        for pragma in _SQLITE_PRAGMAS:
            dbapi_connection.execute(f"PRAGMA {pragma}")

    database = _sqlite_file(engine)
    writers = WriterQueue(str(database)) if database is not None else None

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        immediate = conn.get_execution_options().get(_WRITE_OPTION)
        if immediate and writers is not None:
            writers.take_turn(conn.info)  # the DBAPI connection's info, kept until check-in
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    if writers is not None:
        @event.listens_for(engine, "checkin")
        def on_checkin(_dbapi_connection, record):
            writers.give_turn_back(record.info)


def enable_wal(dbapi_connection) -> None:
    """Switch the database file to WAL (kept in the file: a no-op once done). Two workers opening
    a new file at once both try the switch, and SQLite answers one of them "database is locked"
    at once, without its busy handler (deadlock avoidance); a short retry lets the other finish."""
    for attempt in range(1, _WAL_ATTEMPTS + 1):
        try:
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == _WAL_ATTEMPTS:
                raise
            time.sleep(0.001 * attempt)


def connect(engine: Engine, *, write: bool = False) -> Connection:
    """Open a connection; with `write=True` its transactions take the write lock up front.
    A read connection on PostgreSQL runs in autocommit: each statement sees one consistent
    snapshot (reads needing several use REPEATABLE READ, see transfer/document.py), and a GET saves the
    BEGIN and ROLLBACK round trips, two of its four."""
    conn = engine.connect()
    if write:
        conn.execution_options(**{_WRITE_OPTION: True})
    elif engine.dialect.name == "postgresql":
        conn.execution_options(isolation_level="AUTOCOMMIT")
    return conn


def _sqlite_file(engine: Engine) -> Path | None:
    """The SQLite database's file; None for other databases and in-memory ones. A URI filename
    (`sqlite:///file:/path?mode=ro&uri=true`) names its file after `file:`."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    if engine.url.query.get("uri") == "true" and database.startswith("file:"):
        database = database.removeprefix("file:")
    return Path(database)


def upgrade_schema(engine: Engine) -> None:
    """`alembic upgrade head`, safe to run from several processes at once (they queue on a lock).
    Alembic is imported here: the site build reads through this module and never migrates."""
    from alembic import command
    from alembic.config import Config

    sqlite_file = _sqlite_file(engine)
    if sqlite_file is not None:
        sqlite_file.parent.mkdir(parents=True, exist_ok=True)
    config = Config(str(ALEMBIC_INI))
    with connect(engine, write=True) as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # SQLite's way to rebuild a table (its "12-step ALTER"): foreign keys off, which only
            # works outside a transaction, or dropping the old table would cascade into the
            # tables referring to it. Each migration that rebuilds checks the keys itself.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            if conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK_ID)))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            conn.commit()
        finally:
            if sqlite:
                conn.rollback()
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


def schema_exists(engine: Engine) -> bool:
    """True when the comments table is there; never creates a SQLite file as a side effect."""
    sqlite_file = _sqlite_file(engine)
    if sqlite_file is not None and not sqlite_file.exists():
        return False
    with engine.connect() as conn:
        return inspect(conn).has_table(comments.name)


def accepts_writes(engine: Engine) -> bool:
    """True when a write transaction can change the database: a read-only SQLite file (or a
    PostgreSQL standby or read-only role) answers reads but refuses this probe, a DELETE of
    nothing, rolled back (it writes no page)."""
    try:
        with connect(engine, write=True) as conn:
            conn.execute(delete(threads).where(threads.c.id == -1))
            conn.rollback()
    except DBAPIError:
        return False
    return True


def ping(conn: Connection) -> None:
    """Raise unless the database answers a trivial query."""
    conn.execute(select(1)).scalar_one()
