"""What readers say about each source: a comments link beside every reference, and paragraph
anchors, on articles that have a comment thread (issue 13).

Readers can attach a comment to a reference [n] or flag a paragraph; the comments section labels
such a comment "on [2]" (linking `#NS-ref-2`) or "on paragraph 3" (linking `#NS-p-3`). Here the
article's HTML gets, once the comments plugin has attached its thread (`article.comments_thread`,
with `reference_counts` {n: published comments about [n]} when the service provides them):

* after the back-links of entry n, `<a class="ref-comments" href="#comment-form" data-ref="n">`
  reading "N comments", or text-less (the theme draws a glyph, as for back-links) with an
  `aria-label` when there are none, so a source nobody discussed reads exactly as before. It
  leads to the form (the widget preselects "About: [n]"); a closed thread's links lead to the
  comments, and a closed thread with none gets no link;
* every `<p>` of the body before the references section the id `NS-p-k` (k from 1, in document
  order), unless it has an id already.

It runs on `article_generator_write_article`, just before the page is written (the comments
plugin bakes its threads on `article_generator_finalized`), and works on the HTML the extension
produced: entries are `<li id="NS-ref-n">` whose back-links are one `<span class="backlinks">`
(or `"backlinks lettered"`) holding only links (section.py), so the end of that span is found
without parsing.
"""

import re
from collections.abc import Mapping
from itertools import count as numbers
from itertools import islice

from pelican.contents import Content

from .section import SECTION_ATTRIBUTES

ENTRY = re.compile(r'<li id="(?P<namespace>[^"]+)-ref-(?P<number>\d+)"')
BACKLINKS = '<span class="backlinks'  # then `">` or ` lettered">`
PARAGRAPH = re.compile(r"<p(?P<attributes>\s[^>]*)?>")


def comment_link(number: int, count: int, is_open: bool) -> str:
    """The link beside entry `number`, or "" (closed thread, nothing said)."""
    href = "#comment-form" if is_open else "#comments"
    if count:
        label = f"{count} comment{'' if count == 1 else 's'}"
        return f' <a class="ref-comments" href="{href}" data-ref="{number}">{label}</a>'
    if not is_open:
        return ""
    return (f' <a class="ref-comments" href="{href}" data-ref="{number}"'
            f' aria-label="Comment on source [{number}]"></a>')


def number_paragraphs(body: str, namespace: str) -> str:
    """Every `<p>` of `body` with the id `{namespace}-p-{k}`, k counting every paragraph."""
    counter = numbers(1)

    def anchored(match: re.Match) -> str:
        number = next(counter)
        attributes = match["attributes"] or ""
        if re.search(r"\sid=", attributes):
            return match[0]
        return f'<p id="{namespace}-p-{number}"{attributes}>'

    return PARAGRAPH.sub(anchored, body)


def link_references(section: str, counts: Mapping, is_open: bool) -> str:
    """The references section with a comments link after the back-links of every entry."""
    pieces, start = [], 0
    for entry in ENTRY.finditer(section):
        backlinks = section.find(BACKLINKS, entry.end())
        if backlinks == -1:
            continue
        end = section.index("</span>", backlinks) + len("</span>")
        number = int(entry["number"])
        count = counts.get(number, counts.get(str(number), 0))
        pieces += [section[start:end], comment_link(number, count, is_open)]
        start = end
    return "".join(pieces) + section[start:]


def annotate(html: str, namespace: str, counts: Mapping, is_open: bool) -> str:
    """`html` (an article's content) with paragraph anchors and reference comment links."""
    attributes = html.rfind(SECTION_ATTRIBUTES)
    split = len(html) if attributes == -1 else html.rfind("<section", 0, attributes)
    return number_paragraphs(html[:split], namespace) + link_references(html[split:], counts, is_open)


class RenderedIndex:
    """Which contents Pelican has memoized a `get_content` of, so that one article's entries
    can be dropped without scanning the whole cache (a scan per article made the build
    quadratic: 1,000,000 key checks at 1,000 articles). The cache is a dict that Pelican only
    adds to, keyed `(content, siteurl)`; the keys added since the last look are the last ones in
    insertion order, read from the end."""

    def __init__(self) -> None:
        self._cache: dict | None = None
        self._known = 0
        self._keys: dict[int, list] = {}

    def forget(self, content) -> None:
        """Drop every memoized `get_content` of `content`."""
        cache = Content.get_content.cache
        added = len(cache) - self._known
        if cache is not self._cache or added < 0:  # a new cache, or one cleared: look at it all
            self._cache, self._keys, added = cache, {}, len(cache)
        for key in islice(reversed(cache), added):
            if key:
                self._keys.setdefault(id(key[0]), []).append(key)
        for key in self._keys.pop(id(content), ()):
            if key[0] is content:
                cache.pop(key, None)
        self._known = len(cache)


RENDERED = RenderedIndex()


def add_comment_links(generator, content) -> None:
    """`article_generator_write_article` handler: annotate an article that has a thread."""
    thread = getattr(content, "comments_thread", None)
    if not thread or not content._content:
        return
    content._content = annotate(content._content, thread["slug"],
                                thread.get("reference_counts") or {}, thread["open"])
    # Pelican memoizes get_content per (article, site URL): drop what was computed before.
    RENDERED.forget(content)
