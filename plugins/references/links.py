"""Bare http(s) URLs in a reference entry turned into links, in an ElementTree subtree.

Contract of `link_bare_urls(element)`:

* every `http://` or `https://` run in the text and tails below `element` becomes
  `<a href="URL">URL</a>`, the surrounding text kept exactly as it was;
* a URL ends before whitespace, `<`, `>`, quotes, Python-Markdown's placeholder markers, and
  any trailing sentence punctuation or unbalanced `)` ("see https://x.org/a." links
  `https://x.org/a`; "https://x.org/A_(b)" keeps its parenthesis);
* nothing inside `<a>`, `<code>` or `<pre>` is touched, nor `AtomicString` text (already final);
* elements are changed in place; nothing else about the tree changes.

`short_url(url)` is the link text of a URL in a named reference (`sources.py`): host and path,
without scheme, user, `www.`, query or fragment (`https://www.example.org/a/b/?q#f` reads
`example.org/a/b`); when longer than `SHORT_URL_LENGTH` characters, the middle of the path gives
way to `…` (`host/first/…/last`, else `host/…/last`), else the end (`host/first-part…`).

Plain ElementTree only: no Markdown instance is needed, so it can run on any finished subtree.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from urllib.parse import urlsplit

from markdown.util import AtomicString

# \x02 and \x03 delimit Python-Markdown's inline placeholders: a URL never runs into one.
BARE_URL = re.compile(r"https?://[^\s<>\"'\x02\x03]+")
URL_TRAILING_PUNCTUATION = ".,;:!?'\""
NO_LINK_TAGS = frozenset({"a", "code", "pre"})
SHORT_URL_LENGTH = 50
ELLIPSIS = "…"


def link_bare_urls(element: etree.Element) -> None:
    """Turn bare http(s) URLs in the text of `element` into links (not inside a/code/pre)."""
    element.text, links = _split_urls(element.text)
    for position, link in enumerate(links):
        element.insert(position, link)
    for child in list(element):
        if child.tag not in NO_LINK_TAGS:
            link_bare_urls(child)
        child.tail, links = _split_urls(child.tail)
        index = list(element).index(child)
        for offset, link in enumerate(links, start=1):
            element.insert(index + offset, link)


def _split_urls(text: str | None) -> tuple[str | None, list[etree.Element]]:
    """Split `text` into its part before the first URL and `<a>` elements carrying the rest."""
    if not text or "http" not in text or isinstance(text, AtomicString):
        return text, []
    links = []
    head = None
    position = 0
    for match in BARE_URL.finditer(text):
        url = trim_url(match.group(0))
        before = text[position:match.start()]
        if links:
            links[-1].tail = before
        else:
            head = before
        link = etree.Element("a", {"href": url})
        link.text = AtomicString(url)
        links.append(link)
        position = match.start() + len(url)
    if not links:
        return text, []
    links[-1].tail = text[position:] or None
    return head or None, links


def trim_url(url: str) -> str:
    """Drop sentence punctuation and an unbalanced closing parenthesis from a URL's end."""
    while url:
        if url[-1] in URL_TRAILING_PUNCTUATION:
            url = url[:-1]
        elif url[-1] == ")" and url.count(")") > url.count("("):
            url = url[:-1]
        else:
            break
    return url


def short_url(url: str) -> str:
    """The shortened text of `url` (see the module docstring); `url` itself if it has no host."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return url
    host = parts.netloc.rpartition("@")[2]
    if host[:4].lower() == "www.":
        host = host[4:]
    if not host:
        return url
    path = parts.path.rstrip("/")
    text = host + path
    if len(text) <= SHORT_URL_LENGTH:
        return text
    segments = path.strip("/").split("/")
    shorter = [f"{host}/{segments[0]}/{ELLIPSIS}/{segments[-1]}"] if len(segments) > 2 else []
    if len(segments) > 1:
        shorter.append(f"{host}/{ELLIPSIS}/{segments[-1]}")
    for candidate in shorter:
        if len(candidate) <= SHORT_URL_LENGTH:
            return candidate
    return text[:SHORT_URL_LENGTH - 1] + ELLIPSIS
