"""Every database query of the comments service, with no Flask import.

The Pelican build uses this module directly (never HTTP): `engine_from_url(url)` then
`approved_comments_by_thread(engine)`. The Flask app gets its connections through db.py.

Functions taking a `Connection` run inside the caller's transaction and never commit; the caller
commits (SQLAlchemy 2 "commit as you go"). Write transactions should use `connect(engine,
write=True)`: on SQLite they start with BEGIN IMMEDIATE, so concurrent writers queue on
busy_timeout instead of failing with "database is locked" when a read turns into a write.
"""

import hashlib
import hmac
import sqlite3
import time
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import (Connection, Engine, and_, bindparam, create_engine, delete, event, false, func,
                        inspect, literal, select, update)
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from .models import APPROVED, REJECTED, comments, reply_subscriptions, threads
from .sqlite_writers import WriterQueue

ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"
_WRITE_OPTION = "comments_write_transaction"
_SQLITE_PRAGMAS = ("busy_timeout=5000", "synchronous=FULL", "foreign_keys=ON")
_WAL_ATTEMPTS = 50  # about 2.5 s of retries in all
_MIGRATION_LOCK_ID = 0x636F6D6D  # PostgreSQL advisory lock key ("comm")

#: The only comment fields that ever leave the server (email and IP hash never do).
PUBLIC_FIELDS = ("id", "parent", "author", "website", "html", "created", "edited")
DELETED_AUTHOR = "[deleted]"
#: How a comment a moderator removed with a public reason reads (the reason is escaped into it).
#: The sanitiser drops `class` attributes, so no reader's comment can start like this.
REMOVED_PREFIX = '<p class="comment-deleted comment-removed">Removed by a moderator: '

#: What public_comment reads, in the order it unpacks it: every select it is given starts with
#: these (unpacking a row is ten times cheaper than its attributes, and a page has 1,000 rows).
_PUBLIC_COLUMNS = (
    comments.c.id,
    comments.c.parent_id,
    comments.c.deleted,
    comments.c.author,
    comments.c.website,
    comments.c.html,
    comments.c.created,
    comments.c.edited,
    comments.c.moderation_reason,
)
_PUBLIC_WIDTH = len(_PUBLIC_COLUMNS)
_COMMENT_COLUMNS = (*_PUBLIC_COLUMNS, comments.c.state)
_COLUMNS = (*_COMMENT_COLUMNS, threads.c.slug)


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
    snapshot (reads needing several use REPEATABLE READ, see transfer.py), and a GET saves the
    BEGIN and ROLLBACK round trips, two of its four."""
    conn = engine.connect()
    if write:
        conn.execution_options(**{_WRITE_OPTION: True})
    elif engine.dialect.name == "postgresql":
        conn.execution_options(isolation_level="AUTOCOMMIT")
    return conn


def _sqlite_file(engine: Engine) -> Path | None:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
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
        if conn.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK_ID)))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        conn.commit()


def schema_exists(engine: Engine) -> bool:
    """True when the comments table is there; never creates a SQLite file as a side effect."""
    sqlite_file = _sqlite_file(engine)
    if sqlite_file is not None and not sqlite_file.exists():
        return False
    with engine.connect() as conn:
        return inspect(conn).has_table(comments.name)


def ping(conn: Connection) -> None:
    """Raise unless the database answers a trivial query."""
    conn.execute(select(1)).scalar_one()


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; SQLite hands datetimes back naive, they were stored as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def isoformat(moment: datetime | None) -> str | None:
    """UTC ISO 8601 with a Z, as the API shows times (called twice per comment served: naive
    SQLite values, stored as UTC, skip the time zone arithmetic)."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds") + "Z"


def hash_ip(salt: str, address: str | None) -> str | None:
    """Salted HMAC of a client address: lets rate limits and moderators match, never reversible."""
    if not address:
        return None
    return hmac.new(salt.encode(), address.encode(), hashlib.sha256).hexdigest()


def public_comment(row: Row | tuple) -> dict[str, Any]:
    """The output allow-list: a stored comment as the API, the feeds and the build show it.
    `row` starts with the _PUBLIC_COLUMNS."""
    comment_id, parent, deleted, author, website, html, created, edited, reason = row[:_PUBLIC_WIDTH]
    if deleted:
        author, website, html = DELETED_AUTHOR, None, _removal_notice(reason)
    return {"id": comment_id, "parent": parent, "author": author, "website": website, "html": html,
            "created": isoformat(created), "edited": isoformat(edited)}


def _removal_notice(public_reason: str | None) -> str:
    """The placeholder text of a deleted comment: empty, or the moderator's public reason."""
    return f"{REMOVED_PREFIX}{escape(public_reason)}</p>" if public_reason else ""


