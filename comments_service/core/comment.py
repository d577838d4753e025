"""The one shape of a comment, and what of it the public may see.

`Comment` is a stored comment with its thread's slug, read from the database by field NAME
(storage/comments.py builds every select from `Comment._fields`, and reads results through
`storage.comments.as_comments`, which matches columns by label): a new column cannot land in the
wrong field. Reads that serve readers leave the private fields (email, text as typed, flags)
unread, as None.

`public_view()` is the output allow-list: the only fields that ever leave the server (API, feeds,
baked pages), with a deleted comment shown as a placeholder.
"""

from datetime import datetime
from html import escape
from typing import Any, NamedTuple

from .times import isoformat

#: The only comment fields the API returns (email and IP hash never leave the server).
PUBLIC_FIELDS = ("id", "parent", "author", "website", "html", "created", "edited", "likes",
                 "dislikes", "picked", "pick_note", "kind", "about_reference", "about_paragraph")
#: The author a deleted comment's placeholder shows (delete_comment stores it too).
DELETED_AUTHOR = "[deleted]"
#: How a comment a moderator removed with a public reason reads (the reason is escaped into it).
#: The sanitiser drops `class` attributes, so no reader's comment can start like this.
REMOVED_PREFIX = '<p class="comment-deleted comment-removed">Removed by a moderator: '

#: Comment states. A soft-deleted comment keeps its state and gets `deleted` set.
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
STATES = (PENDING, APPROVED, REJECTED)
#: Comment kinds: a reader's comment, or a correction of the article (held for the moderators).
COMMENT, CORRECTION = "comment", "correction"
KINDS = (COMMENT, CORRECTION)


class Comment(NamedTuple):
    """A stored comment. `thread` is its thread's slug; `deleted` marks a placeholder kept for
    its replies (author "[deleted]", no personal data); `moderation_reason` is a moderator's
    public reason for removing it. `pending_text` is an edit its author proposed for the
    published text, waiting for a moderator since `pending_since` (both None when none waits);
    readers keep seeing `html` until the edit is approved. `likes` / `dislikes` count readers'
    votes; `picked` marks an editor's pick (`pick_note`: the editor's public note); `kind` is
    COMMENT or CORRECTION; `about_reference` / `about_paragraph` name the reference [n] or the
    paragraph (from 1) of the article it is about, if any."""

    id: int
    thread: str
    parent: int | None
    state: str
    deleted: bool
    author: str
    email: str | None
    website: str | None
    text: str | None
    html: str
    created: datetime
    edited: datetime | None
    flags: str | None
    moderation_reason: str | None
    pending_text: str | None = None
    pending_since: datetime | None = None
    likes: int = 0
    dislikes: int = 0
    picked: bool = False
    pick_note: str | None = None
    kind: str = COMMENT
    about_reference: int | None = None
    about_paragraph: int | None = None


#: Fields never read for a reader-facing page: they would only cost bytes and risk a leak.
PRIVATE_FIELDS = frozenset({"email", "text", "flags", "pending_text", "pending_since"})


def removal_notice(public_reason: str | None) -> str:
    """The placeholder text of a deleted comment: empty, or the moderator's public reason."""
    return f"{REMOVED_PREFIX}{escape(public_reason)}</p>" if public_reason else ""


def public_view(comment: Comment) -> dict[str, Any]:
    """The comment as the API, the feeds and the build show it: PUBLIC_FIELDS only, a deleted
    comment as its placeholder."""
    if comment.deleted:
        author, website, html = DELETED_AUTHOR, None, removal_notice(comment.moderation_reason)
    else:
        author, website, html = comment.author, comment.website, comment.html
    return {"id": comment.id, "parent": comment.parent, "author": author, "website": website,
            "html": html, "created": isoformat(comment.created), "edited": isoformat(comment.edited),
            "likes": comment.likes, "dislikes": comment.dislikes,
            "picked": bool(comment.picked) and not comment.deleted,
            "pick_note": comment.pick_note if comment.picked and not comment.deleted else None,
            "kind": comment.kind, "about_reference": comment.about_reference,
            "about_paragraph": comment.about_paragraph}
