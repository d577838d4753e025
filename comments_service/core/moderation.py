"""Moderation, with no Flask import (the web side is admin/).

- Why a comment is held: `hold_flags()` names the rule and the soft spam signals (column `flags`).
- The queue: comments by state, newest first, a page at a time, with what only moderators see
  (email, text as typed, flags).
- Actions: approve (`publish`), reject, delete (optionally with a reason shown publicly), edit,
  lock and unlock a thread. Each one writes its moderation_log row in the caller's transaction,
  so the action and its record commit together or not at all; the caller commits.
"""

from sqlalchemy import Connection, false

from .comment import APPROVED, REJECTED, Comment
from .render import count_links
from .storage import comments as stored
from .storage.moderation_log import Page, log_action, page_of
from .storage.tables import comments, threads
from .storage.threads import set_thread_locked as set_thread_locked_row

APPROVE, REJECT, DELETE, EDIT, LOCK, UNLOCK = "approve", "reject", "delete", "edit", "lock", "unlock"
#: The actions that apply to several comments at once (the queue's per-comment and bulk forms).
COMMENT_ACTIONS = (APPROVE, REJECT, DELETE)


def hold_flags(mode: str, text: str) -> str:
    """Why a comment is held, as stored in `comments.flags` (space-separated codes): the rule that
    held it, `moderation-all` (MODERATION=all) or `first-comment` (MODERATION=first: no approved
    comment from this email yet), then soft signals for the moderator: `links` when the text
    contains web or mail addresses."""
    flags = ["moderation-all" if mode == "all" else "first-comment"]
    if count_links(text):
        flags.append("links")
    return " ".join(flags)


def comments_in_state(conn: Connection, state: str, *, page: int = 1, size: int = 50) -> Page:
    """Comments in `state` (deleted placeholders left out), newest first."""
    query = (stored.select_comments().where(comments.c.state == state, comments.c.deleted == false())
             .order_by(comments.c.id.desc()))
    return page_of(conn, query, page, size, stored.as_comments)


def thread_comments(conn: Connection, slug: str) -> list[Comment]:
    """Every comment of a thread in any state, placeholders included, oldest first."""
    query = stored.select_comments().where(threads.c.slug == slug).order_by(comments.c.id)
    return stored.as_comments(conn.execute(query))


def publish(conn: Connection, actor: str, row: Comment, reason: str | None = None) -> bool:
    """Approve a held (or rejected) comment: the one place where a comment becomes public.
    False when there is nothing to do (already published, or deleted)."""
    if row.deleted or row.state == APPROVED:
        return False
    stored.approve_comment(conn, row.id)
    log_action(conn, actor, APPROVE, comment_id=row.id, slug=row.thread, reason=reason)
    return True


def reject(conn: Connection, actor: str, row: Comment, reason: str | None = None) -> bool:
    """Hide a comment for good (kept for the record); False when already rejected or deleted."""
    if row.deleted or row.state == REJECTED:
        return False
    stored.reject_comment(conn, row.id)
    log_action(conn, actor, REJECT, comment_id=row.id, slug=row.thread, reason=reason)
    return True


def delete(conn: Connection, actor: str, row: Comment, reason: str | None = None, *,
           public: bool = False) -> bool:
    """Delete a comment (stored.delete_comment: a placeholder stays where replies need it). With
    `public`, a published comment leaves a placeholder reading "Removed by a moderator: <reason>".
    False when it is already a placeholder."""
    if row.deleted:
        return False
    public_reason = reason if public and reason and row.state == APPROVED else None
    stored.delete_comment(conn, row.id, public_reason=public_reason)
    log_action(conn, actor, DELETE, comment_id=row.id, slug=row.thread, reason=reason)
    return True


def moderate(conn: Connection, actor: str, action: str, comment_ids: list[int], *,
             reason: str | None = None, public: bool = False) -> list[Comment]:
    """Apply `action` (one of COMMENT_ACTIONS) to each comment in turn; return the comments it
    changed, as they were before. Missing comments and ones the action does not apply to are
    skipped. Each comment is read just before its action: an earlier delete may have removed it."""
    changed = []
    for comment_id in comment_ids:
        row = stored.get_comment(conn, comment_id)
        if row is None:
            continue
        if action == DELETE:
            done = delete(conn, actor, row, reason, public=public)
        else:
            done = {APPROVE: publish, REJECT: reject}[action](conn, actor, row, reason)
        if done:
            changed.append(row)
    return changed


def edit(conn: Connection, actor: str, row: Comment, *, text: str, html: str,
         reason: str | None = None) -> Comment:
    """Replace a comment's text (and its rendered, sanitised html); return it as it is now."""
    edited = stored.edit_comment(conn, row.id, text=text, html=html)
    log_action(conn, actor, EDIT, comment_id=row.id, slug=row.thread, reason=reason)
    return edited


def set_thread_locked(conn: Connection, actor: str, slug: str, locked: bool,
                      reason: str | None = None) -> None:
    set_thread_locked_row(conn, slug, locked)
    log_action(conn, actor, LOCK if locked else UNLOCK, slug=slug, reason=reason)