def is_placeholder(comment: dict[str, Any]) -> bool:
    """True for the public form of a deleted comment (plain or with a moderator's reason)."""
    return comment["author"] == DELETED_AUTHOR and (
        not comment["html"] or comment["html"].startswith(REMOVED_PREFIX))


def _select_comments():
    return select(*_COLUMNS).join_from(comments, threads)


def get_comment(conn: Connection, comment_id: int) -> Row | None:
    """The comment with its thread slug and state, or None."""
    return conn.execute(_select_comments().where(comments.c.id == comment_id)).first()


def thread_is_locked(conn: Connection, slug: str) -> bool:
    return thread_state(conn, slug).locked


def set_thread_locked(conn: Connection, slug: str, locked: bool) -> None:
    thread_id = _changed_thread_id(conn, slug)
    conn.execute(update(threads).where(threads.c.id == thread_id).values(locked=locked))


def _bump_thread_of(conn: Connection, comment_id: int) -> None:
    """Mark the thread of `comment_id` changed (readers' caches and ETags name its version)."""
    thread_of_comment = select(comments.c.thread_id).where(comments.c.id == comment_id).scalar_subquery()
    conn.execute(update(threads).where(threads.c.id == thread_of_comment)
                 .values(version=threads.c.version + 1))


def _changed_thread_id(conn: Connection, slug: str) -> int:
    """Mark the thread `slug` changed (its version bumped) and return its id, creating its row
    on first use (two first comments racing on PostgreSQL: the loser's insert fails on the
    unique slug and it bumps the winner's row)."""
    bump = (update(threads).where(threads.c.slug == slug)
            .values(version=threads.c.version + 1).returning(threads.c.id))
    found = conn.execute(bump).scalar()
    if found is not None:
        return found
    try:
        with conn.begin_nested():
            return conn.execute(threads.insert().values(slug=slug, version=1)
                                .returning(threads.c.id)).scalar_one()
    except IntegrityError:
        return conn.execute(bump).scalar_one()


def parent_accepts_replies(conn: Connection, parent_id: int, slug: str) -> bool:
    """True when `parent_id` is a published comment (or placeholder) of the thread `slug`."""
    parent = get_comment(conn, parent_id)
    return parent is not None and parent.slug == slug and parent.state == APPROVED


def has_approved_comment_from(conn: Connection, email: str | None) -> bool:
    if not email:
        return False
    query = select(comments.c.id).where(comments.c.email == email, comments.c.state == APPROVED)
    return conn.execute(query.limit(1)).first() is not None


def create_comment(conn: Connection, *, slug: str, parent: int | None, author: str,
                   email: str | None, website: str | None, text: str, html: str,
                   ip_hash: str | None, state: str, flags: str | None = None) -> Row:
    """Insert a comment (text as typed, html rendered and sanitised, `flags`: why it is held)
    and return it."""
    values = dict(thread_id=_changed_thread_id(conn, slug), parent_id=parent, state=state,
                  author=author, email=email, website=website, text=text, html=html,
                  ip_hash=ip_hash, created=utcnow(), flags=flags)
    return conn.execute(comments.insert().values(**values)
                        .returning(*_COMMENT_COLUMNS, literal(slug).label(threads.c.slug.name))).one()


def edit_comment(conn: Connection, comment_id: int, *, text: str, html: str) -> Row:
    _bump_thread_of(conn, comment_id)
    conn.execute(update(comments).where(comments.c.id == comment_id)
                 .values(text=text, html=html, edited=utcnow()))
    return get_comment(conn, comment_id)


def _has_replies(conn: Connection, comment_id: int) -> bool:
    query = select(comments.c.id).where(comments.c.parent_id == comment_id,
                                        comments.c.state != REJECTED)
    return conn.execute(query.limit(1)).first() is not None


def delete_comment(conn: Connection, comment_id: int, *,
                   public_reason: str | None = None) -> dict[str, Any] | None:
    """Soft delete: a comment with replies, or removed by a moderator with a `public_reason`,
    becomes a placeholder (returned, public form) and loses its personal data; one without
    replies disappears, and so do placeholders left without replies by its removal. Either way
    its reply subscription (an email address) is deleted."""
    _bump_thread_of(conn, comment_id)
    conn.execute(delete(reply_subscriptions).where(reply_subscriptions.c.comment_id == comment_id))
    if public_reason or _has_replies(conn, comment_id):
        conn.execute(update(comments).where(comments.c.id == comment_id).values(
            deleted=True, author=DELETED_AUTHOR, email=None, website=None, text="", html="",
            ip_hash=None, edited=utcnow(), moderation_reason=public_reason or None))
        return public_comment(get_comment(conn, comment_id))
    parent_id = conn.execute(select(comments.c.parent_id).where(comments.c.id == comment_id)).scalar()
    conn.execute(delete(comments).where(comments.c.id == comment_id))
    _prune_placeholders(conn, parent_id)
    return None


