"""Queries of the `comments` table: read comments in the one shape (`core.comment.Comment`),
create, edit, soft-delete, approve, reject and pick them, and hold, apply or drop an author's edit
of a published comment. Each function runs in the caller's transaction and never commits; every
write bumps the comment's thread version (threads.py), so caches and ETags that name the version
cannot outlive the change."""

from collections.abc import Iterable
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import (Connection, CursorResult, Select, and_, bindparam, delete, false, func,
                        literal, null, select, update)

from ..comment import APPROVED, COMMENT, DELETED_AUTHOR, PENDING, PRIVATE_FIELDS, REJECTED, Comment
from ..times import utcnow
from .tables import comments, reply_subscriptions, threads
from .threads import bump_thread_of, changed_thread_id

#: Where each field of `Comment` is stored: the column of the same name, but for these two.
_SOURCES = {name: comments.c[name] for name in Comment._fields if name not in ("thread", "parent")}
_SOURCES |= {"thread": threads.c.slug, "parent": comments.c.parent_id}
assert set(_SOURCES) == set(Comment._fields), "every Comment field has exactly one column"
_CHAIN_MAX = 100_000
#: A comment with no edit waiting for a moderator.
_NO_PENDING_EDIT = {"pending_text": None, "pending_html": None, "pending_since": None}


def comment_columns(*, public: bool = False) -> list:
    """The columns of a `Comment`, each labelled with its field name; `public` reads the private
    fields as NULL (a reader-facing page never needs them)."""
    return [null().label(name) if public and name in PRIVATE_FIELDS else _SOURCES[name].label(name)
            for name in Comment._fields]


def select_comments(*, public: bool = False) -> Select:
    """SELECT of every `Comment` field, from comments joined to their thread."""
    return select(*comment_columns(public=public)).join_from(comments, threads)


def as_comments(result: CursorResult, rows: Iterable | None = None) -> list[Comment]:
    """The rows of `result` (or `rows`, already fetched from it) as Comments, matched by column
    label, so the column order of the select does not matter and extra columns are ignored.
    (A Row's attribute access costs ten times a positional one: a 1,000-comment page would
    spend milliseconds on it, hence one itemgetter for the whole result.)"""
    keys = list(result.keys())
    pick = itemgetter(*(keys.index(name) for name in Comment._fields))
    return [Comment._make(pick(row)) for row in (result if rows is None else rows)]


def get_comment(conn: Connection, comment_id: int) -> Comment | None:
    """The comment (any state, placeholders included), or None."""
    found = as_comments(conn.execute(select_comments().where(comments.c.id == comment_id)))
    return found[0] if found else None


def parent_accepts_replies(conn: Connection, parent_id: int, slug: str) -> bool:
    """True when `parent_id` is a published comment (or placeholder) of the thread `slug`."""
    parent = get_comment(conn, parent_id)
    return parent is not None and parent.thread == slug and parent.state == APPROVED


def reply_parent(conn: Connection, parent_id: int, max_depth: int) -> int:
    """The comment a reply to `parent_id` attaches to: `parent_id` itself, or, when that would
    nest the reply deeper than `max_depth` (a top-level comment is depth 0), the ancestor at depth
    max_depth - 1, so the reply sits at the deepest level, next to the comment it answers.
    One recursive query reads the whole ancestor chain (threads older than the limit may be
    deeper than it; a corrupt cycle stops at _CHAIN_MAX)."""
    chain = (select(comments.c.id, comments.c.parent_id, literal(0).label("up"))
             .where(comments.c.id == parent_id).cte("chain", recursive=True))
    chain = chain.union_all(select(comments.c.id, comments.c.parent_id, chain.c.up + 1)
                            .where(comments.c.id == chain.c.parent_id, chain.c.up < _CHAIN_MAX))
    ancestry = conn.execute(select(chain.c.id).order_by(chain.c.up)).scalars().all()  # parent ... root
    depth = len(ancestry) - 1
    return ancestry[depth - (max_depth - 1)] if depth >= max_depth else parent_id


class ParentGone(Exception):
    """The comment a reply attaches to was deleted by a write that committed first."""


def create_comment(conn: Connection, *, slug: str, parent: int | None, author: str,
                   email: str | None, website: str | None, text: str, html: str,
                   ip_hash: str | None, state: str, flags: str | None = None, kind: str = COMMENT,
                   about_reference: int | None = None,
                   about_paragraph: int | None = None) -> Comment:
    """Insert a comment (text as typed, html rendered and sanitised, `flags`: why it is held,
    `kind` and what it is `about_`) and return it, read back by the INSERT itself. Raises ParentGone when `parent` is no longer
    there, rather than break its foreign key: the caller checked it, but on PostgreSQL a deletion
    may have committed since; looked for once the thread is locked (every write bumps it first)."""
    thread_id = changed_thread_id(conn, slug)
    if parent is not None and conn.execute(select(comments.c.id).where(comments.c.id == parent)).first() is None:
        raise ParentGone(parent)
    values = dict(thread_id=thread_id, parent_id=parent, state=state,
                  author=author, email=email, website=website, text=text, html=html,
                  ip_hash=ip_hash, created=utcnow(), flags=flags, kind=kind,
                  about_reference=about_reference, about_paragraph=about_paragraph)
    return as_comments(conn.execute(_INSERT_RETURNING, values))[0]._replace(thread=slug)


