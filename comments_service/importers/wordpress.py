"""The WordPress reader: every comment of a WordPress WXR export (any WXR 1.x version).

Contract: `read(path, on_read)` streams the file through xml.py (root <rss>, one record per
<item>) and returns each <wp:comment> of type "" or "comment" as a Foreign, in file order, in
the thread of its item: <wp:post_name>, else the last segment of <link>. Pingbacks, trackbacks
and plugins' own comment types (WooCommerce order notes...) are skipped and reported by type;
a reply to a skipped comment becomes a top-level comment (common.py). comment_approved maps to
our states: spam is kept as rejected, trash as deleted. The text is WordPress's (blank lines
between paragraphs): rendered as WordPress shows it, then sanitised with our allow-list.
"""

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from ..core.comment import APPROVED, PENDING, REJECTED
from ..core.render import sanitize
from .common import Foreign, Read, SourceRejected, plain_text, slug_of, utc
from .xml import RecordReader, parse_xml

DESCRIPTION = "a WordPress export"

_NAMESPACE = re.compile(r"\{http://wordpress\.org/export/1\.\d+/\}")
#: comment_approved: published, waiting, spam, in the trash (itself or with its post).
_STATES = {"1": (APPROVED, False), "0": (PENDING, False), "spam": (REJECTED, False),
           "trash": (APPROVED, True), "post-trashed": (APPROVED, True)}
_COMMENT_TYPES = ("", "comment")  # the rest: pingbacks, trackbacks, plugins' private notes


def read(path: Path, on_read: Callable[[int], None]) -> Read:
    """Every comment of a WordPress WXR export, in the thread of its item. Pingbacks, trackbacks
    and other comment types are skipped."""
    comments: list[Foreign] = []
    skipped: dict[str, str] = {}

    def on_record(item: Element, line: int) -> None:
        slug = None  # found when the item has a comment to import
        for comment in _children(item, "comment"):
            fields = {name: (child.text or "").strip() for name, child in _fields(comment)}
            key = fields.get("comment_id", "")
            name = f"WordPress comment {key} (in the <item> at line {line})"
            if not key:
                raise SourceRejected(f"a comment of the <item> at line {line} has no comment_id")
            if fields.get("comment_type", "") not in _COMMENT_TYPES:
                skipped[key] = fields["comment_type"]
                continue
            slug = slug or _slug(item, line)
            comments.append(_comment(fields, key, name, slug))

    parse_xml(path, RecordReader(DESCRIPTION, "rss", {"item"}, on_record), on_read)
    return Read(comments, skipped)


def _fields(element: Element) -> Iterator[tuple[str, Element]]:
    """(local name, child) for each child in the WXR namespace (any WXR version)."""
    for child in element:
        if match := _NAMESPACE.match(child.tag):
            yield child.tag[match.end():], child


def _children(element: Element, name: str) -> list[Element]:
    return [child for local, child in _fields(element) if local == name]


def _slug(item: Element, line: int) -> str:
    post_name = unquote(next((child.text or "" for child in _children(item, "post_name")), ""))
    post_name = post_name.strip()
    return post_name or slug_of(item.findtext("link"), f"the <item> at line {line}")


def _comment(fields: dict[str, str], key: str, name: str, slug: str) -> Foreign:
    approved = fields.get("comment_approved", "")
    if approved not in _STATES:
        raise SourceRejected(f"{name}: unknown comment_approved {approved!r}")
    state, deleted = _STATES[approved]
    parent = fields.get("comment_parent", "0")
    html = sanitize(_paragraphs(fields.get("comment_content", "")))
    return Foreign(key=key, name=name, thread=slug, parent=None if parent in ("", "0") else parent,
                   state=state, deleted=deleted, author=fields.get("comment_author"),
                   email=fields.get("comment_author_email"),
                   website=fields.get("comment_author_url"), text=plain_text(html), html=html,
                   ip=fields.get("comment_author_IP"), created=_time(fields, name))


def _time(fields: dict[str, str], name: str) -> datetime:
    """comment_date_gmt; WordPress leaves it 0000-00-00 on some comments (spam, drafts): then
    comment_date, the site's local time, is taken as UTC."""
    gmt = fields.get("comment_date_gmt", "")
    if gmt and not gmt.startswith("0000"):
        return utc(gmt, name, "comment_date_gmt")
    return utc(fields.get("comment_date"), name, "comment_date")


def _paragraphs(text: str) -> str:
    """HTML for WordPress comment text as WordPress shows it: blank lines separate paragraphs,
    single newlines are line breaks (a small `wpautop`)."""
    blocks = (block.strip() for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")))
    return "".join(f"<p>{block.replace(chr(10), '<br>' + chr(10))}</p>" for block in blocks if block)
