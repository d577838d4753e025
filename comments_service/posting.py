"""Storing a posted comment (POST /api/threads/<slug>/comments, api.py), the part that runs
inside the write transaction: on SQLite, inside the one writer's turn every other write waits
for, so the view checks the body and renders the Markdown before it and hands over only what
must be read or written here."""

from typing import Any

from flask import current_app
from sqlalchemy import Connection

from .core import moderation
from .core.comment import APPROVED, CORRECTION, PENDING, Comment
from .core.limits import REPLY_DEPTH_MAX
from .core.manifest import Thread
from .core.storage import comments as stored
from .errors import APIError
from .notifications import notify


def held_by_mode(conn: Connection, email: str | None) -> bool:
    """Whether the MODERATION mode (none / first / all) holds this author's writing."""
    return moderation.holds(conn, current_app.config["MODERATION"], email)


def store_comment(conn: Connection, thread: Thread, fields: dict[str, Any], html: str,
                   ip_hash: str | None) -> Comment:
    """Insert the comment (published, or held by the moderation mode or as a correction), with
    its reply subscription and notification mails, in the caller's transaction."""
    unknown_parent = APIError(400, "unknown_parent", "The comment you reply to is not on this article.",
                              {"parent": "is not a comment on this article"})
    parent = fields["parent"]
    if parent is not None and not stored.parent_accepts_replies(conn, parent, thread.slug):
        raise unknown_parent
    parent = parent and stored.reply_parent(conn, parent, REPLY_DEPTH_MAX)
    by_mode, correction = held_by_mode(conn, fields["email"]), fields["kind"] == CORRECTION
    state = PENDING if by_mode or correction else APPROVED  # a correction always waits
    flags = (moderation.hold_flags(current_app.config["MODERATION"], fields["text"],
                                   correction=correction, by_mode=by_mode)
             if state == PENDING else None)
    try:
        row = stored.create_comment(
            conn, slug=thread.slug, parent=parent, author=fields["author"], email=fields["email"],
            website=fields["website"], text=fields["text"], html=html, ip_hash=ip_hash, state=state,
            flags=flags, kind=fields["kind"], about_reference=fields["about_reference"],
            about_paragraph=fields["about_paragraph"])
    except stored.ParentGone:  # deleted by a request that committed since the check above
        raise unknown_parent from None
    if fields["notify"]:
        notify.subscribe_to_replies(conn, row, fields["email"])
    notify.comment_posted(conn, row)  # its mails are outbox rows of this transaction
    return row
