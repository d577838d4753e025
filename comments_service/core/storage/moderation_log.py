"""Queries of the `moderation_log` table: every moderator action, who, what, when and why. Rows
are written in the action's own transaction (core/moderation.py), so an action and its record
commit together or not at all."""

from typing import NamedTuple

from sqlalchemy import Connection, Select, select

from ..times import utcnow
from .tables import moderation_log


class Page(NamedTuple):
    """One page of a listing: its rows, its number (from 1) and whether another follows."""

    rows: list
    number: int
    has_next: bool


def page_of(conn: Connection, query: Select, number: int, size: int, shape=None) -> Page:
    """Page `number` of `size` rows of `query` (one row more is read to know if another page
    follows); `shape(result, rows)` converts the rows when given."""
    result = conn.execute(query.limit(size + 1).offset((number - 1) * size))
    rows = result.all()
    has_next = len(rows) > size
    rows = rows[:size]
    return Page(rows=shape(result, rows) if shape else rows, number=number, has_next=has_next)


def log_action(conn: Connection, actor: str, action: str, *, comment_id: int | None = None,
               slug: str | None = None, reason: str | None = None) -> None:
    conn.execute(moderation_log.insert().values(at=utcnow(), actor=actor, action=action,
                                                comment_id=comment_id, thread_slug=slug,
                                                reason=reason or None))


def log_entries(conn: Connection, *, page: int = 1, size: int = 50) -> Page:
    """The moderation log, newest first."""
    return page_of(conn, select(moderation_log).order_by(moderation_log.c.id.desc()), page, size)
