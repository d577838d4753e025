"""What every reader hands over, and its conversion into the rows of an export document.

Contract: a reader returns a Read: the source's comments as Foreign objects, in file order,
each with `thread` already our slug and `parent` the source's id of the comment it answers (or
None), plus the source ids it skipped and why. `as_export(read, ip_salt)` then checks ids and
parents (unique ids, a parent in the same thread, no loops), numbers the comments 1, 2, 3... in
the order they were posted with every reply after its parent, drops deleted comments nobody
answered, and normalises each field (author, email, website, times, IP hash) the same way for
every source. Any problem is a SourceRejected naming the item.

Also here: article_slug (a thread's identity from a URL) and plain_text (the `text` of a comment
whose source holds HTML), which more than one reader needs.
"""

import re
from collections import Counter, defaultdict
from datetime import datetime
from heapq import heappop, heappush
from html import unescape
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

import nh3

from ..core.comment import APPROVED, DELETED_AUTHOR
from ..core.limits import AUTHOR_MAX, EMAIL_MAX, WEBSITE_MAX
from ..core.privacy import hash_ip
from ..core.times import as_utc, exact_isoformat
from .items import Foreign, SourceRejected

ANONYMOUS = "Anonymous"  # the author of a comment whose source has no name for it


class Converted(NamedTuple):
    """A source as the `threads` and `comments` of an export document, and what was left out."""

    threads: list[dict[str, Any]]
    comments: list[dict[str, Any]]
    skipped: Counter[str]  # reason -> number of comments


class Read(NamedTuple):
    """What a reader found in a source."""

    comments: list[Foreign]
    skipped: dict[str, str]  # source id -> reason, for comments that are not imported


# Thread identity and fields ----------------------------------------------------------------------

def article_slug(url: str) -> str | None:
    """An article's slug from its URL or path: the last path segment without `.html`
    (`/2024/budget-vote.html` and `https://news.example/budget-vote/` -> `budget-vote`;
    `.../budget-vote/index.html` -> `budget-vote`). None for a site's root or a malformed URL."""
    try:
        path = urlsplit(url.strip()).path
    except ValueError:  # e.g. an unclosed IPv6 host
        return None
    segments = [segment for segment in unquote(path).split("/") if segment]
    if segments and segments[-1] == "index.html":
        segments.pop()
    if not segments:
        return None
    return segments[-1].removesuffix(".html") or None


def slug_of(url: str | None, name: str) -> str:
    """article_slug of the URL of the item `name`; SourceRejected when it names no article."""
    slug = article_slug(url or "")
    if slug is None:
        raise SourceRejected(f"{name}: its URL {url!r} names no article (expected a path ending "
                             "in the article's slug)")
    return slug


def utc(text: str | None, name: str, field: str) -> datetime:
    """A source's date and time (ISO 8601; UTC when it has no offset)."""
    try:
        moment = datetime.fromisoformat((text or "").strip())
    except ValueError:
        raise SourceRejected(f"{name}: {field} {text!r} is not a date and time") from None
    return as_utc(moment)


