"""Pelican plugin: numbered source references from Markdown footnotes.

`register()` hooks four signals. `article_generator_write_article` adds, to an article with a
comment thread, a comments link beside every reference and an anchor to every paragraph
(`comment_links.py`). `readers_init`
* loads the Python-Markdown extension in `extension.py` after every configured extension (so
  `markdown.extensions.extra`, which bundles the stock footnotes, cannot replace it), passing the
  site's slug settings so reference ids are namespaced by the article's slug;
* swaps in `ReferencesMarkdownReader`, which names the source file in citation errors (logged at
  ERROR as `file.md:LINE: problem`, so `pelican --fatal errors` fails the build), stores a
  summary without markers or references section, and reuses one Markdown instance for every
  file (Pelican builds a new one per file: about a tenth of a 1000-article build). It also
  stores the number of references, if any, as the `reference_count` metadata (so
  `article.reference_count`), which the comments plugin writes into the thread manifest:
  comments "about [n]" are checked against it. A field Pelican reads as one value (Title,
  Authors, Tags, Date, ...) continued on an indented line is joined into one value first; given
  twice, it is a build error (Pelican kept the first and only warned).
  With CONTENT_READ_CACHE on (pelican.conf.py), what it makes of a file is kept across builds,
  keyed by the file's bytes and a fingerprint of the settings and code (`read_cache.py`);
  `all_generators_finalized` saves that cache and `finalized` lets the next build reopen it.
"""

import logging
import os
import re

from markdown import Markdown
from pelican import signals
from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, MarkdownReader
from pelican.utils import (pelican_open, strip_toc_elements_from_html, truncate_html_paragraphs,
                           truncate_html_words)

from comments_service.core.render import SCAN_BUDGET, bracket_scan_cost
from plugins.build_errors import CONTROL, CONTROL_MESSAGE, BuildError, metadata_line

from .comment_links import add_comment_links
from .extension import CitationError, ReferencesExtension, plain_body, source_file
from .read_cache import Entry, cache_for, end_build, file_digest, finish_reading

EXTENSION = f"{__name__}.extension"
#: The metadata (and so the article attribute) holding the number of references.
COUNT_METADATA = "reference_count"
#: Fields Pelican reads as one value: a list of them (the first kept, or the list as text) comes
#: from indented continuation lines, unless the key itself is repeated.
SINGLE_VALUED = frozenset({"title"} | {key for key, allowed in DUPLICATES_DEFINITIONS_ALLOWED.items()
                                       if not allowed})
#: Header fields Pelican writes into pages as HTML: a "<" typed in one ("Why <script> tags slow
#: pages", a tag "<img src=x onerror=...>") opened an element in every page listing the article.
#: A title's < and > are escaped (`text_fields_escaped`), but for its bare inline markup
#: (TITLE_TAGS: "Council approves <em>budget</em>"); an "&" is left, so "AT&T" keeps its slug and
#: "&lt;" still means "<". In a name (NAME_FIELDS) they are a build error: escaped, their ";"
#: would split the list (Pelican splits tags and authors on semicolons when there are any).
TITLE_TAGS = frozenset({"em", "strong", "i", "b", "code", "sub", "sup", "s", "mark", "small"})
NAME_FIELDS = ("tags", "category", "author", "authors")
_ESCAPED_TAG = re.compile(r"&lt;(/?)([A-Za-z][A-Za-z0-9]*)&gt;")
#: Where markdown.extensions.meta registers its preprocessor (Pelican's metadata parsing removes it).
META_PRIORITY = 27

logger = logging.getLogger(__name__)


def clean_summary(content: str, settings: dict) -> str | None:
    """Pelican's default summary, taken from `content` without references; None if it has none.

    Mirrors `pelican.contents.Content.get_summary`, which Pelican skips once `summary` is set.
    """
    body = plain_body(content)
    if body is content:
        return None
    if settings.get("SUMMARY_MAX_PARAGRAPHS") is not None:
        body = truncate_html_paragraphs(body, settings["SUMMARY_MAX_PARAGRAPHS"])
    if settings.get("SUMMARY_MAX_LENGTH") is not None:
        body = truncate_html_words(body, settings["SUMMARY_MAX_LENGTH"], settings["SUMMARY_END_SUFFIX"])
    return strip_toc_elements_from_html(body)


