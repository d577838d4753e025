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

Text that Python-Markdown would take seconds over, or recurse too deep in, is shown as typed
(`plain`: escaped, its paragraphs and line breaks kept), never refused and never a 500:
- Its link and image patterns scan from each "[" to the matching "]" (and from each "](" to
  the matching ")"), to the end of the block when there is none. So brackets left open by the
  thousand cost time quadratic in the text: 10,000 "[" took 9 s. `bracket_scan_cost` counts
  those scans, over-estimating, in one pass over the brackets, and SCAN_BUDGET bounds them.
- Lists nested some 500 deep ("1. 1. 1. ...") exhaust Python's recursion limit.
"""

import bisect
import html
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


#: What bracket_scan_cost may count in one text. Markdown's five link and image patterns each
#: scan, so it does a few times that: texts just under it took up to 55 ms to render (10,000 "["
#: took 9 s). A comment's links and code stay far below it: about its length, or less.
SCAN_BUDGET = 100_000
#: A bracket, with the backslashes before it (an odd number escapes it: Markdown stashes an
#: escaped character before the link patterns run, so it neither opens nor closes a scan).
_BRACKETS = re.compile(r"(?<!\\)\\*[][()]")
#: What Markdown stashes before the link patterns run, each as a placeholder of ~16 characters
#: that the scans then cover: an escaped character (2 in the text: 14 more) and a code span
#: (counted as 7 more per backtick).
_STASHED = re.compile(r"\\.|`", re.DOTALL)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def render(text: str) -> str:
    """Render a comment's Markdown text to safe HTML (as plain text past what Markdown can do in
    good time: module docstring)."""
    if bracket_scan_cost(text) > SCAN_BUDGET:
        return plain(text)
    try:
        return sanitize(_markdown().convert(text))
    except RecursionError:
        _converters.markdown = None  # left mid-conversion: the next text gets a new one
        return plain(text)


def plain(text: str) -> str:
    """The text as typed, escaped: a paragraph per blank-line-separated block, <br> per newline."""
    blocks = [block for block in _PARAGRAPH_BREAK.split(text.strip()) if block.strip()]
    return "".join("<p>" + html.escape(block, quote=False).replace("\n", "<br>\n") + "</p>\n"
                   for block in blocks)


def bracket_scan_cost(text: str) -> int:
    """What Markdown's link and image patterns scan, as each of them does: for each "[", the
    distance to its matching "]"; for each "(" right after a "]", to its matching ")"; to the
    text's end for one never closed (Markdown stops at its block's end). Escaped brackets are
    not counted, and distances are measured as the scans see the text (_STASHED). The patterns together scan a small multiple of it (at most ~6x over random
    bracket soup, test_render.py), and so never the square of the text's length unnoticed."""
    stashed_at, extra = [], [0]  # where the stashes are, and the characters they add up to each
    for match in _STASHED.finditer(text):
        stashed_at.append(match.start())
        extra.append(extra[-1] + (7 if match.group() == "`" else 14))
    cost, squares, rounds, previous = 0, [], [], (-1, "")
    for match in _BRACKETS.finditer(text):
        index, bracket = match.end() - 1, match.group()[-1]
        if (match.end() - match.start()) % 2 == 0:  # escaped
            continue
        position = index + extra[bisect.bisect_right(stashed_at, index)]  # where the scans see it
        if bracket == "[":
            squares.append(position)
        elif bracket == "]":
            if squares:
                cost += position - squares.pop()
        elif bracket == "(":
            # Only a "(" right after "]" starts a scan; nested ones are counted by theirs.
            rounds.append((position, previous == (index - 1, "]")))
        elif rounds:
            start, scanned = rounds.pop()
            cost += (position - start) if scanned else 0
        previous = (index, bracket)
    end = len(text) + extra[-1]
    return (cost + sum(end - start for start in squares)
            + sum(end - start for start, scanned in rounds if scanned))


def count_links(text: str) -> int:
    """Web and mail addresses in the text as typed (linked or not): the spam signal MAX_LINKS caps."""
    return len(_URL.findall(text))
