"""The Disqus reader: every post of a Disqus XML export.

Contract: `read(path, on_read)` streams the file through xml.py (root <disqus>, records <thread>
and <post>) and returns every post as a Foreign, in file order, in the thread that its
<thread dsq:id> refers to; that thread's <link> gives the article's slug. Only threads that have
posts need a link naming an article. Messages are HTML: sanitised with our allow-list for
`html`, reduced to plain text for `text`. Spam (<isSpam>) is kept as rejected, <isDeleted>
posts as deleted. The poster's address is <ipAddress>; Disqus exports have no website.
"""

from collections.abc import Callable
from pathlib import Path
from xml.etree.ElementTree import Element

from ..core.comment import APPROVED, REJECTED
from ..core.render import sanitize
from .common import Foreign, Read, SourceRejected, plain_text, slug_of, utc
from .xml import RecordReader, parse_xml, text_of

DESCRIPTION = "a Disqus export"

_DSQ = "{http://disqus.com}"
_DSQ_ID = "{http://disqus.com/disqus-internals}id"


def read(path: Path, on_read: Callable[[int], None]) -> Read:
    """Every post of a Disqus XML export, in the thread its <thread><link> names."""
    links: dict[str, tuple[str, str]] = {}  # thread id -> (link, how to name the thread)
    posts: list[Foreign] = []

    def on_record(element: Element, line: int) -> None:
        key = _required_id(element, f"<{element.tag.removeprefix(_DSQ)}> at line {line}")
        if element.tag == _DSQ + "thread":
            links[key] = (text_of(element, _DSQ + "link"), f"Disqus thread {key} (line {line})")
        else:
            posts.append(_post(element, key, f"Disqus post {key} (line {line})"))

    records = {_DSQ + "thread", _DSQ + "post"}
    parse_xml(path, RecordReader(DESCRIPTION, _DSQ + "disqus", records, on_record), on_read)
    slugs: dict[str, str] = {}  # of the threads that have posts (only those need a good link)
    for post in posts:
        if post.thread not in links:
            raise SourceRejected(f"{post.name}: its thread {post.thread} is not in the file")
        if post.thread not in slugs:
            slugs[post.thread] = slug_of(*links[post.thread])
        post.thread = slugs[post.thread]
    return Read(posts, skipped={})


def _required_id(element: Element, name: str) -> str:
    key = (element.get(_DSQ_ID) or "").strip()
    if not key:
        raise SourceRejected(f"{name} has no dsq:id")
    return key


def _post(post: Element, key: str, name: str) -> Foreign:
    """A <post>, its `thread` still the Disqus thread id (threads may come later in the file)."""
    thread, parent = post.find(_DSQ + "thread"), post.find(_DSQ + "parent")
    if thread is None:
        raise SourceRejected(f"{name} names no thread")
    message = post.findtext(_DSQ + "message") or ""
    author = (text_of(post, f"{_DSQ}author/{_DSQ}name")
              or text_of(post, f"{_DSQ}author/{_DSQ}username"))
    return Foreign(
        key=key, name=name, thread=_required_id(thread, f"{name}: its <thread>"),
        parent=None if parent is None else _required_id(parent, f"{name}: its <parent>"),
        state=REJECTED if text_of(post, _DSQ + "isSpam") == "true" else APPROVED,
        deleted=text_of(post, _DSQ + "isDeleted") == "true",
        author=author, email=text_of(post, f"{_DSQ}author/{_DSQ}email"), website=None,
        text=plain_text(message), html=sanitize(message), ip=text_of(post, _DSQ + "ipAddress"),
        created=utc(post.findtext(_DSQ + "createdAt"), name, "createdAt"))
