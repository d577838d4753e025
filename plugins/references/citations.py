"""Citations: `[^key]` markers in the text, and where markers and definitions stand in the source.

* `CitationInlineProcessor` turns each `[^key]` that inline parsing reaches (so not one inside
  code) into
  `<sup class="ref"><a href="#NS-ref-n" id="NS-cite-n-k" role="doc-noteref">[n]</a></sup>`:
  n is the reference number of `key` (rank of its first citation), k counts its citations so far,
  NS is the document's namespace. Counting, numbering and the error for an undefined key are the
  document's (`CitingDocument.cite`).
* `SourceLinesPreprocessor` hands the document the source lines as given to Python-Markdown,
  metadata header included, so that error line numbers are the file's.
* `definition_lines` and `marker_line` find a key in those lines. They scan the whole source, so
  they are meant for error reports only.

`MARKER_OPEN` and `MARKER_CLOSE` are the ends of a serialised marker, for code that reads the
HTML back (`extension.plain_body`).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from typing import Protocol

from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.util import AtomicString

MARKER_PATTERN = r"\[\^([^\]]*)\]"
MARKER_OPEN = '<sup class="ref">'
MARKER_CLOSE = "</sup>"
DEFINITION_START = re.compile(r"^[ ]{0,3}\[\^([^\]]*)\]:")


class CitingDocument(Protocol):
    """The per-document state the citation processors fill in and ask."""

    source_lines: list[str]

    def cite(self, key: str) -> tuple[int, int]: ...

    def get_namespace(self) -> str: ...


class SourceLinesPreprocessor(Preprocessor):
    """Keep the untouched source lines (metadata header included) for error line numbers."""

    def __init__(self, references: CitingDocument):
        super().__init__()
        self.references = references

    def run(self, lines: list[str]) -> list[str]:
        self.references.source_lines = lines
        return lines


class CitationInlineProcessor(InlineProcessor):
    """`[^key]` → `<sup class="ref"><a href="#ns-ref-n" id="ns-cite-n-k">[n]</a></sup>`."""

    def __init__(self, pattern: str, references: CitingDocument):
        super().__init__(pattern)
        self.references = references

    def handleMatch(self, m: re.Match[str], data: str):
        number, citation = self.references.cite(m.group(1))
        namespace = self.references.get_namespace()
        sup = etree.Element("sup", {"class": "ref"})
        link = etree.SubElement(sup, "a", {
            "href": f"#{namespace}-ref-{number}",
            "id": f"{namespace}-cite-{number}-{citation}",
            "role": "doc-noteref",
        })
        link.text = AtomicString(f"[{number}]")
        return sup, m.start(0), m.end(0)


def definition_lines(source_lines: list[str], key: str) -> list[int]:
    """1-based lines of the source where `[^key]:` is defined."""
    return [number for number, line in enumerate(source_lines, start=1)
            if (match := DEFINITION_START.match(line)) and match.group(1) == key]


def marker_line(source_lines: list[str], key: str) -> int | None:
    """1-based line of the first `[^key]` marker in the source (definitions excluded)."""
    marker = f"[^{key}]"
    for number, line in enumerate(source_lines, start=1):
        definition = DEFINITION_START.match(line)
        if marker in (line[definition.end():] if definition else line):
            return number
    return None
