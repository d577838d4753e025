"""Comment text to HTML, once, at write time: a Markdown subset rendered by Python-Markdown, then
sanitised by nh3 with an allow-list.

The subset: paragraphs, emphasis, links, inline and block code, quotes, lists. A single newline
is a line break (`nl2br`, as in Isso and GitHub comments), except inside code, whose lines are
kept as typed. Raw HTML typed by the reader is shown as text (Python-Markdown's HTML passthrough
is switched off); headings and images lose their markup (their text stays). Links keep only
http, https and mailto URLs and get rel="nofollow ugc noopener"; relative URLs are dropped.
"""

import re
import threading

import markdown
import nh3

ALLOWED_TAGS = frozenset({"p", "br", "em", "strong", "a", "code", "pre", "blockquote", "ul", "ol", "li"})
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={"a": {"href", "title"}, "ol": {"start"}},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    url_relative="deny",
    link_rel=LINK_REL,
    strip_comments=True,
)
_URL = re.compile(r"(?i)\b(?:https?://|www\.|mailto:)")


def sanitize(html: str) -> str:
    """Keep only the allowed tags, attributes and URL schemes of an HTML fragment."""
    return _CLEANER.clean(html)


_converters = threading.local()


def _markdown() -> markdown.Markdown:
    """This thread's converter (Markdown instances are not thread-safe; building one costs as
    much as the rest of a POST), reset for the next text, with HTML passthrough off."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        # Indented code and code spans are atomic text, so nl2br never puts a <br> inside code.
        converter = _converters.markdown = markdown.Markdown(output_format="html", extensions=["nl2br"])
        converter.preprocessors.deregister("html_block")
        converter.inlinePatterns.deregister("html")
    return converter.reset()


def render(text: str) -> str:
    """Render a comment's Markdown text to safe HTML."""
    return sanitize(_markdown().convert(text))


def count_links(text: str) -> int:
    """Web and mail addresses in the text as typed (linked or not): the spam signal MAX_LINKS caps."""
    return len(_URL.findall(text))