def _website(url: str | None) -> str | None:
    """Only a well-formed http(s) address of at most WEBSITE_MAX characters is kept."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 host
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc and len(url) <= WEBSITE_MAX:
        return url
    return None


def _email(address: str | None) -> str | None:
    address = (address or "").strip()
    return address if address and len(address) <= EMAIL_MAX else None


def _author(comment: Foreign) -> str:
    author = (comment.author or "").strip() or ANONYMOUS
    if len(author) > AUTHOR_MAX:
        raise SourceRejected(f"{comment.name}: the author name has {len(author)} characters, at "
                             f"most {AUTHOR_MAX} can be stored; shorten it in the source")
    return author


_LINE_END = re.compile(r"(?i)(?:<br\s*/?>|</li\s*>)\s*")
_BLOCK_END = re.compile(r"(?i)</(?:p|blockquote|pre|ul|ol)\s*>\s*")
_BLANK_LINES = re.compile(r"\n\s*\n\s*")


def plain_text(html: str) -> str:
    """The words of an HTML fragment, a blank line after each paragraph and a newline for each
    line break (script and style content dropped): the `text` of a comment whose source holds
    HTML."""
    marked = _BLOCK_END.sub("\n\n", _LINE_END.sub("\n", html))
    return _BLANK_LINES.sub("\n\n", unescape(nh3.clean(marked, tags=set()))).strip()


# From foreign comments to export rows -----------------------------------------------------------

def as_export(read: Read, ip_salt: str) -> Converted:
    """The comments of `read` as export rows, numbered from 1 (see the module's contract)."""
    by_key = _by_key(read.comments)
    for comment in read.comments:
        _attach_to_parent(comment, by_key, read.skipped)
    ordered = _parents_first(read.comments)
    kept = _without_lonely_deleted(ordered)
    ids = {comment.key: number for number, comment in enumerate(kept, 1)}
    skipped = Counter(read.skipped.values())
    if len(kept) < len(ordered):
        skipped["deleted, without replies"] = len(ordered) - len(kept)
    return Converted(threads=[{"slug": slug, "locked": False}
                              for slug in sorted({comment.thread for comment in kept})],
                     comments=[_exported(comment, ids, ip_salt) for comment in kept],
                     skipped=skipped)


def _by_key(comments: list[Foreign]) -> dict[str, Foreign]:
    by_key: dict[str, Foreign] = {}
    for comment in comments:
        if comment.key in by_key:
            raise SourceRejected(f"{comment.name}: its id is also used by {by_key[comment.key].name}")
        by_key[comment.key] = comment
    return by_key


def _attach_to_parent(comment: Foreign, by_key: dict[str, Foreign], skipped: dict[str, str]) -> None:
    """Check the parent exists in the same thread; a reply to a skipped comment (a pingback)
    becomes a top-level comment."""
    if comment.parent is None:
        return
    if comment.parent in skipped:
        comment.parent = None
        return
    parent = by_key.get(comment.parent)
    if parent is None:
        raise SourceRejected(f"{comment.name}: its parent {comment.parent} is not in the source")
    if parent.thread != comment.thread:
        raise SourceRejected(f"{comment.name}: its parent, {parent.name}, belongs to another "
                             f"thread ({parent.thread!r}, not {comment.thread!r})")


def _parents_first(comments: list[Foreign]) -> list[Foreign]:
    """The comments in the order they were posted, except that a reply always comes after its
    parent (clocks and sources are not always consistent)."""
    ready: list[tuple[datetime, int, Foreign]] = []
    replies: defaultdict[str, list[tuple[datetime, int, Foreign]]] = defaultdict(list)
    for position, comment in enumerate(comments):
        entry = (comment.created, position, comment)
        if comment.parent is None:
            heappush(ready, entry)
        else:
            replies[comment.parent].append(entry)
    ordered = []
    while ready:
        comment = heappop(ready)[2]
        ordered.append(comment)
        for reply in replies.pop(comment.key, ()):
            heappush(ready, reply)
    if replies:
        looping = next(entry[2] for entries in replies.values() for entry in entries)
        raise SourceRejected(f"{looping.name}: its chain of parents loops back to itself")
    return ordered


def _without_lonely_deleted(ordered: list[Foreign]) -> list[Foreign]:
    """Drop deleted comments that have no reply left; those with replies stay as placeholders
    (as core/storage/comments.delete_comment does)."""
    answered: set[str] = set()
    kept = []
    for comment in reversed(ordered):  # replies before their parents
        if comment.deleted and comment.key not in answered:
            continue
        kept.append(comment)
        if comment.parent is not None:
            answered.add(comment.parent)
    return kept[::-1]


def _exported(comment: Foreign, ids: dict[str, int], ip_salt: str) -> dict[str, Any]:
    """The comment as an export document holds it; a deleted one as a "[deleted]" placeholder
    without personal data."""
    row = {"id": ids[comment.key], "thread": comment.thread,
           "parent": None if comment.parent is None else ids[comment.parent],
           "created": exact_isoformat(comment.created), "edited": exact_isoformat(comment.edited)}
    if comment.deleted:
        return row | {"state": APPROVED, "deleted": True, "author": DELETED_AUTHOR, "email": None,
                      "website": None, "text": "", "html": "", "ip_hash": None}
    return row | {"state": comment.state, "deleted": False, "author": _author(comment),
                  "email": _email(comment.email), "website": _website(comment.website),
                  "text": comment.text, "html": comment.html,
                  "ip_hash": hash_ip(ip_salt, (comment.ip or "").strip())}
