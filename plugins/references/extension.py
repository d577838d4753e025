"""Python-Markdown extension: footnotes rendered as numbered source references.

Built on Python-Markdown's `footnotes` extension: its block processor still collects the
`[^key]: text` definitions; the rest is replaced so that

* markers read `[n]`, numbered in order of first citation, each a link to its entry
  (`citations.py`);
* one `<section class="references">` at the end of the document lists every source once,
  with a text-less back-link to every place it is cited, the theme drawing the glyph
  (`section.py`);
* a definition naming its source (`Title. Publisher, date. URL`) is marked up as such
  (`sources.py`, `dates.py`); in any other, bare http(s) URLs become links (`links.py`);
* every id is namespaced, so two articles on one index page never collide;
* an undefined marker, a definition never cited and a duplicate definition raise
  `CitationError` naming `source:line`.

This module is the one Python-Markdown loads by name (`makeExtension`). It registers the
processors and holds what they share: `ReferencesExtension`, whose instance carries one
document's state (cleared by `reset()`), its namespace and its errors. `plain_body` reads the
produced HTML back without markers and section. The other modules never import this one.

Namespace: the `slug` metadata if present, else the slugified `title` metadata (Pelican's
`slugify` with the site's slug settings, i.e. the slug Pelican itself gives the article), else the
stem of the source file, else "article". The source file is only known to callers: wrap a
conversion in `source_file(path)` (the Pelican plugin's reader does) to have errors and the
fallback namespace name it.

Everything happens during the one Markdown conversion: no second pass over the HTML.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from markdown import Markdown
from markdown.extensions.footnotes import FootnoteBlockProcessor, FootnoteExtension
from pelican.settings import DEFAULT_CONFIG
from pelican.utils import slugify

from plugins.build_errors import BuildError

from .citations import (MARKER_CLOSE, MARKER_OPEN, MARKER_PATTERN, CitationInlineProcessor,
                        SourceLinesPreprocessor, definition_lines, marker_line)
from .section import (SECTION_ATTRIBUTES, ReferenceNumberingTreeprocessor,
                      ReferenceSectionTreeprocessor)

FALLBACK_NAMESPACE = "article"
UNKNOWN_SOURCE = "<markdown>"

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


class CitationError(BuildError, ValueError):
    """A reference problem in the source; `str()` reads `source:line: problem` (the source
    relative to the working directory when below it, as every build error names its file)."""

    def __init__(self, line: int | None, problem: str):
        self.source = _source_path.get() or UNKNOWN_SOURCE
        self.problem = problem
        super().__init__(self.source, line, problem)


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
        # Before normalize_whitespace (30) and meta (27): the lines are still the file's.
        md.preprocessors.register(SourceLinesPreprocessor(self), "references-source", 40)
        # Registered as "footnote" at the stock priorities, so these replace the processors of a
        # stock footnotes extension loaded earlier. The tree processors sit either side of the inline pass (20):
        # entries are parsed along with the body, then numbered once every citation is counted.
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
            lines = definition_lines(self.source_lines, id)
            raise CitationError(lines[1] if len(lines) > 1 else None,
                                f"duplicate definition of [^{id}]")
        super().setFootnote(id, text)

    # --- state used by the processors (see citations.CitingDocument, section.ReferencedDocument)

    def cite(self, key: str) -> tuple[int, int]:
        """Record one citation of `key`; return (reference number, citation number)."""
        if key not in self.footnotes:
            raise CitationError(marker_line(self.source_lines, key),
                                f"[^{key}] is cited but never defined")
        count = self.citations.get(key, 0) + 1
        self.citations[key] = count
        number = self.numbers.setdefault(key, len(self.numbers) + 1)
        return number, count

    def check_every_definition_cited(self) -> None:
        """Once every marker is parsed: a definition that no marker cites is an error."""
        for key in self.footnotes:
            if key not in self.citations:
                lines = definition_lines(self.source_lines, key)
                raise CitationError(lines[0] if lines else None,
                                    f"[^{key}] is defined but never cited")

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


def makeExtension(**kwargs) -> ReferencesExtension:  # noqa: N802 - Python-Markdown's hook name
    return ReferencesExtension(**kwargs)
