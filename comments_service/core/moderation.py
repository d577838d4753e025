"""Moderation, with no Flask import (the web side is admin/).

- Whether a reader's writing is held (`holds`): everything under MODERATION=all; under "first"
  everything until the author is trusted, which only a confirmed address makes them (the owner
  followed the link mailed after a moderator approved one of their comments; storage/addresses.py):
  an address anyone can type is no proof. The same rule holds new comments and an author's edits
  of a published comment: such an edit waits (storage `propose_edit`) while the published text
  stays, so an edit can never publish what no moderator has seen.
- Why a comment is held: `hold_flags()` names the rule and the soft spam signals (column `flags`);
  `flag_words()` says them in words, the one place the moderation pages and mails take them from
  (likewise `STATE_WORDS`).
- The queue: comments by state (and kind: the readers' corrections have their own view), newest
  first, a page at a time, with what only moderators see (email, text as typed, flags, an edit
  waiting); the held page lists waiting edits too. A thread's comments, oldest first, a page at
  a time, and its editors' picks.
- Actions: approve (`publish`; it clears readers' reports, core/reactions.py), reject, delete
  (optionally with a reason shown publicly), edit, approve-edit / reject-edit (an author's
  waiting edit), pick / unpick (an editor's pick of a published comment, with an optional public
  note), lock and unlock a thread. Each one writes its moderation_log row in the caller's
  transaction, so the action and its record commit together or not at all; the caller commits.
"""

from sqlalchemy import Connection, and_, false, func, or_, select, true

from .comment import APPROVED, CORRECTION, PENDING, REJECTED, Comment
from .reactions import REPORTED
from .render import count_links
from .storage import comments as stored
from .storage.addresses import is_confirmed
from .storage.moderation_log import Page, log_action, page_of
from .storage.reports import clear_reports
from .storage.tables import comments, threads
from .storage.threads import set_thread_locked as set_thread_locked_row

APPROVE, REJECT, DELETE, EDIT, LOCK, UNLOCK = "approve", "reject", "delete", "edit", "lock", "unlock"
APPROVE_EDIT, REJECT_EDIT = "approve-edit", "reject-edit"
PICK, UNPICK = "pick", "unpick"
#: The actions that apply to several comments at once (the queue's per-comment and bulk forms).
COMMENT_ACTIONS = (APPROVE, REJECT, DELETE, APPROVE_EDIT, REJECT_EDIT, PICK, UNPICK)
#: The codes of `comments.flags` (hold_flags(); REPORTED: core/reactions.py).
HELD_ALL, HELD_FIRST, LINKS = "moderation-all", "first-comment", "links"
#: What each flag means, as moderators read it (pages and mails); a code not listed shows as is.
FLAG_WORDS = {
    CORRECTION: "a reader's correction (always held)",
    HELD_ALL: "every comment is held",
    HELD_FIRST: "first comment from this address",
    LINKS: "contains links",
    REPORTED: "reported by readers",
}
#: A comment's state as moderators read it.
STATE_WORDS = {PENDING: "held", APPROVED: "published", REJECTED: "rejected"}


def flag_words(flags: str | None) -> list[str]:
    """The flags of a comment (`comments.flags`, space-separated codes) in words, in order."""
    return [FLAG_WORDS.get(code, code) for code in (flags or "").split()]


def holds(conn: Connection, mode: str, email: str | None) -> bool:
    """Whether MODERATION `mode` holds what an author with `email` writes (a new comment, an edit
    of a published one) for a moderator: always under "all", never under "none", and under
    "first" unless `email` is a confirmed address."""
    return mode == "all" or (mode == "first" and not is_confirmed(conn, email))


def hold_flags(mode: str, text: str, *, correction: bool = False, by_mode: bool = True) -> str:
    """Why a comment is held, as stored in `comments.flags` (space-separated codes): `correction`
    for a reader's correction (always held, whatever the mode), the rule that held it when the
    mode did (`by_mode`), `moderation-all` (MODERATION=all) or `first-comment` (MODERATION=first:
    no approved comment from this email yet), then soft signals for the moderator: `links` when
    the text contains web or mail addresses."""
    flags = [CORRECTION] if correction else []
    if by_mode:
        flags.append(HELD_ALL if mode == "all" else HELD_FIRST)
    if count_links(text):
        flags.append(LINKS)
    return " ".join(flags)


def _in_state(state: str, kind: str | None):
    """The condition of comments_in_state() (deleted placeholders left out)."""
    shown = comments.c.state == state
    if state == PENDING and kind is None:
        shown = or_(shown, comments.c.pending_since.is_not(None))
    if kind is not None:
        shown = and_(shown, comments.c.kind == kind)
    return and_(shown, comments.c.deleted == false())


