"""Python-Markdown extension: footnotes rendered as numbered source references.

Built on Python-Markdown's `footnotes` extension: its block processor still collects the
`[^key]: text` definitions; this module replaces the rest so that

* markers read `[n]`, numbered in order of first citation, each a link to its entry;
* one `<section class="references">` at the end of the document lists every source once,
  with a text-less back-link to every place it is cited (the theme draws the glyph);
* bare http(s) URLs in definitions become links;
* every id is namespaced, so two articles on one index page never collide;
* an undefined marker, a definition never cited and a duplicate definition raise
  `CitationError` naming `source:line`.

Namespace: the `slug` metadata if present, else the slugified `title` metadata (Pelican's
`slugify` with the site's slug settings, i.e. the slug Pelican itself gives the article), else the
stem of the source file, else "article". The source file is only known to callers: wrap a
conversion in `source_file(path)` (the Pelican plugin's reader does) to have errors and the
fallback namespace name it.

Everything happens during the one Markdown conversion: no second pass over the HTML.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from markdown import Markdown
from markdown.extensions.footnotes import FootnoteBlockProcessor, FootnoteExtension
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.util import AtomicString
from pelican.settings import DEFAULT_CONFIG
from pelican.utils import slugify

from .section import (SECTION_ATTRIBUTES, ReferenceNumberingTreeprocessor,
                      ReferenceSectionTreeprocessor)

MARKER_OPEN = '<sup class="ref">'
MARKER_CLOSE = "</sup>"
FALLBACK_NAMESPACE = "article"
UNKNOWN_SOURCE = "<markdown>"

MARKER_PATTERN = r"\[\^([^\]]*)\]"
DEFINITION_START = re.compile(r"^[ ]{0,3}\[\^([^\]]*)\]:")

# Options mirroring Pelican's slug settings, so the namespace equals the slug Pelican computes.
SLUG_OPTIONS = {
    "slug_regex_substitutions": (list(DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"]),
                                 "Pelican SLUG_REGEX_SUBSTITUTIONS"),
    "slugify_preserve_case": (False, "Pelican SLUGIFY_PRESERVE_CASE"),
    "slugify_use_unicode": (False, "Pelican SLUGIFY_USE_UNICODE"),
}

_source_path: ContextVar[str | None] = ContextVar("references_source_path", default=None)


@contextmanager
def source_file(path: str) -> Iterator[None]:
    """Name `path` as the file being converted (for error messages and the fallback namespace)."""
    token = _source_path.set(str(path))
    try:
        yield
    finally:
        _source_path.reset(token)


class CitationError(ValueError):
    """A reference problem in the source; `str()` reads `source:line: problem`."""

    def __init__(self, line: int | None, problem: str):
        self.source = _source_path.get() or UNKNOWN_SOURCE
        self.line = line
        self.problem = problem
        where = f"{self.source}:{line}" if line else self.source
        super().__init__(f"{where}: {problem}")


def plain_body(html: str) -> str:
    """Return `html` without citation markers and without the references section.

    Spaces just before a marker go with it ("sales [1]." reads "sales."). Returns `html` itself
    (the same object) when it has neither. Scans with `str.find` only, so it costs next to
    nothing next to the conversion that produced `html`.
    """
    attributes = html.rfind(SECTION_ATTRIBUTES)
    body = html if attributes == -1 else html[:html.rfind("<section", 0, attributes)].rstrip()
    pieces = []
    start = 0
    while (marker := body.find(MARKER_OPEN, start)) != -1:
        pieces.append(body[start:marker].rstrip(" "))
        start = body.index(MARKER_CLOSE, marker) + len(MARKER_CLOSE)
    if not pieces:
        return body
    pieces.append(body[start:])
    return "".join(pieces)


class ReferencesExtension(FootnoteExtension):
    """Footnotes as numbered references; per-document state lives on this instance."""

    def __init__(self, **kwargs):
        own = {key: kwargs.pop(key) for key in list(kwargs) if key in SLUG_OPTIONS}
        super().__init__(**kwargs)  # the footnotes base class replaces self.config
        self.config.update({key: list(default) for key, default in SLUG_OPTIONS.items()})
        self.setConfigs(own)

    def reset(self) -> None:
        super().reset()
        self.source_lines: list[str] = []
        self.citations: dict[str, int] = {}  # key -> times cited, in order of first citation
        self.numbers: dict[str, int] = {}  # key -> reference number (rank of first citation)
        self.entries: dict[str, etree.Element] = {}  # key -> its <li>, in definition order
        self.entry_list: etree.Element | None = None  # the <ol> holding the entries
        self.namespace: str | None = None

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        self.md = md
        self.parser = md.parser
        md.preprocessors.register(SourceLinesPreprocessor(self), "references-source", 40)
        md.parser.blockprocessors.register(FootnoteBlockProcessor(self), "footnote", 17)
        md.inlinePatterns.register(CitationInlineProcessor(MARKER_PATTERN, self), "footnote", 175)
        md.treeprocessors.register(ReferenceSectionTreeprocessor(self), "footnote", 50)
        md.treeprocessors.register(ReferenceNumberingTreeprocessor(self), "references", 15)
        # Processors of a stock footnotes extension loaded earlier (e.g. by `extra`) that would
        # otherwise rework our section.
        md.treeprocessors.deregister("footnote-duplicate", strict=False)
        md.treeprocessors.deregister("footnote-reorder", strict=False)
        md.postprocessors.deregister("footnote", strict=False)

    def setFootnote(self, id: str, text: str) -> None:
        """Store a definition; a second definition of the same key is an error."""
        if id in self.footnotes:
            lines = self.definition_lines(id)
            raise CitationError(lines[1] if len(lines) > 1 else None,
                                f"duplicate definition of [^{id}]")
        super().setFootnote(id, text)

    def check_every_definition_cited(self) -> None:
        """Once every marker is parsed: a definition that no marker cites is an error."""
        for key in self.footnotes:
            if key not in self.citations:
                lines = self.definition_lines(key)
                raise CitationError(lines[0] if lines else None,
                                    f"[^{key}] is defined but never cited")

    # --- state used by the processors -------------------------------------------------------

    def cite(self, key: str) -> tuple[int, int]:
        """Record one citation of `key`; return (reference number, citation number)."""
        if key not in self.footnotes:
            raise CitationError(self.marker_line(key), f"[^{key}] is cited but never defined")
        count = self.citations.get(key, 0) + 1
        self.citations[key] = count
        number = self.numbers.setdefault(key, len(self.numbers) + 1)
        return number, count

    def get_namespace(self) -> str:
        """The id prefix of this document (see the module docstring), computed once."""
        if self.namespace is None:
            self.namespace = self._document_slug()
        return self.namespace

    def _document_slug(self) -> str:
        meta = getattr(self.md, "Meta", None) or {}
        if meta.get("slug"):
            return meta["slug"][0].strip()
        if meta.get("title"):
            return slugify(
                meta["title"][0],
                regex_subs=self.getConfig("slug_regex_substitutions"),
                preserve_case=self.getConfig("slugify_preserve_case"),
                use_unicode=self.getConfig("slugify_use_unicode"),
            )
        source = _source_path.get()
        return Path(source).stem if source else FALLBACK_NAMESPACE

    # --- line numbers, only computed when reporting an error --------------------------------

    def definition_lines(self, key: str) -> list[int]:
        """1-based lines of the source where `[^key]:` is defined."""
        return [number for number, line in enumerate(self.source_lines, start=1)
                if (match := DEFINITION_START.match(line)) and match.group(1) == key]

    def marker_line(self, key: str) -> int | None:
        """1-based line of the first `[^key]` marker in the source (definitions excluded)."""
        marker = f"[^{key}]"
        for number, line in enumerate(self.source_lines, start=1):
            definition = DEFINITION_START.match(line)
            if marker in (line[definition.end():] if definition else line):
                return number
        return None


class SourceLinesPreprocessor(Preprocessor):
    """Keep the untouched source lines (metadata header included) for error line numbers."""

    def __init__(self, references: ReferencesExtension):
        super().__init__()
        self.references = references

    def run(self, lines: list[str]) -> list[str]:
        self.references.source_lines = lines
        return lines


class CitationInlineProcessor(InlineProcessor):
    """`[^key]` → `<sup class="ref"><a href="#ns-ref-n" id="ns-cite-n-k">[n]</a></sup>`."""

    def __init__(self, pattern: str, references: ReferencesExtension):
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


def makeExtension(**kwargs) -> ReferencesExtension:  # noqa: N802 - Python-Markdown's hook name
    return ReferencesExtension(**kwargs)
