"""A thread page as JSON, concatenated by the database: the API's hot read (GET
/api/threads/<slug>/comments on a page-cache miss) without a Python object per comment, and
without a JSON object built per comment per read.

`thread_json(conn, slug, since)` runs ONE statement: the thread's row (lock, published count)
in a MATERIALIZED CTE, and the stored public JSON texts (comments.public_json, written by the
database's triggers at every write of a comment: public_json.py) of its published comments and
placeholders newer than `since`, joined with commas in display order (id) by the database:
SQLite's group_concat over an ordered subquery (SQLite keeps a subquery's order for an aggregate
over it, and never flattens an ordered subquery into an aggregate query), PostgreSQL's
string_agg(... ORDER BY id). Per thread that is one string handed over by the driver.
tests/comments_service/core/storage/test_thread_json.py checks it against public_view on both
backends, after every kind of write.
"""

from typing import NamedTuple

from sqlalchemy import Connection, bindparam, false, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from ..comment import APPROVED
from .tables import comments, threads


class ThreadJSON(NamedTuple):
    """Locked by a moderator?, number of published comments (placeholders excluded), and the
    shown comments' public views as JSON object texts joined by commas, in display order (the
    inside of the body's "comments" array; "" for none)."""

    locked: bool
    count: int
    comments: str


def _query(dialect: str):
    """Built once per dialect (SQLAlchemy caches its compiled form)."""
    counted = comments.alias("counted")
    published_count = (select(func.count(counted.c.id))
                       .where(counted.c.thread_id == threads.c.id, counted.c.state == APPROVED,
                              counted.c.deleted == false())
                       .scalar_subquery())
    thread = (select(threads.c.id, threads.c.locked, published_count.label("published_count"))
              .where(threads.c.slug == bindparam("slug"))
              .cte("thread").prefix_with("MATERIALIZED"))
    shown = (comments.c.thread_id == select(thread.c.id).scalar_subquery(),
             comments.c.state == APPROVED, comments.c.id > bindparam("since"))
    if dialect == "sqlite":
        ordered = select(comments.c.public_json).where(*shown).order_by(comments.c.id).subquery("shown")
        joined = select(func.group_concat(ordered.c.public_json, literal(","))).scalar_subquery()
    else:
        joined = (select(func.string_agg(comments.c.public_json,
                                         aggregate_order_by(literal(","), comments.c.id)))
                  .where(*shown).scalar_subquery())
    return select(thread.c.locked, thread.c.published_count, joined.label("json"))


_QUERIES = {dialect: _query(dialect) for dialect in ("sqlite", "postgresql")}


def thread_json(conn: Connection, slug: str, since: int = 0) -> ThreadJSON:
    """The thread `slug` as readers see it, its comments as public JSON texts, in one round trip."""
    row = conn.execute(_QUERIES[conn.dialect.name], {"slug": slug, "since": since}).first()
    if row is None:
        return ThreadJSON(locked=False, count=0, comments="")
    return ThreadJSON(locked=bool(row[0]), count=row[1], comments=row[2] or "")
