"""The WordPress reader: every comment of a WordPress WXR export (any WXR 1.x version).

Contract: `read(path, on_read)` streams the file through xml.py (root <rss>, one record per
<item>, WXR namespace of any version, http or https) and yields, for each item with comments,
its Thread (<wp:post_name>, else the last segment of <link>) then each <wp:comment> of type ""
or "comment" as a Foreign, in file order. Pingbacks, trackbacks and plugins' own comment types
(WooCommerce order notes...) are Skipped by type; a reply to one becomes a top-level comment.
comment_approved maps to our states: spam is kept as rejected, trash as deleted. The content is
WordPress's (blank lines between paragraphs, HTML allowed): laid out as WordPress shows it, then
converted to Markdown keeping link targets (html_text.py), `html` rendered from that text. A
comment that cannot be read is an Invalid naming it and its item's line.
"""

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from ..core.comment import APPROVED, PENDING, REJECTED
from .common import foreign_text, utc
from .items import Foreign, Invalid, Skipped, SourceRejected, Thread
from .xml import records

DESCRIPTION = "a WordPress export"

#: WXR's namespace, whatever version and scheme WordPress wrote (1.0 to 1.2, http or https).
_NAMESPACE = re.compile(r"\{https?://wordpress\.org/export/\d+(?:\.\d+)*/\}")
#: comment_approved: published, waiting, spam, in the trash (itself or with its post).
_STATES = {"1": (APPROVED, False), "0": (PENDING, False), "spam": (REJECTED, False),
           "trash": (APPROVED, True), "post-trashed": (APPROVED, True)}
_COMMENT_TYPES = ("", "comment")  # the rest: pingbacks, trackbacks, plugins' private notes


def read(path: Path, on_read: Callable[[int], None]) -> Iterator[Thread | Foreign | Skipped | Invalid]:
    """Every comment of a WordPress WXR export, each after the Thread of its item. Pingbacks,
    trackbacks and other comment types are Skipped."""
    for item, line in records(path, DESCRIPTION, "rss", {"item"}, on_read):
        thread = None  # yielded before the item's first comment to import
        for comment in _children(item, "comment"):
            fields = {name: (child.text or "").strip() for name, child in _fields(comment)}
            key = fields.get("comment_id", "")
            name = f"WordPress comment {key} (in the <item> at line {line})"
            if not key:
                yield Invalid(None, f"a comment of the <item> at line {line}", "it has no comment_id")
            elif fields.get("comment_type", "") not in _COMMENT_TYPES:
                yield Skipped(key, fields["comment_type"])
            else:
                if thread is None:
                    thread = _thread(item, line)
                    yield thread
                try:
                    yield _comment(fields, key, name, thread.ref)
                except SourceRejected as problem:
                    yield Invalid(key, name, str(problem))


def _fields(element: Element) -> Iterator[tuple[str, Element]]:
    """(local name, child) for each child in the WXR namespace (any WXR version)."""
    for child in element:
        if match := _NAMESPACE.match(child.tag):
            yield child.tag[match.end():], child


def _children(element: Element, name: str) -> list[Element]:
    return [child for local, child in _fields(element) if local == name]


def _thread(item: Element, line: int) -> Thread:
    post_name = unquote(next((child.text or "" for child in _children(item, "post_name")), ""))
    return Thread(ref=f"item:{line}", name=f"the <item> at line {line}",
                  url=(item.findtext("link") or "").strip() or None, slug=post_name.strip() or None)


def _comment(fields: dict[str, str], key: str, name: str, thread: str) -> Foreign:
    approved = fields.get("comment_approved")
    if approved is None:
        raise SourceRejected("it has no comment_approved (WordPress writes 1, 0, spam or trash)")
    if approved not in _STATES:
        raise SourceRejected(f"unknown comment_approved {approved!r} (WordPress writes 1, 0, "
                             "spam or trash)")
    state, deleted = _STATES[approved]
    parent = fields.get("comment_parent", "0")
    text, html = foreign_text(_paragraphs(fields.get("comment_content", "")))
    return Foreign(key=key, name=name, thread=thread, parent=None if parent in ("", "0") else parent,
                   state=state, deleted=deleted, author=fields.get("comment_author"),
                   email=fields.get("comment_author_email"),
                   website=fields.get("comment_author_url"), text=text, html=html,
                   ip=fields.get("comment_author_IP"), created=_time(fields))


def _time(fields: dict[str, str]) -> datetime:
    """comment_date_gmt; WordPress leaves it 0000-00-00 on some comments (spam, drafts): then
    comment_date, the site's local time, is taken as UTC."""
    gmt = fields.get("comment_date_gmt", "")
    if gmt and not gmt.startswith("0000"):
        return utc(gmt, "comment_date_gmt")
    return utc(fields.get("comment_date"), "comment_date")


def _paragraphs(text: str) -> str:
    """HTML for WordPress comment text as WordPress shows it: blank lines separate paragraphs,
    single newlines are line breaks (a small `wpautop`)."""
    blocks = (block.strip() for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")))
    return "".join(f"<p>{block.replace(chr(10), '<br>' + chr(10))}</p>" for block in blocks if block)
