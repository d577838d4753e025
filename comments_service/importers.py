"""Comments from Isso, Disqus and WordPress, as the threads and comments of our own export document
(transfer.py, docs/comments-export.schema.json). No Flask here: `convert` reads a source and
returns rows that transfer.py checks and writes exactly like one of its own exports, in one
transaction. The mapping of every field is documented in docs/migration.md.

Why `flask --app comments_service import --from isso|disqus|wordpress FILE` and not one command
per source: an import is the same operation whatever the source (read, check everything, refuse
or write all in one transaction, same empty-database rule, same progress and messages); only the
reading differs. One command with an option keeps a single documented entry point and a single
write path, where separate commands would repeat the options and the error handling.

Ids: a source's own ids (Disqus ids do not even fit our integer column) are not kept. Comments are
numbered 1, 2, 3... in the order they were posted (a reply always after its parent), so the
target database must be empty, as for any import: transfer.py refuses a database that already
holds threads or comments, and says so. Import once, before the service takes comments.

Hostile input: XML is parsed by defusedxml (entity declarations and external references are
refused, so no "billion laughs" and no local file reads), as a stream: only one Disqus post or
WordPress item is held as a tree at a time. Every problem raises SourceRejected naming the item
(and its line in the file when the XML parser gives one).
"""

import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from heapq import heappop, heappush
from html import unescape
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, TreeBuilder

import nh3
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from .core.comment import APPROVED, DELETED_AUTHOR, PENDING, REJECTED
from .core.limits import AUTHOR_MAX, EMAIL_MAX, WEBSITE_MAX
from .core.privacy import hash_ip
from .core.render import render, sanitize
from .core.times import as_utc, exact_isoformat

#: The sources `convert` reads, and what their files are.
SOURCES = {"isso": "an Isso database", "disqus": "a Disqus export", "wordpress": "a WordPress export"}
ANONYMOUS = "Anonymous"  # the author of a comment whose source has no name for it
_READ_SIZE = 1 << 16  # bytes fed to the XML parser at a time (and per progress step)


class SourceRejected(Exception):
    """The source cannot be imported; the message says why and names the offending item."""


class Converted(NamedTuple):
    """A source as the `threads` and `comments` of an export document, and what was left out."""

    threads: list[dict[str, Any]]
    comments: list[dict[str, Any]]
    skipped: Counter[str]  # reason -> number of comments


@dataclass
class Foreign:
    """One comment as a source holds it, before it gets our id."""

    key: str  # the source's id
    name: str  # how messages name it: "Disqus post 17 (line 40)"
    thread: str  # our slug (Disqus: its thread id until the threads are known)
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


class _Read(NamedTuple):
    comments: list[Foreign]
    skipped: dict[str, str]  # source id -> reason, for comments that are not imported


def convert(source: str, path: Path, *, ip_salt: str,
            on_read: Callable[[int], None] = lambda size: None) -> Converted:
    """Read `path` as an export of `source` (one of SOURCES). `on_read(n)` is told each time n
    more bytes of the file have been read. IP addresses are stored as hash_ip(ip_salt, ip)."""
    readers = {"isso": read_isso, "disqus": read_disqus, "wordpress": read_wordpress}
    read = readers[source](path, on_read)
    if not read.comments:
        raise SourceRejected(f"{path.name}: no comments found; is it {SOURCES[source]}?")
    return _converted(read, ip_salt)


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


def _slug_of(url: str | None, name: str) -> str:
    slug = article_slug(url or "")
    if slug is None:
        raise SourceRejected(f"{name}: its URL {url!r} names no article (expected a path ending "
                             "in the article's slug)")
    return slug


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


def _utc(text: str | None, name: str, field: str) -> datetime:
    """A source's date and time (ISO 8601; UTC when it has no offset)."""
    try:
        moment = datetime.fromisoformat((text or "").strip())
    except ValueError:
        raise SourceRejected(f"{name}: {field} {text!r} is not a date and time") from None
    return as_utc(moment)


_LINE_END = re.compile(r"(?i)(?:<br\s*/?>|</li\s*>)\s*")
_BLOCK_END = re.compile(r"(?i)</(?:p|blockquote|pre|ul|ol)\s*>\s*")
_BLANK_LINES = re.compile(r"\n\s*\n\s*")