def reference_count(md: Markdown) -> int:
    """The number of references of the document `md` converted last (0 without the extension)."""
    return next((len(extension.numbers) for extension in md.registeredExtensions
                 if isinstance(extension, ReferencesExtension)), 0)


def joined_continuations(meta: dict[str, list[str]], source_path) -> dict[str, list[str]]:
    """`meta` with each SINGLE_VALUED field continued on indented lines joined into one value
    ("Title: Harbour" + "    reopens" is "Harbour reopens"). Markdown gives continuation lines
    as more values, like a repeated key; the file's header tells them apart, and is read only
    for a field with several values. A control character (NUL, ...) in such a field, or the
    field given twice, is a `BuildError` at its line."""
    for key, values in meta.items():
        if key in SINGLE_VALUED and any(CONTROL.search(value) for value in values):
            raise BuildError(source_path, metadata_line(source_path, key), CONTROL_MESSAGE)
        if key in SINGLE_VALUED and len(values) > 1:
            repeated = metadata_line(source_path, key, 2)
            if repeated is not None:  # Pelican would keep the first and only warn
                raise BuildError(source_path, repeated,
                                 f"{key.capitalize()} is given twice: keep one {key.capitalize()}: line "
                                 "(several authors or tags go on one line, separated by commas)")
            meta[key] = [" ".join(part for value in values if (part := value.strip()))]
    return meta


def text_fields_escaped(meta: dict[str, list[str]], source_path) -> dict[str, list[str]]:
    """`meta` with a title's < and > escaped (they read as typed), but for its TITLE_TAGS written
    bare (no attributes); a `BuildError` at a NAME_FIELDS line holding either."""
    for key in NAME_FIELDS:
        if any("<" in value or ">" in value for value in meta.get(key, ())):
            raise BuildError(source_path, metadata_line(source_path, key),
                             f"{key.capitalize()}: names cannot hold < or >: write the name as text")
    if "title" in meta:
        meta["title"] = [_ESCAPED_TAG.sub(_bare_title_tag, value.replace("<", "&lt;").replace(">", "&gt;"))
                         for value in meta["title"]]
    return meta


def _bare_title_tag(tag: re.Match) -> str:
    """An escaped tag of a title, given back as markup when it is a bare TITLE_TAGS one."""
    return f"<{tag[1]}{tag[2]}>" if tag[2].lower() in TITLE_TAGS else tag[0]


def check_text(source_path, text: str) -> None:
    """A `BuildError` at the line of the first of these, before Markdown reads the file:
    * an invisible control character (NUL, an escape pasted with terminal colours, ...) in the
      text below the header: it reached the feeds, whose XML cannot hold it, and the build ended
      on a traceback naming no file (header fields are checked field by field: each plugin says
      what its own fields allow);
    * a paragraph whose square brackets Markdown's link scans would take seconds or minutes over
      (core/render.py bracket_scan_cost: hundreds left open; 10,000 took a build 18 s)."""
    header_end = text.find("\n\n")
    control = CONTROL.search(text, header_end) if header_end >= 0 else None
    if control:
        raise BuildError(source_path, text.count("\n", 0, control.start()) + 1, CONTROL_MESSAGE)
    for start, block in _paragraphs(text):
        if bracket_scan_cost(block) > SCAN_BUDGET:
            raise BuildError(source_path, start, "this paragraph has more [ brackets left open than "
                             "Markdown can read in good time: close them, or write \\[ for a "
                             "bracket that is only text")


def _paragraphs(text: str):
    """(first line number, text) of each run of non-blank lines."""
    start, lines = 0, []
    for number, line in enumerate(text.split("\n"), 1):
        if line.strip():
            start = start or number
            lines.append(line)
        elif lines:
            yield start, "\n".join(lines)
            start, lines = 0, []
    if lines:
        yield start, "\n".join(lines)


