"""A thread page as JSON, concatenated by the database: the API's hot read (GET
/api/threads/<slug>/comments on a page-cache miss) without a Python object per comment, and
without a JSON object built per comment per read.

`thread_json(conn, slug, since)` runs ONE statement: the thread's lock, the number of its
published comments, and the stored public JSON texts (comments.public_json, written by the
database's triggers at every write of a comment: public_json.py) of its published comments and
placeholders newer than `since`, joined with commas in display order (id) by the database:
SQLite's group_concat over an ordered subquery (SQLite keeps a subquery's order for an aggregate
over it, and never flattens an ordered subquery into an aggregate query), PostgreSQL's
string_agg(... ORDER BY id). Per thread that is one byte string handed over by the driver.
tests/comments_service/core/storage/test_thread_json.py checks it against public_view on both
backends, after every kind of write.
"""

from typing import NamedTuple

from sqlalchemy import Connection, LargeBinary, bindparam, case, cast, false, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from ..comment import APPROVED
from .tables import comments, threads


class ThreadJSON(NamedTuple):
    """Locked by a moderator?, number of published comments (placeholders excluded), and the
    shown comments' public views as JSON object texts joined by commas, in display order, as
    UTF-8 bytes (the inside of the body's "comments" array; b"" for none)."""

    locked: bool
    count: int
    comments: bytes


def _query(dialect: str):
    """Built once per dialect (SQLAlchemy caches its compiled form). One pass over the thread's
    approved comments gives both the count (those not deleted) and the JSON (those newer than
    `since`; the NULL of an older one is skipped by the aggregate): a separate count read every
    row again. The thread's row is read by scalar subqueries, not a CTE joined to the aggregate:
    SQLite materialized that join, copying the whole JSON twice. SQLite hands the JSON over as a
    BLOB: as TEXT the driver decodes it into a str the view would encode again. At 1,000 comments
    on SQLite the statement takes 0.40 ms against 0.95 ms for the CTE, separate count and TEXT."""
    thread_id = select(threads.c.id).where(threads.c.slug == bindparam("slug")).scalar_subquery()
    locked = select(threads.c.locked).where(threads.c.slug == bindparam("slug")).scalar_subquery()
    approved = (comments.c.thread_id == thread_id, comments.c.state == APPROVED)
    shown_json = case((comments.c.id > bindparam("since"), comments.c.public_json))
    published = case((comments.c.deleted == false(), 1))
    if dialect == "sqlite":
        ordered = (select(shown_json.label("json"), published.label("published"))
                   .where(*approved).order_by(comments.c.id).subquery("shown"))
        return select(locked.label("locked"), func.count(ordered.c.published),
                      cast(func.group_concat(ordered.c.json, literal(",")), LargeBinary))
    return (select(locked.label("locked"), func.count(published),
                   func.string_agg(shown_json, aggregate_order_by(literal(","), comments.c.id)))
            .where(*approved))


_QUERIES = {dialect: _query(dialect) for dialect in ("sqlite", "postgresql")}


def thread_json(conn: Connection, slug: str, since: int = 0) -> ThreadJSON:
    """The thread `slug` as readers see it, its comments as public JSON texts, in one round trip."""
    locked, count, json = conn.execute(_QUERIES[conn.dialect.name], {"slug": slug, "since": since}).one()
    json = json or b""  # NULL: no comment shown, or no such thread (then locked is NULL too)
    return ThreadJSON(locked=bool(locked), count=count,
                      comments=json.encode() if isinstance(json, str) else bytes(json))
