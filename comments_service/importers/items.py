"""What a reader yields: the shapes every source is reduced to before anything is written.

Contract: a reader is `read(path, on_read) -> Iterator[Thread | Foreign | Skipped | Invalid]`,
yielding items in file order as it streams the source (so memory does not grow with the file).
- A Thread is yielded once per thread its comments name, before or after them (a Disqus file may
  list its threads last); Foreign.thread is that Thread's `ref`.
- A Foreign is a comment to import; its `parent` is the source's id of the comment it answers.
- A Skipped is a comment deliberately not imported (pingback, plugin note): counted by reason;
  a reply to it becomes a top-level comment.
- An Invalid is an item that cannot be imported as it is (a date that is not one, a name too
  long...): the import refuses the file naming it, or with --skip-invalid lists it and goes on.
Readers raise SourceRejected only for what makes the whole file unreadable (not XML, not an
Isso database...); every per-item problem is an Invalid, so the user may choose to skip it.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple


class SourceRejected(Exception):
    """The source cannot be imported; the message says why and names the offending item."""


@dataclass(frozen=True)
class Thread:
    """A source's thread (an article). Its slug comes from `slug` when the source names it,
    else from the last segment of `url` (common.article_slug). Comments of a `deleted` thread
    are not imported (counted as skipped)."""

    ref: str  # what Foreign.thread names it by
    name: str  # how messages name it: "Disqus thread 7 (line 12)"
    url: str | None
    slug: str | None = None
    deleted: bool = False


@dataclass
class Foreign:
    """One comment as a source holds it, before it gets our id."""

    key: str  # the source's id
    name: str  # how messages name it: "Disqus post 17 (line 40)"
    thread: str  # the ref of its Thread
    parent: str | None  # the source's id of the parent
    state: str
    deleted: bool
    author: str | None
    email: str | None
    website: str | None
    text: str
    html: str
    ip: str | None
    created: datetime
    edited: datetime | None = None
    likes: int = 0
    dislikes: int = 0
    #: The author asked to be mailed replies (at `email`); carried as a confirmed subscription.
    subscribed: bool = False


class Skipped(NamedTuple):
    """A comment deliberately left out; `reason` is how the summary counts it ("pingback")."""

    key: str
    reason: str


class Invalid(NamedTuple):
    """An item that cannot be imported: `name` names it (with its line when the file has lines),
    `problem` says why. `key` is its source id when known (its replies then become top-level
    comments when it is skipped)."""

    key: str | None
    name: str
    problem: str
