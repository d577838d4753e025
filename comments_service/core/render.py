"""Comment text to HTML, once, at write time: a Markdown subset rendered by Python-Markdown, then
sanitised by nh3 with an allow-list.

The subset: paragraphs, emphasis, links, inline code, code blocks (indented, or fenced with ```
or ~~~), quotes and lists. A single newline is a line break (`nl2br`, as in Isso and GitHub
comments), except inside code, whose lines are kept as typed. A fenced block's language becomes
class="language-…" on its <code> (no highlighting); fences are recognised only at the top level,
not inside quotes or lists (a limit of Python-Markdown's `fenced_code`). Headings of any level,
ATX or setext, become a paragraph of strong text. Raw HTML typed by the reader is shown as text
(Python-Markdown's HTML passthrough is switched off); images are dropped, alt text and all.
Links keep only http, https and mailto URLs and get rel="nofollow ugc noopener"; relative URLs
are dropped.
"""

import re
import threading
import xml.etree.ElementTree as etree

import markdown
import nh3
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = frozenset({"p", "br", "em", "strong", "a", "code", "pre", "blockquote", "ul", "ol", "li"})
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
#: The one class kept: a fenced block's language, as `fenced_code` writes it. Any other class
#: would let a reader borrow the page's own styles or script hooks (text dressed as a site
#: notice); fenced_code accepts [\w#.+-]+, this is the ASCII, bounded part of that.
LANGUAGE_CLASS = re.compile(r"language-[A-Za-z0-9_#.+-]{1,40}")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """nh3's attribute callback: `class` survives only on <code> and only as a single
    language-… name; every other allowed attribute passes unchanged (nh3 still checks URLs)."""
    if attribute == "class":
        return value if tag == "code" and LANGUAGE_CLASS.fullmatch(value) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={"a": {"href", "title"}, "ol": {"start"}, "code": {"class"}},
    attribute_filter=_filter_attribute,
    url_schemes=set(ALLOWED_URL_SCHEMES),
    url_relative="deny",
    link_rel=LINK_REL,
    strip_comments=True,
)
_URL = re.compile(r"(?i)\b(?:https?://|www\.|mailto:)")


def sanitize(html: str) -> str:
    """Keep only the allowed tags, attributes and URL schemes of an HTML fragment."""
    return _CLEANER.clean(html)


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


class HeadingsToStrong(Treeprocessor):
    """Each <h1>…<h6> becomes <p><strong>…</strong></p>, inline markup inside kept. A comment
    sits under the article's own headings, so a reader's heading must not join the page outline;
    the sanitiser alone would strip the tag and leave its text bare, outside any paragraph."""

    def run(self, root: etree.Element) -> None:
        for heading in [element for element in root.iter() if element.tag in _HEADINGS]:
            children = list(heading)
            heading.tag = "p"
            if heading.text or children:  # "#" alone: an empty paragraph, not an empty <strong>
                strong = etree.SubElement(heading, "strong")
                strong.text, heading.text = heading.text, None
                for child in children:
                    heading.remove(child)
                    strong.append(child)


_converters = threading.local()


def _markdown() -> markdown.Markdown:
    """This thread's converter (Markdown instances are not thread-safe; building one costs as
    much as the rest of a POST), reset for the next text, with HTML passthrough off."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        # fenced_code stashes its blocks before inline patterns run, and indented code and code
        # spans are atomic text, so nl2br never puts a <br> inside code.
        converter = _converters.markdown = markdown.Markdown(
            output_format="html", extensions=["fenced_code", "nl2br", "sane_lists"])
        converter.preprocessors.deregister("html_block")
        converter.inlinePatterns.deregister("html")
        # After "inline" (20), so the heading's inline markup is already elements to move; before
        # "prettify" (10), which lays out block elements by their final tag.
        converter.treeprocessors.register(HeadingsToStrong(converter), "headings_to_strong", 15)
    return converter.reset()


def render(text: str) -> str:
    """Render a comment's Markdown text to safe HTML."""
    return sanitize(_markdown().convert(text))


def count_links(text: str) -> int:
    """Web and mail addresses in the text as typed (linked or not): the spam signal MAX_LINKS caps."""
    return len(_URL.findall(text))
