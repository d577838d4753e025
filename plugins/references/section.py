"""The references section: the tree processors that build and number `<section class="references">`.

They run on either side of Python-Markdown's inline pass (tree processor "inline", priority 20):

* `ReferenceSectionTreeprocessor`, before it, appends to a document with definitions
  `<section aria-labelledby="NS-references-title" class="references" role="doc-endnotes">`
  holding `<h2 id="NS-references-title">References:</h2>` and `<ol class="reference-list">`
  with one `<li>` per definition, in definition order, its text parsed as Markdown blocks (a
  lone paragraph unwrapped into the `<li>`). Being in the tree before the inline pass, entries
  get the same inline treatment as the body.
* `ReferenceNumberingTreeprocessor`, after it (every citation is then counted), has the document
  check that every definition is cited, keeps the entries in order of first citation, and gives
  entry n the id `NS-ref-n`, its parts marked up when it names its source (`sources.py`), else
  its bare URLs linked (`links.py`), a leading `<span class="ref-label">[n]</span>` and a
  trailing `<span class="backlinks">` with one text-less
  `<a class="backlink" href="#NS-cite-n-k" role="doc-backlink">` per citation k. A source cited
  once has one back-link labelled "Back to the citation of reference n"; one cited c > 1 times
  has c, each with `data-letter` (a, b, ... z, aa, ab, ...) and labelled "Back to citation k of
  c of reference n", in a span with the extra class `lettered`. The theme draws the glyph and
  the letters (CSS generated content), so they add nothing to the entry's text.

NS is the document's namespace. The processors keep no state: it lives on the document (the
extension instance), whose part they use is `ReferencedDocument`. A document without
definitions is left untouched.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from typing import Protocol

from markdown import Markdown
from markdown.blockparser import BlockParser
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from .links import link_bare_urls
from .sources import name_source

# Python-Markdown serialises attributes sorted by name: this follows `aria-labelledby="..."`.
SECTION_ATTRIBUTES = ' class="references" role="doc-endnotes"'
SECTION_TITLE = "References:"


class ReferencedDocument(Protocol):
    """The per-document state the section processors read and fill in."""

    md: Markdown
    parser: BlockParser
    footnotes: dict[str, str]  # key -> definition text, in definition order
    citations: dict[str, int]  # key -> times cited, in order of first citation
    entries: dict[str, etree.Element]  # key -> its <li>, filled in here
    entry_list: etree.Element | None  # the <ol> holding the entries, set here

    def get_namespace(self) -> str: ...

    def check_every_definition_cited(self) -> None: ...


class ReferencesTreeprocessor(Treeprocessor):
    """A tree processor working on one document's references state."""

    def __init__(self, references: ReferencedDocument):
        super().__init__(references.md)
        self.references = references


class ReferenceSectionTreeprocessor(ReferencesTreeprocessor):
    """Before inline parsing: append the section with one parsed `<li>` per definition."""

    def run(self, root: etree.Element) -> None:
        references = self.references
        if not references.footnotes:
            return
        namespace = references.get_namespace()
        section = etree.SubElement(root, "section", {
            "class": "references",
            "role": "doc-endnotes",
            "aria-labelledby": f"{namespace}-references-title",
        })
        title = etree.SubElement(section, "h2", {"id": f"{namespace}-references-title"})
        title.text = AtomicString(SECTION_TITLE)
        references.entry_list = etree.SubElement(section, "ol", {"class": "reference-list"})
        for key, text in references.footnotes.items():
            references.entries[key] = self._parse_entry(references.entry_list, text)

    def _parse_entry(self, entries: etree.Element, text: str) -> etree.Element:
        """Parse one definition into a new `<li>`; a single paragraph is unwrapped."""
        item = etree.SubElement(entries, "li")
        # List block processors treat an `li` parent specially, so parse into a plain div.
        surrogate = etree.Element("div")
        self.references.parser.parseChunk(surrogate, text)
        blocks = list(surrogate)
        if len(blocks) == 1 and blocks[0].tag == "p":
            item.text = blocks[0].text
            item.extend(blocks[0])
        else:
            item.extend(blocks)
        return item


class ReferenceNumberingTreeprocessor(ReferencesTreeprocessor):
    """After inline parsing: check every source is cited, number, label and back-link entries."""

    def run(self, root: etree.Element) -> None:
        references = self.references
        if not references.entries:
            return
        references.check_every_definition_cited()
        namespace = references.get_namespace()
        references.entry_list[:] = [references.entries[key] for key in references.citations]
        for number, (key, count) in enumerate(references.citations.items(), start=1):
            item = references.entries[key]
            item.set("id", f"{namespace}-ref-{number}")
            if not name_source(item):
                link_bare_urls(item)
            _add_label(item, number)
            _add_backlinks(item, namespace, number, count)


def _first_paragraph(item: etree.Element) -> etree.Element:
    """Where the `[n]` label goes: a multi-block entry's first paragraph, else the item."""
    if not (item.text or "").strip() and len(item) and item[0].tag == "p":
        return item[0]
    return item


def _last_paragraph(item: etree.Element) -> etree.Element:
    """Where the back-links go: a multi-block entry's last paragraph, else the item."""
    if len(item) and item[-1].tag == "p" and not (item[-1].tail or "").strip():
        return item[-1]
    return item


def _add_label(item: etree.Element, number: int) -> None:
    holder = _first_paragraph(item)
    label = etree.Element("span", {"class": "ref-label"})
    label.text = AtomicString(f"[{number}]")
    label.tail = " " + (holder.text or "").lstrip()
    holder.text = None
    holder.insert(0, label)


def citation_letter(citation: int) -> str:
    """The letter of the `citation`-th back-link (1-based): a ... z, aa, ab, ... az, ba, ..."""
    letters = ""
    while citation > 0:
        citation, remainder = divmod(citation - 1, 26)
        letters = chr(ord("a") + remainder) + letters
    return letters


def _add_backlinks(item: etree.Element, namespace: str, number: int, count: int) -> None:
    """Append one text-less back-link per citation (the theme draws glyph and letters via CSS)."""
    holder = _last_paragraph(item)
    _strip_trailing_space(holder)
    if len(holder):
        holder[-1].tail = (holder[-1].tail or "") + " "
    else:
        holder.text = (holder.text or "") + " "
    lettered = count > 1
    backlinks = etree.SubElement(holder, "span", {"class": "backlinks lettered" if lettered else "backlinks"})
    backlinks.text = " "
    for citation in range(1, count + 1):
        link = etree.SubElement(backlinks, "a", {
            "href": f"#{namespace}-cite-{number}-{citation}",
            "role": "doc-backlink",
            "class": "backlink",
            "aria-label": (f"Back to citation {citation} of {count} of reference {number}" if lettered
                           else f"Back to the citation of reference {number}"),
        })
        if lettered:
            link.set("data-letter", citation_letter(citation))
        link.tail = " " if citation < count else None


def _strip_trailing_space(element: etree.Element) -> None:
    if len(element):
        element[-1].tail = (element[-1].tail or "").rstrip() or None
    else:
        element.text = (element.text or "").rstrip() or None