#: The INSERT of create_comment, built once: the values go as parameters (a statement built with
#: .values() per call spends more on SQLAlchemy's cache key than the database spends on the row,
#: inside the writer's turn). `thread` comes back NULL; the caller knows the slug.
_INSERT_RETURNING = comments.insert().returning(
    *(null().label(name) if name == "thread" else _SOURCES[name].label(name) for name in Comment._fields))


def edit_comment(conn: Connection, comment_id: int, *, text: str, html: str) -> Comment:
    """Replace the text at once (a held comment's, or any by a moderator); an edit waiting for a
    moderator is dropped: this text is the newer one."""
    bump_thread_of(conn, comment_id)
    conn.execute(update(comments).where(comments.c.id == comment_id)
                 .values(text=text, html=html, edited=utcnow(), **_NO_PENDING_EDIT))
    return get_comment(conn, comment_id)


def propose_edit(conn: Connection, comment_id: int, *, text: str, html: str) -> Comment:
    """Hold an author's edit of a published comment for a moderator, replacing one that was
    waiting; the published text stays as it is until `apply_pending_edit`."""
    bump_thread_of(conn, comment_id)
    conn.execute(update(comments).where(comments.c.id == comment_id)
                 .values(pending_text=text, pending_html=html, pending_since=utcnow()))
    return get_comment(conn, comment_id)


def apply_pending_edit(conn: Connection, comment_id: int) -> bool:
    """Publish the waiting edit as the comment's text (marked edited); False when none waits."""
    return _end_pending_edit(conn, comment_id, text=comments.c.pending_text,
                             html=comments.c.pending_html, edited=utcnow())


def drop_pending_edit(conn: Connection, comment_id: int) -> bool:
    """Discard the waiting edit (the published text stays); False when none waits."""
    return _end_pending_edit(conn, comment_id)


def _end_pending_edit(conn: Connection, comment_id: int, **values) -> bool:
    bump_thread_of(conn, comment_id)
    result = conn.execute(update(comments)
                          .where(comments.c.id == comment_id, comments.c.pending_since.is_not(None))
                          .values(**values, **_NO_PENDING_EDIT))
    return result.rowcount == 1


def _has_replies(conn: Connection, comment_id: int) -> bool:
    query = select(comments.c.id).where(comments.c.parent_id == comment_id, comments.c.state != REJECTED)
    return conn.execute(query.limit(1)).first() is not None


def delete_comment(conn: Connection, comment_id: int, *,
                   public_reason: str | None = None) -> Comment | None:
    """Soft delete: a comment with replies, or removed by a moderator with a `public_reason`,
    becomes a placeholder (returned) and loses its personal data; one without replies
    disappears, and so do placeholders left without replies by its removal. Either way its reply
    subscription (an email address) is deleted."""
    bump_thread_of(conn, comment_id)
    conn.execute(delete(reply_subscriptions).where(reply_subscriptions.c.comment_id == comment_id))
    if public_reason or _has_replies(conn, comment_id):
        conn.execute(update(comments).where(comments.c.id == comment_id).values(
            deleted=True, author=DELETED_AUTHOR, email=None, website=None, text="", html="",
            ip_hash=None, edited=utcnow(), moderation_reason=public_reason or None,
            **_NO_PENDING_EDIT))
        return get_comment(conn, comment_id)
    _remove_up(conn, comment_id)
    return None


def _remove_up(conn: Connection, comment_id: int) -> None:
    """Delete the comment, then each placeholder above it left without replies. Rejected replies
    stay stored (reject_comment) and let go of a row before it goes (its foreign key)."""
    first = True
    while comment_id is not None:
        row = conn.execute(select(comments.c.deleted, comments.c.parent_id, comments.c.moderation_reason)
                           .where(comments.c.id == comment_id)).first()
        if row is None or not first and (not row.deleted or row.moderation_reason
                                         or _has_replies(conn, comment_id)):
            return
        conn.execute(update(comments).where(comments.c.parent_id == comment_id).values(parent_id=None))
        conn.execute(delete(comments).where(comments.c.id == comment_id))
        comment_id, first = row.parent_id, False