def decoded(data: bytes) -> str:
    """A source file's bytes as `pelican_open` gives its text: UTF-8, universal newlines, no BOM."""
    return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")


class ReferencesMarkdownReader(MarkdownReader):
    """Markdown reader that names the file in citation errors and keeps summaries clean."""

    _shared_md: Markdown | None = None

    def _markdown(self) -> Markdown:
        """The reader's Markdown instance, reset for the next file. `reset()` clears every
        extension that keeps per-document state (meta, footnotes and ours, abbreviations); the
        meta preprocessor that Pelican's `_parse_metadata` deregisters is put back."""
        if self._shared_md is None:
            self._shared_md = Markdown(**self.settings["MARKDOWN"])
            self._meta_preprocessor = self._shared_md.preprocessors["meta"]
        self._shared_md.reset()
        if "meta" not in self._shared_md.preprocessors:
            self._shared_md.preprocessors.register(self._meta_preprocessor, "meta", META_PRIORITY)
        return self._shared_md

    def _convert(self, source_path, text: str) -> Entry:
        """The file converted with the shared instance (Pelican's `MarkdownReader.read` makes a new
        one per file): HTML, raw metadata, number of references (counted before the metadata is
        parsed: a `Summary:` field is converted with the same instance) and clean summary."""
        check_text(source_path, text)
        self._md = self._markdown()
        content = self._md.convert(text)
        meta = text_fields_escaped(joined_continuations(self._md.Meta, source_path), source_path)
        summary = None if "summary" in meta else clean_summary(content, self.settings)
        return Entry(content, meta, reference_count(self._md), summary)

    def _read_entry(self, source_path) -> Entry:
        """`_convert`, or its result stored for the same file and bytes by an earlier build
        (read_cache: only when CONTENT_READ_CACHE is on)."""
        cache = cache_for(self.settings)
        if cache is None:
            with pelican_open(source_path) as text:
                return self._convert(source_path, text)
        with open(source_path, "rb") as source:
            data = source.read()
        digest, path = file_digest(data), os.path.abspath(source_path)
        entry = cache.get(path, digest)
        if entry is None:  # converted from the bytes hashed, whatever happens to the file meanwhile
            entry = self._convert(source_path, decoded(data))
            cache.put(path, digest, entry)
        else:
            self._md = self._markdown()  # _parse_metadata converts formatted fields with it
        return entry

    def read(self, source_path):
        self._source_path = source_path
        try:
            with source_file(source_path):
                entry = self._read_entry(source_path)
                metadata = self._parse_metadata({key: list(values) for key, values in entry.meta.items()})
        except CitationError as error:
            logger.error("%s", error)
            raise
        if entry.reference_count:
            metadata[COUNT_METADATA] = entry.reference_count
        if "summary" not in metadata and entry.summary is not None:
            metadata["summary"] = entry.summary
        return entry.content, metadata


def configure_markdown(settings: dict) -> None:
    """Add the extension to settings["MARKDOWN"], last, with the site's slug settings."""
    markdown = settings.setdefault("MARKDOWN", {})
    configs = markdown.setdefault("extension_configs", {})
    extensions = markdown.setdefault("extensions", [])
    extensions.extend(name for name in list(configs) if name not in extensions)
    if EXTENSION in extensions:
        extensions.remove(EXTENSION)
    extensions.append(EXTENSION)
    configs[EXTENSION] = {
        "slug_regex_substitutions": settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
        "slugify_preserve_case": settings.get("SLUGIFY_PRESERVE_CASE", False),
        "slugify_use_unicode": settings.get("SLUGIFY_USE_UNICODE", False),
    }


def use_references_reader(readers) -> None:
    """`readers_init` handler: configure Markdown and read Markdown files with our reader."""
    configure_markdown(readers.settings)
    for extension, reader_class in readers.reader_classes.items():
        if reader_class is MarkdownReader:
            readers.reader_classes[extension] = ReferencesMarkdownReader


def register():
    signals.readers_init.connect(use_references_reader)
    signals.all_generators_finalized.connect(finish_reading)
    signals.finalized.connect(end_build)
    signals.article_generator_write_article.connect(add_comment_links)
