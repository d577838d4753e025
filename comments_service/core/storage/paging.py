"""Top-level cursor paging of a thread (GET /api/threads/<slug>/comments?limit=&after=): the first
`limit` top-level comments with an id above `after`, in display (id) order, each with ALL its
replies, read in ONE statement; a 10,000-comment thread is then read a page at a time.

A top-level comment is a published one (or placeholder) whose parent is not published: a reply
whose parent a moderator rejected shows at the top level, as core/section.py's `comment_tree`
shows it, so walking the pages with `after = next` neither loses nor repeats a comment.
"""

from sqlalchemy import Connection, Select, and_, bindparam, false, func, select

from ..comment import APPROVED, Comment
from .comments import ThreadPage, as_comments, comment_columns
from .tables import comments, threads


def _paged_query() -> Select:
    """Built once (SQLAlchemy caches its compiled form). CTEs: `thread` (its row and published
    count, MATERIALIZED as in comments._thread_page_query), `candidates` (up to :fetch =
    limit + 1 top-level ids after :after: one more than shown says whether another page
    follows), `roots` (the first :limit of them) and `tree` (the roots and, recursively, their
    published replies). Outer-joined like the unpaged page: a thread with nothing to show still
    yields its row."""
    counted, top, parent, child = (comments.alias(name) for name in ("counted", "toplevel", "parent", "child"))
    published_count = (select(func.count(counted.c.id))
                       .where(counted.c.thread_id == threads.c.id, counted.c.state == APPROVED,
                              counted.c.deleted == false())
                       .scalar_subquery())
    thread = (select(threads.c.id, threads.c.slug, threads.c.locked, published_count.label("published_count"))
              .where(threads.c.slug == bindparam("slug"))
              .cte("thread").prefix_with("MATERIALIZED"))
    published_parent = and_(parent.c.id == top.c.parent_id, parent.c.state == APPROVED)
    candidates = (select(top.c.id)
                  .select_from(thread.join(top, top.c.thread_id == thread.c.id)
                               .outerjoin(parent, published_parent))
                  .where(top.c.state == APPROVED, top.c.id > bindparam("after"), parent.c.id.is_(None))
                  .order_by(top.c.id).limit(bindparam("fetch"))
                  .cte("candidates"))
    roots = select(candidates.c.id).order_by(candidates.c.id).limit(bindparam("limit")).cte("roots")
    tree = select(roots.c.id.label("id")).cte("tree", recursive=True)
    tree = tree.union_all(select(child.c.id).where(child.c.parent_id == tree.c.id,
                                                   child.c.state == APPROVED))
    shown = and_(comments.c.thread_id == thread.c.id, comments.c.id > bindparam("since"),
                 comments.c.id.in_(select(tree.c.id)))
    columns = [thread.c.slug.label(name) if name == "thread" else column for name, column in zip(Comment._fields, comment_columns(public=True))]
    return (select(thread.c.locked.label("thread_locked"), thread.c.published_count,
                   select(func.count()).select_from(candidates).scalar_subquery().label("candidates"),
                   select(func.max(roots.c.id)).scalar_subquery().label("last_root"), *columns)
            .select_from(thread.outerjoin(comments, shown))
            .order_by(comments.c.id))


_PAGED = _paged_query()


def paged_thread_page(conn: Connection, slug: str, *, limit: int, after: int = 0,
                      since: int = 0) -> ThreadPage:
    """Up to `limit` top-level comments of `slug` with an id above `after`, each with all its
    replies, in display order (ids above `since` only, when given); `next` is the id of the last
    top-level comment shown when more follow, else None. `count` is the whole thread's."""
    result = conn.execute(_PAGED, {"slug": slug, "after": after, "limit": limit, "fetch": limit + 1,
                                   "since": since})
    rows = result.all()
    if not rows:
        return ThreadPage(locked=False, count=0, comments=[])
    first = rows[0]
    more = first.candidates > limit
    return ThreadPage(locked=bool(first.thread_locked), count=first.published_count,
                      comments=as_comments(result, [row for row in rows if row.id is not None]),
                      next=first.last_root if more else None)
