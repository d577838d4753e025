"""Moderator-side queries, with no Flask import (the web side is admin.py).

- Why a comment is held: `hold_flags()` names the rule and the soft spam signals (column `flags`).
- The queue: comments by state, newest first, a page at a time, with what only moderators see
  (email, text as typed, flags).
- Actions: approve (`publish`), reject, delete (optionally with a reason shown publicly), edit,
  lock and unlock a thread. Each one writes its moderation_log row in the caller's transaction,
  so the action and its record commit together or not at all; the caller commits.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, Select, false, select
from sqlalchemy.engine import Row

from . import storage
from .models import APPROVED, PENDING, REJECTED, comments, moderation_log, threads
from .render import count_links

STATES = (PENDING, APPROVED, REJECTED)
APPROVE, REJECT, DELETE, EDIT, LOCK, UNLOCK = "approve", "reject", "delete", "edit", "lock", "unlock"
#: The actions that apply to several comments at once (the queue's per-comment and bulk forms).
COMMENT_ACTIONS = (APPROVE, REJECT, DELETE)
REASON_MAX = 500  # moderation_log.reason and comments.moderation_reason

_COLUMNS = (
    comments.c.id,
    comments.c.parent_id,
    comments.c.state,
    comments.c.deleted,
    comments.c.author,
    comments.c.email,
    comments.c.website,
    comments.c.text,
    comments.c.html,
    comments.c.created,
    comments.c.edited,
    comments.c.flags,
    comments.c.moderation_reason,
    threads.c.slug,
)


@dataclass(frozen=True)
class Page:
    """One page of a listing: its rows, its number (from 1) and whether another follows."""

    rows: list[Row]
    number: int
    has_next: bool


def hold_flags(mode: str, text: str) -> str:
    """Why a comment is held, as stored in `comments.flags` (space-separated codes): the rule that
    held it, `moderation-all` (MODERATION=all) or `first-comment` (MODERATION=first: no approved
    comment from this email yet), then soft signals for the moderator: `links` when the text
    contains web or mail addresses."""
    flags = ["moderation-all" if mode == "all" else "first-comment"]
    if count_links(text):
        flags.append("links")
    return " ".join(flags)


def _select_comments() -> Select:
    return select(*_COLUMNS).join_from(comments, threads)


def _page(conn: Connection, query: Select, number: int, size: int) -> Page:
    rows = list(conn.execute(query.limit(size + 1).offset((number - 1) * size)))
    return Page(rows=rows[:size], number=number, has_next=len(rows) > size)


def comments_in_state(conn: Connection, state: str, *, page: int = 1, size: int = 50) -> Page:
    """Comments in `state` (deleted placeholders left out), newest first."""
    query = (_select_comments().where(comments.c.state == state, comments.c.deleted == false())
             .order_by(comments.c.id.desc()))
    return _page(conn, query, page, size)


def thread_comments(conn: Connection, slug: str) -> list[Row]:
    """Every comment of a thread in any state, placeholders included, oldest first."""
    return list(conn.execute(_select_comments().where(threads.c.slug == slug).order_by(comments.c.id)))


def get_comment(conn: Connection, comment_id: int) -> Row | None:
    return conn.execute(_select_comments().where(comments.c.id == comment_id)).first()


def log_action(conn: Connection, actor: str, action: str, *, comment_id: int | None = None,
               slug: str | None = None, reason: str | None = None) -> None:
    conn.execute(moderation_log.insert().values(at=storage.utcnow(), actor=actor, action=action,
                                                comment_id=comment_id, thread_slug=slug,
                                                reason=reason or None))


def log_entries(conn: Connection, *, page: int = 1, size: int = 50) -> Page:
    """The moderation log, newest first."""
    return _page(conn, select(moderation_log).order_by(moderation_log.c.id.desc()), page, size)


def publish(conn: Connection, actor: str, row: Row, reason: str | None = None) -> bool:
    """Approve a held (or rejected) comment: the one place where a comment becomes public.
    False when there is nothing to do (already published, or deleted)."""
    if row.deleted or row.state == APPROVED:
        return False
    storage.approve_comment(conn, row.id)
    log_action(conn, actor, APPROVE, comment_id=row.id, slug=row.slug, reason=reason)
    return True


def reject(conn: Connection, actor: str, row: Row, reason: str | None = None) -> bool:
    """Hide a comment for good (kept for the record); False when already rejected or deleted."""
    if row.deleted or row.state == REJECTED:
        return False
    storage.reject_comment(conn, row.id)
    log_action(conn, actor, REJECT, comment_id=row.id, slug=row.slug, reason=reason)
    return True


def delete(conn: Connection, actor: str, row: Row, reason: str | None = None, *,
           public: bool = False) -> bool:
    """Delete a comment (storage.delete_comment: a placeholder stays where replies need it). With
    `public`, a published comment leaves a placeholder reading "Removed by a moderator: <reason>".
    False when it is already a placeholder."""
    if row.deleted:
        return False
    public_reason = reason if public and reason and row.state == APPROVED else None
    storage.delete_comment(conn, row.id, public_reason=public_reason)
    log_action(conn, actor, DELETE, comment_id=row.id, slug=row.slug, reason=reason)
    return True


def moderate(conn: Connection, actor: str, action: str, comment_ids: list[int], *,
             reason: str | None = None, public: bool = False) -> list[Row]:
    """Apply `action` (one of COMMENT_ACTIONS) to each comment in turn; return the comments it
    changed, as they were before. Missing comments and ones the action does not apply to are
    skipped. Each comment is read just before its action: an earlier delete may have removed it."""
    changed = []
    for comment_id in comment_ids:
        row = get_comment(conn, comment_id)
        if row is None:
            continue
        if action == DELETE:
            done = delete(conn, actor, row, reason, public=public)
        else:
            done = {APPROVE: publish, REJECT: reject}[action](conn, actor, row, reason)
        if done:
            changed.append(row)
    return changed


def edit(conn: Connection, actor: str, row: Row, *, text: str, html: str,
         reason: str | None = None) -> Row:
    """Replace a comment's text (and its rendered, sanitised html); return it as it is now."""
    edited = storage.edit_comment(conn, row.id, text=text, html=html)
    log_action(conn, actor, EDIT, comment_id=row.id, slug=row.slug, reason=reason)
    return edited


def set_thread_locked(conn: Connection, actor: str, slug: str, locked: bool,
                      reason: str | None = None) -> None:
    storage.set_thread_locked(conn, slug, locked)
    log_action(conn, actor, LOCK if locked else UNLOCK, slug=slug, reason=reason)