def plain_text(html: str) -> str:
    """The words of an HTML fragment, a blank line after each paragraph and a newline for each
    line break (script and style content dropped): the `text` of a comment whose source holds
    HTML."""
    marked = _BLOCK_END.sub("\n\n", _LINE_END.sub("\n", html))
    return _BLANK_LINES.sub("\n\n", unescape(nh3.clean(marked, tags=set()))).strip()


def _paragraphs(text: str) -> str:
    """HTML for WordPress comment text as WordPress shows it: blank lines separate paragraphs,
    single newlines are line breaks (a small `wpautop`)."""
    blocks = (block.strip() for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")))
    return "".join(f"<p>{block.replace(chr(10), '<br>' + chr(10))}</p>" for block in blocks if block)


# From foreign comments to export rows -----------------------------------------------------------

def _converted(read: _Read, ip_salt: str) -> Converted:
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


# Isso --------------------------------------------------------------------------------------------

#: What is read of Isso's SQLite schema (Isso 0.14: isso/db/threads.py and comments.py).
_ISSO_COLUMNS = {
    "threads": {"id", "uri"},
    "comments": {"tid", "id", "parent", "created", "modified", "mode", "remote_addr", "text",
                 "author", "email", "website"},
}
#: Isso's `mode`: 1 published, 2 waiting for moderation, 4 deleted (kept because it had replies).
_ISSO_MODES = {1: (APPROVED, False), 2: (PENDING, False), 4: (APPROVED, True)}
_ISSO_QUERY = """
    SELECT c.id, c.parent, c.tid, t.uri, c.created, c.modified, c.mode, c.remote_addr, c.text,
           c.author, c.email, c.website
    FROM comments AS c LEFT JOIN threads AS t ON t.id = c.tid
    ORDER BY c.id"""


def read_isso(path: Path, on_read: Callable[[int], None]) -> _Read:
    """Every comment of an Isso database (opened read-only). Isso stores Markdown: it is kept as
    the text and rendered with our renderer."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as isso:
            _check_isso_schema(isso, path)
            rows = isso.execute(_ISSO_QUERY).fetchall()
    except sqlite3.DatabaseError as problem:
        raise SourceRejected(f"{path.name} is not a readable Isso database: {problem}") from None
    on_read(path.stat().st_size)
    return _Read([_isso_comment(row) for row in rows], skipped={})


def _check_isso_schema(isso: sqlite3.Connection, path: Path) -> None:
    for table, needed in _ISSO_COLUMNS.items():
        found = {row[1] for row in isso.execute(f"PRAGMA table_info({table})")}
        if not found:
            raise SourceRejected(f"{path.name} has no `{table}` table: is it an Isso database?")
        if missing := needed - found:
            raise SourceRejected(f"{path.name}: the `{table}` table lacks the column(s) "
                                 f"{', '.join(sorted(missing))}: is it an Isso database?")


def _isso_comment(row: tuple) -> Foreign:
    (key, parent, thread_id, uri, created, modified, mode, address, text, author, email,
     website) = row
    name = f"Isso comment {key}"
    if uri is None:
        raise SourceRejected(f"{name}: its thread {thread_id} is not in the `threads` table")
    if mode not in _ISSO_MODES:
        raise SourceRejected(f"{name}: unknown mode {mode!r} (Isso uses 1, 2 and 4)")
    state, deleted = _ISSO_MODES[mode]
    text = text or ""
    return Foreign(key=str(key), name=name, thread=_slug_of(uri, f"{name}, thread {uri!r}"),
                   parent=None if parent is None else str(parent), state=state, deleted=deleted,
                   author=author, email=email, website=website, text=text, html=render(text),
                   ip=address, created=_isso_time(created, name, "created"),
                   edited=None if modified is None else _isso_time(modified, name, "modified"))


def _isso_time(seconds: Any, name: str, field: str) -> datetime:
    """Isso stores Unix times as floats."""
    try:
        return datetime.fromtimestamp(float(seconds), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise SourceRejected(f"{name}: {field} {seconds!r} is not a Unix time") from None


# XML sources (streamed) --------------------------------------------------------------------------

class _RecordReader:
    """ElementTree parser target that builds only the `records` elements, each as a small tree
    handed to `on_record(element, line)` with the line it starts on: a large export is read in
    constant memory and messages can name lines. The root element must be `root`."""

    def __init__(self, kind: str, root: str, records: set[str],
                 on_record: Callable[[Element, int], None]):
        self._kind, self._root, self._records, self._on_record = kind, root, records, on_record
        self._builder: TreeBuilder | None = None
        self._open = 0  # elements open inside the current record
        self._record_line = 0
        self._seen_root = False
        self.line: Callable[[], int] = lambda: 0  # the parser's current line, set by _parse_xml

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if not self._seen_root:
            self._seen_root = True
            if tag != self._root:
                raise SourceRejected(f"this is not {self._kind}: its root element is {tag}, "
                                     f"not {self._root}")
        if self._builder is None:
            if tag not in self._records:
                return
            self._builder, self._record_line = TreeBuilder(), self.line()
        self._builder.start(tag, attrib)
        self._open += 1

    def data(self, text: str) -> None:
        if self._builder is not None:
            self._builder.data(text)

    def end(self, tag: str) -> None:
        if self._builder is None:
            return
        self._builder.end(tag)
        self._open -= 1
        if self._open == 0:
            record, self._builder = self._builder.close(), None
            self._on_record(record, self._record_line)

    def close(self) -> None:
        return None


def _parse_xml(path: Path, reader: _RecordReader, on_read: Callable[[int], None]) -> None:
    parser = DefusedXMLParser(target=reader)
    reader.line = lambda: parser.parser.CurrentLineNumber  # expat's position
    try:
        with path.open("rb") as file:
            while chunk := file.read(_READ_SIZE):
                parser.feed(chunk)
                on_read(len(chunk))
        parser.close()
    except ParseError as problem:
        raise SourceRejected(f"{path.name} is not complete, well-formed XML: {problem}") from None
    except DefusedXmlException as problem:
        raise SourceRejected(f"{path.name}, line {reader.line()}: refused {problem} (entity "
                             "declarations and external references are not accepted)") from None
    except SourceRejected as problem:
        raise SourceRejected(f"{path.name}: {problem}") from None


def _text(element: Element, path: str) -> str:
    return (element.findtext(path) or "").strip()


# Disqus ------------------------------------------------------------------------------------------

_DSQ = "{http://disqus.com}"
_DSQ_ID = "{http://disqus.com/disqus-internals}id"


def read_disqus(path: Path, on_read: Callable[[int], None]) -> _Read:
    """Every post of a Disqus XML export, in the thread its <thread><link> names. Messages are
    HTML: sanitised with our allow-list for `html`, reduced to plain text for `text`."""
    links: dict[str, tuple[str, str]] = {}  # thread id -> (link, how to name the thread)
    posts: list[Foreign] = []

    def on_record(element: Element, line: int) -> None:
        key = _required_id(element, f"<{element.tag.removeprefix(_DSQ)}> at line {line}")
        if element.tag == _DSQ + "thread":
            links[key] = (_text(element, _DSQ + "link"), f"Disqus thread {key} (line {line})")
        else:
            posts.append(_disqus_post(element, key, f"Disqus post {key} (line {line})"))

    records = {_DSQ + "thread", _DSQ + "post"}
    _parse_xml(path, _RecordReader(SOURCES["disqus"], _DSQ + "disqus", records, on_record), on_read)
    slugs: dict[str, str] = {}  # of the threads that have posts (only those need a good link)
    for post in posts:
        if post.thread not in links:
            raise SourceRejected(f"{post.name}: its thread {post.thread} is not in the file")
        if post.thread not in slugs:
            slugs[post.thread] = _slug_of(*links[post.thread])
        post.thread = slugs[post.thread]
    return _Read(posts, skipped={})


def _required_id(element: Element, name: str) -> str:
    key = (element.get(_DSQ_ID) or "").strip()
    if not key:
        raise SourceRejected(f"{name} has no dsq:id")
    return key


def _disqus_post(post: Element, key: str, name: str) -> Foreign:
    thread, parent = post.find(_DSQ + "thread"), post.find(_DSQ + "parent")
    if thread is None:
        raise SourceRejected(f"{name} names no thread")
    message = post.findtext(_DSQ + "message") or ""
    author = _text(post, f"{_DSQ}author/{_DSQ}name") or _text(post, f"{_DSQ}author/{_DSQ}username")
    return Foreign(
        key=key, name=name, thread=_required_id(thread, f"{name}: its <thread>"),
        parent=None if parent is None else _required_id(parent, f"{name}: its <parent>"),
        state=REJECTED if _text(post, _DSQ + "isSpam") == "true" else APPROVED,
        deleted=_text(post, _DSQ + "isDeleted") == "true",
        author=author, email=_text(post, f"{_DSQ}author/{_DSQ}email"), website=None,
        text=plain_text(message), html=sanitize(message), ip=_text(post, _DSQ + "ipAddress"),
        created=_utc(post.findtext(_DSQ + "createdAt"), name, "createdAt"))


# WordPress ---------------------------------------------------------------------------------------

_WXR_NAMESPACE = re.compile(r"\{http://wordpress\.org/export/1\.\d+/\}")
#: comment_approved: published, waiting, spam, in the trash (itself or with its post).
_WXR_STATES = {"1": (APPROVED, False), "0": (PENDING, False), "spam": (REJECTED, False),
               "trash": (APPROVED, True), "post-trashed": (APPROVED, True)}
_WXR_COMMENT_TYPES = ("", "comment")  # the rest: pingbacks, trackbacks, plugins' private notes


def read_wordpress(path: Path, on_read: Callable[[int], None]) -> _Read:
    """Every comment of a WordPress WXR export, in the thread of its item (<wp:post_name>, else
    the last segment of <link>). Pingbacks, trackbacks and other comment types are skipped."""
    comments: list[Foreign] = []
    skipped: dict[str, str] = {}

    def on_record(item: Element, line: int) -> None:
        slug = None  # found when the item has a comment to import
        for comment in _wp_children(item, "comment"):
            fields = {name: (child.text or "").strip() for name, child in _wp_fields(comment)}
            key = fields.get("comment_id", "")
            name = f"WordPress comment {key} (in the <item> at line {line})"
            if not key:
                raise SourceRejected(f"a comment of the <item> at line {line} has no comment_id")
            if fields.get("comment_type", "") not in _WXR_COMMENT_TYPES:
                skipped[key] = fields["comment_type"]
                continue
            slug = slug or _wxr_slug(item, line)
            comments.append(_wxr_comment(fields, key, name, slug))

    _parse_xml(path, _RecordReader(SOURCES["wordpress"], "rss", {"item"}, on_record), on_read)
    return _Read(comments, skipped)


def _wp_fields(element: Element):
    """(local name, child) for each child in the WXR namespace (any WXR version)."""
    for child in element:
        if match := _WXR_NAMESPACE.match(child.tag):
            yield child.tag[match.end():], child


def _wp_children(element: Element, name: str) -> list[Element]:
    return [child for local, child in _wp_fields(element) if local == name]


def _wxr_slug(item: Element, line: int) -> str:
    post_name = unquote(next((child.text or "" for child in _wp_children(item, "post_name")), ""))
    post_name = post_name.strip()
    return post_name or _slug_of(item.findtext("link"), f"the <item> at line {line}")


def _wxr_comment(fields: dict[str, str], key: str, name: str, slug: str) -> Foreign:
    approved = fields.get("comment_approved", "")
    if approved not in _WXR_STATES:
        raise SourceRejected(f"{name}: unknown comment_approved {approved!r}")
    state, deleted = _WXR_STATES[approved]
    parent = fields.get("comment_parent", "0")
    html = sanitize(_paragraphs(fields.get("comment_content", "")))
    return Foreign(key=key, name=name, thread=slug, parent=None if parent in ("", "0") else parent,
                   state=state, deleted=deleted, author=fields.get("comment_author"),
                   email=fields.get("comment_author_email"),
                   website=fields.get("comment_author_url"), text=plain_text(html), html=html,
                   ip=fields.get("comment_author_IP"), created=_wxr_time(fields, name))


def _wxr_time(fields: dict[str, str], name: str) -> datetime:
    """comment_date_gmt; WordPress leaves it 0000-00-00 on some comments (spam, drafts): then
    comment_date, the site's local time, is taken as UTC."""
    gmt = fields.get("comment_date_gmt", "")
    if gmt and not gmt.startswith("0000"):
        return _utc(gmt, name, "comment_date_gmt")
    return _utc(fields.get("comment_date"), name, "comment_date")