def comments_in_state(conn: Connection, state: str, *, page: int = 1, size: int = 50,
                      kind: str | None = None) -> Page:
    """Comments in `state` (deleted placeholders left out), newest first; the held ones (PENDING)
    with every published comment that has an edit waiting. With `kind`, only comments of that
    kind (CORRECTION: the readers' corrections, the held ones first of all)."""
    query = stored.select_comments().where(_in_state(state, kind)).order_by(comments.c.id.desc())
    return page_of(conn, query, page, size, stored.as_comments)


def held_count(conn: Connection) -> int:
    """How many comments the Held page lists (held ones and published ones with an edit waiting)."""
    query = select(func.count()).select_from(comments).where(_in_state(PENDING, None))
    return conn.execute(query).scalar_one()


def thread_comments(conn: Connection, slug: str, *, page: int = 1, size: int = 50) -> Page:
    """A thread's comments in any state, placeholders included, oldest first, a page at a time."""
    query = stored.select_comments().where(threads.c.slug == slug).order_by(comments.c.id)
    return page_of(conn, query, page, size, stored.as_comments)


def thread_picks(conn: Connection, slug: str) -> list[Comment]:
    """The editors' picks readers see on a thread (published, not deleted), newest first."""
    query = (stored.select_comments()
             .where(threads.c.slug == slug, comments.c.picked == true(), comments.c.state == APPROVED,
                    comments.c.deleted == false())
             .order_by(comments.c.id.desc()))
    return stored.as_comments(conn.execute(query))


def publish(conn: Connection, actor: str, row: Comment, reason: str | None = None) -> bool:
    """Approve a held (or rejected) comment: the one place where a comment becomes public. Its
    readers' reports are cleared: the moderator has judged them. False when there is nothing to
    do (already published, or deleted)."""
    if row.deleted or row.state == APPROVED:
        return False
    stored.approve_comment(conn, row.id)
    clear_reports(conn, row.id)
    log_action(conn, actor, APPROVE, comment_id=row.id, slug=row.thread, reason=reason)
    return True


def reject(conn: Connection, actor: str, row: Comment, reason: str | None = None) -> bool:
    """Hide a comment for good (kept for the record); False when already rejected or deleted."""
    if row.deleted or row.state == REJECTED:
        return False
    stored.reject_comment(conn, row.id)
    log_action(conn, actor, REJECT, comment_id=row.id, slug=row.thread, reason=reason)
    return True


def approve_edit(conn: Connection, actor: str, row: Comment, reason: str | None = None) -> bool:
    """Publish the edit the author proposed; False when none waits (or the comment is deleted)."""
    if row.deleted or not stored.apply_pending_edit(conn, row.id):
        return False
    log_action(conn, actor, APPROVE_EDIT, comment_id=row.id, slug=row.thread, reason=reason)
    return True


def reject_edit(conn: Connection, actor: str, row: Comment, reason: str | None = None) -> bool:
    """Discard the edit the author proposed (the published text stays); False when none waits."""
    if row.deleted or not stored.drop_pending_edit(conn, row.id):
        return False
    log_action(conn, actor, REJECT_EDIT, comment_id=row.id, slug=row.thread, reason=reason)
    return True


def pick(conn: Connection, actor: str, row: Comment, note: str | None = None) -> bool:
    """Make a published comment an editor's pick, with an optional public `note` (picking it
    again changes the note; logged as the reason); False when it is not published, or already
    picked with that note."""
    if row.deleted or row.state != APPROVED or (row.picked and row.pick_note == (note or None)):
        return False
    stored.set_picked(conn, row.id, True, note or None)
    log_action(conn, actor, PICK, comment_id=row.id, slug=row.thread, reason=note)
    return True


def unpick(conn: Connection, actor: str, row: Comment, reason: str | None = None) -> bool:
    """No longer an editor's pick (its note goes too); False when it was not one."""
    if not row.picked:
        return False
    stored.set_picked(conn, row.id, False)
    log_action(conn, actor, UNPICK, comment_id=row.id, slug=row.thread, reason=reason)
    return True


def readers_see(action: str, row: Comment) -> bool:
    """Whether `action`, done to `row` (as it was before), changes what readers see."""
    return action in (APPROVE, APPROVE_EDIT) or (action in (REJECT, DELETE, PICK, UNPICK)
                                                 and row.state == APPROVED)


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
    skipped. Each comment is read just before its action: an earlier delete may have removed it.
    For PICK, `reason` is the pick's public note."""
    changed = []
    for comment_id in comment_ids:
        row = stored.get_comment(conn, comment_id)
        if row is None:
            continue
        if action == DELETE:
            done = delete(conn, actor, row, reason, public=public)
        else:
            done = {APPROVE: publish, REJECT: reject, APPROVE_EDIT: approve_edit,
                    REJECT_EDIT: reject_edit, PICK: pick, UNPICK: unpick}[action](conn, actor, row, reason)
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

