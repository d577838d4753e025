"""The Disqus reader: every post of a Disqus XML export.

Contract: `read(path, on_read)` streams the file through xml.py (root <disqus>, records <thread>
and <post>) and yields each <thread> as a Thread (its <link> names the article; <isDeleted>
marks a thread deleted in Disqus, whose posts are then not imported) and each <post> as a
Foreign in the thread its <thread dsq:id> refers to (threads may come after their posts).
Messages are HTML: converted to Markdown keeping link targets (html_text.py) for `text`, and
`html` rendered from that text exactly as a later edit would render it. Spam (<isSpam>) is kept
as rejected, <isDeleted> posts as deleted. The poster's address is <ipAddress>; Disqus exports
have no website. A post that cannot be read is an Invalid naming it with its line.
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

from ..core.comment import APPROVED, REJECTED
from .common import foreign_text, utc
from .items import Foreign, Invalid, SourceRejected, Thread
from .xml import records, text_of

DESCRIPTION = "a Disqus export"

_DSQ = "{http://disqus.com}"
_DSQ_ID = "{http://disqus.com/disqus-internals}id"


def read(path: Path, on_read: Callable[[int], None]) -> Iterator[Thread | Foreign | Invalid]:
    """Every thread and post of a Disqus XML export, in file order."""
    tags = {_DSQ + "thread", _DSQ + "post"}
    for element, line in records(path, DESCRIPTION, _DSQ + "disqus", tags, on_read):
        kind = element.tag.removeprefix(_DSQ)
        key = (element.get(_DSQ_ID) or "").strip()
        name = f"Disqus {kind} {key} (line {line})"
        if not key:
            yield Invalid(None, f"the <{kind}> at line {line}", "it has no dsq:id")
        elif kind == "thread":
            yield Thread(ref=key, name=name, url=text_of(element, _DSQ + "link") or None,
                         deleted=text_of(element, _DSQ + "isDeleted") == "true")
        else:
            try:
                yield _post(element, key, name)
            except SourceRejected as problem:
                yield Invalid(key, name, str(problem))


def _required_id(element: Element | None, what: str) -> str:
    key = "" if element is None else (element.get(_DSQ_ID) or "").strip()
    if not key:
        raise SourceRejected(f"{what} has no dsq:id")
    return key


def _post(post: Element, key: str, name: str) -> Foreign:
    """A <post>, its `thread` the Disqus thread id."""
    parent = post.find(_DSQ + "parent")
    thread = _required_id(post.find(_DSQ + "thread"), "its <thread>")
    text, html = foreign_text(post.findtext(_DSQ + "message") or "")
    author = (text_of(post, f"{_DSQ}author/{_DSQ}name")
              or text_of(post, f"{_DSQ}author/{_DSQ}username"))
    return Foreign(
        key=key, name=name, thread=thread,
        parent=None if parent is None else _required_id(parent, "its <parent>"),
        state=REJECTED if text_of(post, _DSQ + "isSpam") == "true" else APPROVED,
        deleted=text_of(post, _DSQ + "isDeleted") == "true",
        author=author, email=text_of(post, f"{_DSQ}author/{_DSQ}email"), website=None,
        text=text, html=html, ip=text_of(post, _DSQ + "ipAddress"),
        created=utc(post.findtext(_DSQ + "createdAt"), "createdAt"))
