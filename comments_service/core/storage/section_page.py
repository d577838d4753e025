"""What an article's comments section needs of its thread, read in O(what it shows): the first
`limit` top-level comments with all their replies (paging.py's query: the part the page shows)
and the whole thread's totals (core/section.ThreadTotals), counted by the database. A re-bake of
a 1,000-comment thread then turns some fifty rows into Python objects, not a thousand.

`section_context(..., comments=page.comments, totals=page.totals)` gives the same context, and
so the same page, as `section_context` over the whole thread (test_section_page.py checks it
after random sequences of writes). Runs in the caller's transaction."""

from typing import NamedTuple

from sqlalchemy import Connection, and_, bindparam, false, func, select, true

from ..comment import APPROVED, Comment
from ..section import ThreadTotals
from .comments import as_comments, select_comments
from .paging import paged_thread_page
from .tables import comments, threads


class SectionPage(NamedTuple):
    """`locked` by a moderator?, the `comments` shown (display order) and the thread's `totals`."""

    locked: bool
    comments: list[Comment]
    totals: ThreadTotals


def _totals_query():
    """The newest id and the number of top-level comments (a published one whose parent is not
    published, as core/section.py places it), in one statement built once."""
    thread_id = select(threads.c.id).where(threads.c.slug == bindparam("slug")).scalar_subquery()
    top, parent = comments.alias("toplevel"), comments.alias("parent")
    last_id = (select(func.max(comments.c.id))
               .where(comments.c.thread_id == thread_id, comments.c.state == APPROVED).scalar_subquery())
    top_level = (select(func.count(top.c.id))
                 .select_from(top.outerjoin(parent, and_(parent.c.id == top.c.parent_id,
                                                         parent.c.state == APPROVED)))
                 .where(top.c.thread_id == thread_id, top.c.state == APPROVED, parent.c.id.is_(None))
                 .scalar_subquery())
    return select(last_id.label("last_id"), top_level.label("top_level"))


_TOTALS = _totals_query()
_PUBLISHED = and_(threads.c.slug == bindparam("slug"), comments.c.state == APPROVED,
                  comments.c.deleted == false())
_PICKS = (select_comments(public=True).where(_PUBLISHED, comments.c.picked == true())
          .order_by(comments.c.id.desc()))
_ABOUT = (select(comments.c.about_reference, func.count())
          .join_from(comments, threads)
          .where(_PUBLISHED, comments.c.about_reference.is_not(None))
          .group_by(comments.c.about_reference))


def section_page(conn: Connection, slug: str, limit: int) -> SectionPage:
    """The section's part of thread `slug`: its first `limit` top-level comments with their
    replies, and the whole thread's totals."""
    page = paged_thread_page(conn, slug, limit=limit)
    last_id, top_level = conn.execute(_TOTALS, {"slug": slug}).one()
    picks = as_comments(conn.execute(_PICKS, {"slug": slug}))
    about = {number: count for number, count in conn.execute(_ABOUT, {"slug": slug}) if number}
    totals = ThreadTotals(count=page.count, last_id=last_id or 0, top_level_count=top_level,
                          picks=picks, about=about)
    return SectionPage(locked=page.locked, comments=page.comments, totals=totals)