def _prune_placeholders(conn: Connection, comment_id: int | None) -> None:
    while comment_id is not None:
        row = conn.execute(select(comments.c.deleted, comments.c.parent_id, comments.c.moderation_reason)
                           .where(comments.c.id == comment_id)).first()
        if row is None or not row.deleted or row.moderation_reason or _has_replies(conn, comment_id):
            return
        conn.execute(delete(comments).where(comments.c.id == comment_id))
        comment_id = row.parent_id


def _set_state(conn: Connection, comment_id: int, state: str) -> bool:
    _bump_thread_of(conn, comment_id)
    result = conn.execute(update(comments).where(comments.c.id == comment_id).values(state=state))
    return result.rowcount == 1


def approve_comment(conn: Connection, comment_id: int) -> bool:
    """Publish a held comment; False when there is no such comment."""
    return _set_state(conn, comment_id, APPROVED)


def reject_comment(conn: Connection, comment_id: int) -> bool:
    """Hide a comment for good (it stays stored for the moderation record)."""
    return _set_state(conn, comment_id, REJECTED)


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
    return ThreadState(*row) if row is not None else ThreadState(0, 0, False)


class ThreadPage(NamedTuple):
    """What a reader is shown of a thread: locked by a moderator?, number of published comments
    (placeholders excluded), and the published comments and placeholders newer than `since`."""

    locked: bool
    count: int
    comments: list[dict[str, Any]]


def _thread_page_query():
    """ONE statement for a thread page, built once (its compiled form is cached by SQLAlchemy):
    a MATERIALIZED CTE holds the thread row and its published count, computed once (inline, a
    correlated count would run again for every comment row), and the comments newer than :since
    are outer-joined to it (a thread without any yields one row of NULL comment columns; a slug
    never commented on yields no row). SQLite >= 3.35 and PostgreSQL >= 12 honour the hint."""
    counted = comments.alias("counted")
    published_count = (select(func.count(counted.c.id))
                       .where(counted.c.thread_id == threads.c.id, counted.c.state == APPROVED,
                              counted.c.deleted == false())
                       .scalar_subquery())
    thread = (select(threads.c.id, threads.c.locked, published_count.label("published_count"))
              .where(threads.c.slug == bindparam("slug"))
              .cte("thread").prefix_with("MATERIALIZED"))
    shown = and_(comments.c.thread_id == thread.c.id, comments.c.state == APPROVED,
                 comments.c.id > bindparam("since"))
    return (select(thread.c.locked, thread.c.published_count, *_PUBLIC_COLUMNS)
            .select_from(thread.outerjoin(comments, shown))
            .order_by(comments.c.id))


_THREAD_PAGE = _thread_page_query()


def thread_page(conn: Connection, slug: str, since: int = 0) -> ThreadPage:
    """The thread `slug` as readers see it (comments in display order), in one round trip."""
    rows = conn.execute(_THREAD_PAGE, {"slug": slug, "since": since}).all()
    if not rows:
        return ThreadPage(locked=False, count=0, comments=[])
    return ThreadPage(locked=bool(rows[0].locked), count=rows[0].published_count,
                      comments=[public_comment(row[2:]) for row in rows if row.id is not None])


def approved_counts(conn: Connection, slugs: list[str]) -> dict[str, int]:
    """Number of published, not deleted comments per slug; every slug asked for is in the result."""
    query = (select(threads.c.slug, func.count(comments.c.id))
             .join_from(comments, threads)
             .where(threads.c.slug.in_(slugs), comments.c.state == APPROVED,
                    comments.c.deleted == False)  # noqa: E712 (SQL expression)
             .group_by(threads.c.slug))
    counts = dict.fromkeys(slugs, 0)
    counts.update({slug: count for slug, count in conn.execute(query)})
    return counts


def latest_comments(conn: Connection, limit: int, slug: str | None = None) -> list[Row]:
    """The newest published comments, newest first, of one thread or of the whole site."""
    query = _select_comments().where(comments.c.state == APPROVED, comments.c.deleted == False)  # noqa: E712
    if slug is not None:
        query = query.where(threads.c.slug == slug)
    return list(conn.execute(query.order_by(comments.c.id.desc()).limit(limit)))


def approved_comments_by_thread(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every thread's published comments in display order, in ONE query, for the site build:
    {slug: [public comment, ...]}. A database that does not exist yet gives {}."""
    if not schema_exists(engine):
        return {}
    query = _select_comments().where(comments.c.state == APPROVED).order_by(comments.c.id)
    by_thread: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for row in conn.execute(query):
            by_thread.setdefault(row.slug, []).append(public_comment(row))
    return by_thread

