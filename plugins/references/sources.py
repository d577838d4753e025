"""Named references: a definition that reads `Title. Publisher, date. URL` (or part of it),
marked up as title, publisher, date and a shortened link.

`name_source(item)` takes one reference entry (an `<li>` after the inline pass, before its
label and back-links) and, when its text follows the grammar in README.md ("Named
references"), marks it up in place and returns True:

* the title wrapped in `<cite>`, the publisher in `<span class="ref-publisher">`, the date in
  `<time datetime="ISO">` (`dates.py`);
* the URL an `<a href="URL">` whose text is `links.short_url(URL)`;
* every other character (separators, quotes, parentheses, a final period) kept as written, and
  Markdown in the parts (emphasis, links, code) kept as it was rendered.

Otherwise the entry is left untouched and it returns False: the caller renders it as free
text. That includes a definition that is only a URL (it keeps reading as the full URL), an
entry of several blocks, and anything the grammar does not describe exactly.

`parse(text, autolinks)` is the grammar alone, on a string in which each inline element stands
as one `OBJECT` character; it returns a `NamedSource` of offsets, or None. Every step is a
linear scan (no regular expression here can backtrack over more than one word or a fixed
window), so a definition of any length costs time in proportion to its length.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Mapping
from dataclasses import dataclass

from markdown.util import AtomicString

from .dates import DATE, date_value
from .links import BARE_URL, short_url, trim_url

#: Stands for an inline element (emphasis, a link...) in the text the grammar reads.
OBJECT = "\ufffc"
#: Elements a one-paragraph entry may hold and still be read as a named reference.
INLINE_TAGS = frozenset({"a", "abbr", "b", "cite", "code", "del", "em", "i", "ins", "kbd", "mark",
                         "q", "s", "samp", "small", "span", "strong", "sub", "sup", "u", "var"})
#: How the text before the URL may end: `.`, `,` and `:` are separators, the others stay.
HEAD_ENDS = '.,:?!"”'
MAX_PUBLISHER_WORDS = 8
#: A period after one of these (or after a single letter, or a word with a period, as in
#: "U.S.") does not end a part.
ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "inc", "ltd", "co", "corp", "vs", "no",
    "vol", "pp", "ed", "eds", "dept", "gov", "gen", "sen", "rep", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec"})
QUOTES = {'"': '"', "“": "”"}

# A word ending in `.`, `?` or `!` before whitespace: where one part may end and the next begin.
PART_END = re.compile(r"(?<!\S)(?P<word>\S*)(?P<mark>[.?!])(?=\s)")
# A date closing a part: `..., DATE`, `... (DATE)` or the part being only DATE. Searched in
# the last DATE_WINDOW characters of the part only.
DATE_AT_END = re.compile(rf"(?<![\w-])(?P<open>\()?(?P<date>{DATE})(?(open)\))\Z", re.IGNORECASE)
DATE_WINDOW = 40
SPACE = re.compile(r"\s*")
# After a quoted title: an optional separator, then the next part or the end.
AFTER_QUOTE = re.compile(r"[.,]?(?:\s+|\Z)")


@dataclass(frozen=True)
class Span:
    """Characters start..end (end excluded) of the text the grammar read."""

    start: int
    end: int


@dataclass(frozen=True)
class NamedSource:
    """The parts found in a definition; any may be missing, never all."""

    title: Span | None = None
    publisher: Span | None = None
    date: Span | None = None
    date_value: str | None = None  # the `<time datetime>` value of `date`
    url: Span | None = None
    url_value: str | None = None


@dataclass(frozen=True)
class _Part:
    """A part with its trailing date taken apart: `rest` is what precedes the date."""

    rest: Span | None
    date: Span | None = None
    date_value: str | None = None
    in_parentheses: bool = False
    impossible: bool = False  # it ends in what looks like a date but is none


def parse(text: str, autolinks: Mapping[int, str] | None = None) -> NamedSource | None:
    """Read `text` as a named reference (README.md, "Named references"), or None.

    `autolinks` maps the offset of an `OBJECT` that is a link showing its own URL (Markdown's
    `<https://...>`) to that URL: at the end of a definition it counts as the URL.
    """
    end = len(text.rstrip())
    url = _trailing_url(text, end, autolinks or {})
    if url is not None:
        span, value = url
        head_end = len(text[:span.start].rstrip())
        if head_end == 0 or text[head_end - 1] not in HEAD_ENDS:
            return None  # a bare URL (read as today), or text glued to it
        if text[head_end - 1] in ".,:":
            head_end -= 1
    else:
        span = value = None
        head_end = end - 1 if text[:end].endswith(".") else end
    if "://" in text[:head_end]:
        return None  # a second URL: free text
    found = _parts(text, 0, head_end)
    if found is None:
        return None
    title, parts = found
    source = _assign(text, title, parts)
    if source is None or (span is None and source.date is None):
        return None  # without a URL, only a date makes a definition a named reference
    return NamedSource(source.title, source.publisher, source.date, source.date_value, span, value)


def _trailing_url(text: str, end: int, autolinks: Mapping[int, str]) -> tuple[Span, str] | None:
    """The URL that ends `text[:end]`, an optional period after it, else None."""
    stop = end - 1 if text[:end].endswith(".") else end
    if stop > 0 and text[stop - 1] == OBJECT and stop - 1 in autolinks:
        return Span(stop - 1, stop), autolinks[stop - 1]
    pieces = text[:end].rsplit(None, 1)
    if not pieces:
        return None
    token = pieces[-1]
    match = BARE_URL.match(token)
    if not match:
        return None
    url = trim_url(match.group(0))
    if token[len(url):] not in ("", "."):
        return None
    start = end - len(token)
    return Span(start, start + len(url)), url


def _parts(text: str, start: int, end: int) -> tuple[Span | None, list[Span]] | None:
    """(quoted title, the parts after it): the text split where a sentence ends; None when the
    text has more parts than the grammar knows or an unclosed quote."""
    start = SPACE.match(text, start, end).end()
    title = None
    if start < end and text[start] in QUOTES:
        close = text.find(QUOTES[text[start]], start + 1, end)
        if close == -1:
            return None
        inner = text[start + 1:close].rstrip()
        title = Span(start + 1, start + 1 + len(inner.rstrip(".,")))
        after = AFTER_QUOTE.match(text, close + 1, end)
        if after is None:
            return None
        start = after.end()
    parts: list[Span] = []
    limit = 2 if title is not None else 3
    for match in PART_END.finditer(text, start, end):
        word = match.group("word").lstrip("(\"'“‘[")
        if match.group("mark") == "." and _abbreviation(word):
            continue
        stop = match.start("mark") + (match.group("mark") != ".")
        parts.append(Span(start, stop))
        start = SPACE.match(text, match.end(), end).end()
        if len(parts) > limit:
            return None
    if start < end:
        parts.append(Span(start, end))
    return (title, parts) if len(parts) <= limit else None


def _abbreviation(word: str) -> bool:
    return (len(word) == 1 and word.isalpha()) or "." in word or word.lower() in ABBREVIATIONS


def _dated(text: str, part: Span) -> _Part:
    """`part` with the date that ends it (after a comma, in parentheses, or alone) taken apart."""
    match = DATE_AT_END.search(text, max(part.start, part.end - DATE_WINDOW), part.end)
    if not match:
        return _Part(part)
    before = text[part.start:match.start()].rstrip()
    parenthesised = bool(match.group("open"))
    if before and not parenthesised:
        if not before.endswith(","):
            return _Part(part)  # "Top stories of 2025": a number inside a name, not a date
        before = before[:-1].rstrip()
    value = date_value(match.group("date"))
    if not value:
        return _Part(part, impossible=True)  # "Port, 2025-02-30": a mistake, not a name
    rest = Span(part.start, part.start + len(before)) if before else None
    return _Part(rest, Span(match.start("date"), match.end("date")), value, parenthesised)


def _assign(text: str, title: Span | None, parts: list[Span]) -> NamedSource | None:
    """Give each part its role (title, publisher, date); None when one does not fit."""
    if not parts and title is None:
        return None
    last = _dated(text, parts[-1]) if parts else _Part(None)
    if last.impossible:
        return None
    publisher = None
    if title is None and len(parts) == 1:
        # `Title`, `Publisher, date`, `Title, Publisher (date)`, `date`
        if last.date is None:
            title = last.rest
        elif last.rest and last.in_parentheses and ", " in text[last.rest.start:last.rest.end]:
            comma = text.rfind(", ", last.rest.start, last.rest.end)
            title, publisher = Span(last.rest.start, comma), Span(comma + 2, last.rest.end)
        else:
            publisher = last.rest
    elif len(parts) == 3 or (title is not None and len(parts) == 2):
        # `Title. Publisher. date`: the last part is the date alone
        if last.date is None or last.rest is not None:
            return None
        if title is None:
            title = parts[0]
        publisher = parts[-2]
    elif parts:
        # `Title. Publisher[, date]`, `Title. date`, `"Title" Publisher[, date]`
        if title is None:
            title = parts[0]
        publisher = last.rest
    if not (_is_name(text, title) and _is_name(text, publisher)):
        return None
    if publisher and len(text[publisher.start:publisher.end].split()) > MAX_PUBLISHER_WORDS:
        return None
    return NamedSource(title, publisher, last.date, last.date_value)


def _is_name(text: str, span: Span | None) -> bool:
    """A missing part is fine; a present one needs a letter, a digit or an element."""
    if span is None:
        return True
    words = text[span.start:span.end]
    return any(character.isalnum() or character == OBJECT for character in words)


def name_source(item: etree.Element) -> bool:
    """Mark up `item` as a named reference if its text follows the grammar (module docstring)."""
    if any(child.tag not in INLINE_TAGS for child in item):
        return False
    inline = _Inline(item)
    if inline.text is None:
        return False
    source = parse(inline.text, inline.autolinks())
    if source is None:
        return False
    wrappers = []
    if source.title:
        wrappers.append((source.title, etree.Element("cite")))
    if source.publisher:
        wrappers.append((source.publisher, etree.Element("span", {"class": "ref-publisher"})))
    if source.date:
        wrappers.append((source.date, etree.Element("time", {"datetime": source.date_value})))
    replacements = []
    if source.url:
        link = inline.element_at(source.url.start)
        if link is None:
            link = etree.Element("a", {"href": source.url_value})
        link.text = AtomicString(short_url(source.url_value))
        replacements.append((source.url, link))
    inline.rebuild(wrappers, replacements)
    return True


class _Inline:
    """The content of an element as one string (`text`), each child standing as `OBJECT`;
    `text` is None when the element's own text holds an `OBJECT` (it could not be told apart)."""

    def __init__(self, element: etree.Element):
        self.element = element
        self.pieces: list[tuple[int, str | etree.Element]] = []  # (offset, text or child)
        chunks = []
        offset = 0
        for piece in [element.text, *(part for child in element for part in (child, child.tail))]:
            if piece is None or piece == "":
                continue
            self.pieces.append((offset, piece))
            chunk = piece if isinstance(piece, str) else OBJECT
            chunks.append(chunk)
            offset += len(chunk)
        text = "".join(chunks)
        children = sum(1 for _, piece in self.pieces if not isinstance(piece, str))
        self.text = text if text.count(OBJECT) == children else None

    def element_at(self, offset: int) -> etree.Element | None:
        return next((piece for start, piece in self.pieces
                     if start == offset and not isinstance(piece, str)), None)

    def autolinks(self) -> dict[int, str]:
        """Offsets of the links that show their own URL (Markdown's `<https://...>`)."""
        return {start: piece.get("href") for start, piece in self.pieces
                if not isinstance(piece, str) and piece.tag == "a" and len(piece) == 0
                and piece.text and piece.text == piece.get("href")}

    def rebuild(self, wrappers, replacements) -> None:
        """Refill the element: each (Span, wrapper) wraps its characters, each
        (Span, element) stands instead of its characters; spans never overlap."""
        element = self.element
        element.text = None
        element[:] = []
        position = 0
        spans = sorted([(span, wrapper, True) for span, wrapper in wrappers]
                       + [(span, new, False) for span, new in replacements],
                       key=lambda entry: entry[0].start)
        for span, new, wraps in spans:
            self._copy(element, position, span.start)
            new.tail = None
            element.append(new)
            if wraps:
                self._copy(new, span.start, span.end)
            position = span.end
        self._copy(element, position, len(self.text))

    def _copy(self, target: etree.Element, start: int, end: int) -> None:
        """Append the characters start..end of the original content to `target`."""
        for offset, piece in self.pieces:
            if isinstance(piece, str):
                chunk = piece[max(start - offset, 0):max(end - offset, 0)]
                if chunk:
                    _append_text(target, chunk)
            elif start <= offset < end:
                piece.tail = None
                target.append(piece)


def _append_text(element: etree.Element, text: str) -> None:
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text
