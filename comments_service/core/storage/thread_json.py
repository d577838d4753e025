"""A thread page as JSON, written by the database: the API's hot read (GET
/api/threads/<slug>/comments on a page-cache miss) without a Python object per comment.

`thread_json(conn, slug, since)` runs ONE statement, the same as comments.thread_page (the
thread's row and published count in a MATERIALIZED CTE, its published comments and
placeholders newer than `since` outer-joined to it, in display order), but each comment row
comes back as one JSON object text built by the database (SQLite json_object, PostgreSQL
json_build_object), with exactly the fields and values of core.comment.public_view: a deleted
comment as its placeholder ("[deleted]", no website, the moderator's escaped public reason as
its html), `picked` / `pick_note` only for a comment that is not deleted, times as ISO 8601 UTC
to the second with a Z. The caller joins the texts into the body. Per comment that is one string
handed over by the driver, instead of a Row, a Comment, a dict, two datetimes formatted and the
encoder's walk: the work stays in C (tests/comments_service/core/storage/test_thread_json.py
checks it against public_view on both backends).
"""

from typing import NamedTuple

from sqlalchemy import (
    Connection,
    String,
    Text,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal,
    null,
    select,
    true,
)
from sqlalchemy.sql.elements import ColumnElement

from ..comment import APPROVED, DELETED_AUTHOR, REMOVED_PREFIX
from .tables import comments, threads


class ThreadJSON(NamedTuple):
    """Locked by a moderator?, number of published comments (placeholders excluded), and each
    shown comment's public view as a JSON object text, in display order."""

    locked: bool
    count: int
    comments: list[str]


def _escaped(value: ColumnElement) -> ColumnElement:
    """html.escape(value, quote=True) in SQL: & first, then < > " '."""
    for character, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;")):
        value = func.replace(value, character, entity)
    return value


def _moment(column: ColumnElement, dialect: str) -> ColumnElement:
    """The time as core.times.isoformat writes it: 2026-01-01T09:00:00Z (seconds truncated)."""
    if dialect == "sqlite":
        # SQLAlchemy stores it as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC): cut and paste, a third of
        # the cost of strftime() parsing it.
        return func.substr(column, 1, 10) + "T" + func.substr(column, 12, 8) + "Z"
    return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')


def _boolean(condition: ColumnElement, dialect: str) -> ColumnElement:
    """A JSON true / false (SQLite has no boolean: json('true') keeps its JSON meaning)."""
    if dialect == "sqlite":
        return func.json(case((condition, literal("true")), else_=literal("false")))
    return case((condition, true()), else_=false())


def _public_object(dialect: str) -> ColumnElement:
    c = comments.c
    deleted = c.deleted == true()
    shown_pick = and_(c.picked == true(), c.deleted == false())
    reason = c.moderation_reason
    removal = case((func.coalesce(reason, "") != "", literal(REMOVED_PREFIX) + _escaped(reason) + "</p>"),
                   else_=literal(""))
    fields = [
        ("id", c.id), ("parent", c.parent_id),
        ("author", case((deleted, literal(DELETED_AUTHOR)), else_=c.author)),
        ("website", case((deleted, null()), else_=c.website)),
        ("html", case((deleted, removal), else_=c.html)),
        ("created", _moment(c.created, dialect)), ("edited", _moment(c.edited, dialect)),
        ("likes", c.likes), ("dislikes", c.dislikes),
        ("picked", _boolean(shown_pick, dialect)),
        ("pick_note", case((shown_pick, c.pick_note), else_=null())),
        ("kind", c.kind), ("about_reference", c.about_reference), ("about_paragraph", c.about_paragraph),
    ]
    arguments = [item for name, value in fields for item in (literal(name), value)]
    if dialect == "sqlite":
        return func.json_object(*arguments, type_=String)
    return cast(func.json_build_object(*arguments), Text)  # text: psycopg would parse json into a dict


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
    shown = and_(comments.c.thread_id == thread.c.id, comments.c.state == APPROVED,
                 comments.c.id > bindparam("since"))
    return (select(thread.c.locked, thread.c.published_count,
                   case((comments.c.id.is_(None), null()), else_=_public_object(dialect)).label("json"))
            .select_from(thread.outerjoin(comments, shown))
            .order_by(comments.c.id))


_QUERIES = {dialect: _query(dialect) for dialect in ("sqlite", "postgresql")}


def thread_json(conn: Connection, slug: str, since: int = 0) -> ThreadJSON:
    """The thread `slug` as readers see it, each comment as its public JSON text, in one round trip."""
    rows = conn.execute(_QUERIES[conn.dialect.name], {"slug": slug, "since": since}).all()
    if not rows:
        return ThreadJSON(locked=False, count=0, comments=[])
    return ThreadJSON(locked=bool(rows[0][0]), count=rows[0][1],
                      comments=[row[2] for row in rows if row[2] is not None])
