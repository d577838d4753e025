"""Bare http(s) URLs in a reference entry turned into links, in an ElementTree subtree.

Contract of `link_bare_urls(element)`:

* every `http://` or `https://` run in the text and tails below `element` becomes
  `<a href="URL">URL</a>`, the surrounding text kept exactly as it was;
* a URL ends before whitespace, `<`, `>`, quotes, Python-Markdown's placeholder markers, and
  any trailing sentence punctuation or unbalanced `)` ("see https://x.org/a." links
  `https://x.org/a`; "https://x.org/A_(b)" keeps its parenthesis);
* nothing inside `<a>`, `<code>` or `<pre>` is touched, nor `AtomicString` text (already final);
* elements are changed in place; nothing else about the tree changes.

Plain ElementTree only: no Markdown instance is needed, so it can run on any finished subtree.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown.util import AtomicString

# \x02 and \x03 delimit Python-Markdown's inline placeholders: a URL never runs into one.
BARE_URL = re.compile(r"https?://[^\s<>\"'\x02\x03]+")
URL_TRAILING_PUNCTUATION = ".,;:!?'\""
NO_LINK_TAGS = frozenset({"a", "code", "pre"})


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
        url = _trim_url(match.group(0))
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


def _trim_url(url: str) -> str:
    """Drop sentence punctuation and an unbalanced closing parenthesis from a URL's end."""
    while url:
        if url[-1] in URL_TRAILING_PUNCTUATION:
            url = url[:-1]
        elif url[-1] == ")" and url.count(")") > url.count("("):
            url = url[:-1]
        else:
            break
    return url