def _set_state(conn: Connection, comment_id: int, state: str, **values) -> bool:
    bump_thread_of(conn, comment_id)
    result = conn.execute(update(comments).where(comments.c.id == comment_id)
                          .values(state=state, **values))
    return result.rowcount == 1


def approve_comment(conn: Connection, comment_id: int) -> bool:
    """Publish a held comment; False when there is no such comment."""
    return _set_state(conn, comment_id, APPROVED)


def reject_comment(conn: Connection, comment_id: int) -> bool:
    """Hide a comment for good (it stays stored for the moderation record), with any edit that
    was waiting for a moderator."""
    return _set_state(conn, comment_id, REJECTED, **_NO_PENDING_EDIT)


def set_picked(conn: Connection, comment_id: int, picked: bool, note: str | None = None) -> bool:
    """Mark a comment an editor's pick with its public `note`, or unmark it (the note goes too);
    False when there is no such comment."""
    bump_thread_of(conn, comment_id)
    result = conn.execute(update(comments).where(comments.c.id == comment_id)
                          .values(picked=picked, pick_note=note if picked else None))
    return result.rowcount == 1


def hold_comment(conn: Connection, comment_id: int, flag: str) -> bool:
    """Take a published comment back to the moderation queue, with `flag` added to its flags
    (why it is held); False when it is not published (held already, say)."""
    flags = conn.execute(select(comments.c.flags).where(comments.c.id == comment_id, comments.c.state == APPROVED,
                                                        comments.c.deleted == false())).first()
    if flags is None:
        return False
    codes = (flags.flags or "").split()
    return _set_state(conn, comment_id, PENDING, flags=" ".join(codes if flag in codes else [*codes, flag]))


def latest_comments(conn: Connection, limit: int, slug: str | None = None) -> list[Comment]:
    """The newest published comments (placeholders left out), newest first, of one thread or of
    the whole site."""
    query = select_comments(public=True).where(comments.c.state == APPROVED,
                                               comments.c.deleted == false())
    if slug is not None:
        query = query.where(threads.c.slug == slug)
    return as_comments(conn.execute(query.order_by(comments.c.id.desc()).limit(limit)))


def published_by_thread(conn: Connection) -> dict[str, list[Comment]]:
    """Every thread's published comments and placeholders in display order, in ONE query, for
    the site build: {slug: [comment, ...]}."""
    query = select_comments(public=True).where(comments.c.state == APPROVED).order_by(comments.c.id)
    by_thread: dict[str, list[Comment]] = {}
    for comment in as_comments(conn.execute(query)):
        by_thread.setdefault(comment.thread, []).append(comment)
    return by_thread


class ThreadPage(NamedTuple):
    """What a reader is shown of a thread: locked by a moderator?, number of published comments
    (placeholders excluded), and the published comments and placeholders newer than `since`;
    for a page of top-level comments (paging.py), `next`: the last top-level id shown when more
    follow, else None."""

    locked: bool
    count: int
    comments: list[Comment]
    next: int | None = None


def _thread_page_query() -> Select:
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
    thread = (select(threads.c.id, threads.c.slug, threads.c.locked,
                     published_count.label("published_count"))
              .where(threads.c.slug == bindparam("slug"))
              .cte("thread").prefix_with("MATERIALIZED"))
    shown = and_(comments.c.thread_id == thread.c.id, comments.c.state == APPROVED,
                 comments.c.id > bindparam("since"))
    columns = [thread.c.slug.label(name) if name == "thread" else column
               for name, column in zip(Comment._fields, comment_columns(public=True))]
    return (select(thread.c.locked.label("thread_locked"), thread.c.published_count, *columns)
            .select_from(thread.outerjoin(comments, shown))
            .order_by(comments.c.id))


_THREAD_PAGE = _thread_page_query()


def thread_page(conn: Connection, slug: str, since: int = 0) -> ThreadPage:
    """The thread `slug` as readers see it (comments in display order), in one round trip."""
    result = conn.execute(_THREAD_PAGE, {"slug": slug, "since": since})
    rows = result.all()
    if not rows:
        return ThreadPage(locked=False, count=0, comments=[])
    first = rows[0]
    return ThreadPage(locked=bool(first.thread_locked), count=first.published_count,
                      comments=as_comments(result, [row for row in rows if row.id is not None]))


def approved_counts(conn: Connection, slugs: list[str]) -> dict[str, int]:
    """Number of published, not deleted comments per slug; every slug asked for is in the result."""
    query = (select(threads.c.slug, func.count(comments.c.id))
             .join_from(comments, threads)
             .where(threads.c.slug.in_(slugs), comments.c.state == APPROVED,
                    comments.c.deleted == false())
             .group_by(threads.c.slug))
    counts = dict.fromkeys(slugs, 0)
    counts.update({slug: count for slug, count in conn.execute(query)})
    return counts
