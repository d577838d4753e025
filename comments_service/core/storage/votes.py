"""Queries of the `comment_votes` table: readers' up and down votes, one per reader and comment.

A reader is `voter` (the HMAC of the random id in their signed cookie, core/privacy.py) and is
also known by `ip_hash`: a vote from the same cookie OR the same address on the same comment
replaces the one before it, so clearing cookies does not buy a second vote. `comments.likes` and
`comments.dislikes` hold the sums (imported votes included, which have no rows here) and are kept
exact in the vote's own transaction, by adding the difference (likes = likes + d), never by
writing a total read earlier.

Concurrency: the vote first bumps the thread's version (threads.bump_thread_of), which every
write to a thread does anyway; on PostgreSQL that UPDATE locks the thread's row until the commit,
so two votes on one thread, say the same reader's from two tabs, run one after the other, and the
second reads the first's row (READ COMMITTED: each statement sees what committed before it). The
primary key alone could not do it: it stops a second row for the same cookie but not for the
same address under another cookie. SQLite has one writer at a time (BEGIN IMMEDIATE).
Each function runs in the caller's transaction and never commits.
"""

from typing import NamedTuple

from sqlalchemy import Connection, delete, false, or_, select, update

from ..comment import APPROVED
from ..times import utcnow
from .tables import comment_votes, comments
from .threads import bump_thread_of

#: What a vote can be: up, down, or none (a withdrawn vote).
UP, DOWN, NONE = 1, -1, 0
VALUES = (UP, DOWN, NONE)


class NotPublished(Exception):
    """The comment is not (or no longer) published: readers cannot vote on or report it."""


class Votes(NamedTuple):
    """A comment's counts after a vote, the vote the reader now has on it (UP, DOWN, NONE), and
    whether the counts changed (a page showing them is out of date)."""

    likes: int
    dislikes: int
    vote: int
    changed: bool


def published(comment_id: int):
    """The WHERE clause of "comment `comment_id`, published (approved, not deleted)"."""
    return (comments.c.id == comment_id) & (comments.c.state == APPROVED) & (comments.c.deleted == false())


def same_reader(table, person, comment_id: int, who: str, ip_hash: str | None):
    """The rows of `table` (comment_votes or comment_reports) that are this reader's on the comment:
    their cookie's digest in column `person`, or their address's hash."""
    mine = person == who if ip_hash is None else or_(person == who, table.c.ip_hash == ip_hash)
    return (table.c.comment_id == comment_id) & mine


def cast_vote(conn: Connection, comment_id: int, *, voter: str, ip_hash: str | None,
              value: int) -> Votes:
    """Make `value` (UP, DOWN, or NONE to withdraw) the reader's vote on the comment, replacing
    theirs (by cookie or address); return the new counts. NotPublished when the comment is not
    published (the caller rolls back)."""
    if value not in VALUES:
        raise ValueError(f"a vote is one of {VALUES}, not {value!r}")
    bump_thread_of(conn, comment_id)  # first: on PostgreSQL, the lock that orders the thread's votes
    theirs = same_reader(comment_votes, comment_votes.c.voter, comment_id, voter, ip_hash)
    before = conn.execute(select(comment_votes.c.value).where(theirs)).scalars().all()
    likes = (value == UP) - sum(1 for old in before if old == UP)
    dislikes = (value == DOWN) - sum(1 for old in before if old == DOWN)
    counts = conn.execute(update(comments).where(published(comment_id))
                          .values(likes=comments.c.likes + likes, dislikes=comments.c.dislikes + dislikes)
                          .returning(comments.c.likes, comments.c.dislikes)).first()
    if counts is None:
        raise NotPublished(comment_id)
    conn.execute(delete(comment_votes).where(theirs))
    if value != NONE:
        conn.execute(comment_votes.insert().values(comment_id=comment_id, voter=voter, ip_hash=ip_hash,
                                                   value=value, created=utcnow()))
    return Votes(likes=counts.likes, dislikes=counts.dislikes, vote=value, changed=bool(likes or dislikes))

