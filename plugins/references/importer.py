"""Convert an article in the plain-text seed format into `content/<slug>.md`.

Usage: python -m plugins.references.importer FILE [--content DIR] [--date DATE] [--force]

Seed format (UTF-8):
    line 1             the title
    following lines    one paragraph per line (blank lines are ignored), citing sources as `[n]`
    `References:`      then one `[n] URL-or-text` line per source
    `Comments`         optional; this line and everything after it is ignored

Output: Pelican metadata (Title, Date, Slug) and the paragraphs as Markdown, each `[n]` turned into
a footnote `[^n]` and each reference into `[^n]: URL`. The text around markers is kept exactly and
Markdown syntax characters in the text are escaped, so the built page reads like the seed.

Any problem is reported as `FILE:LINE: message` on stderr with exit status 1, and nothing is
written. An existing different output file is only replaced with `--force`; the write is atomic.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from pelican.settings import DEFAULT_CONFIG
from pelican.utils import slugify

from comments_service.core.files import replace_file

REFERENCES_HEADING = "References:"
COMMENTS_HEADING = "Comments"
CITATION = re.compile(r"\[(\d+)\]")
REFERENCE_LINE = re.compile(r"\[(\d+)\]\s+(\S.*)")
ANY_URL = re.compile(r"https?://\S+")
SAFE_BARE_URL = re.compile(r"https?://[^\s*_`\\\[\]<>{}&]+")
# Characters that start inline Markdown (or extra's attribute lists) anywhere in a line.
INLINE_SYNTAX = re.compile(r"([\\`*_\[\]{}])")
# Line starts that Markdown would read as a heading, quote, list item, rule or definition.
BLOCK_START = re.compile(r"^(?:(#|>|[-+](?=\s|-*\s*$))|(\d+)\.(?=\s))")


class ImportFailed(Exception):
    """A problem in the input or the output; `str()` reads `FILE:LINE: message`."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")


@dataclass
class Article:
    """The parsed seed: title, paragraphs with their line numbers, references by number."""

    title: str
    paragraphs: list[tuple[int, str]] = field(default_factory=list)
    references: dict[str, tuple[int, str]] = field(default_factory=dict)


def decode(path: Path, data: bytes) -> str:
    """UTF-8 text of `data`, or an error naming the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise ImportFailed(f"{path}:{line}", f"not valid UTF-8 (byte 0x{data[error.start]:02x})") from None


def parse(path: Path, text: str) -> Article:
    """Parse the seed format (see the module docstring) and check every citation."""
    lines = text.splitlines()
    if not text.strip():
        raise ImportFailed(f"{path}:1", "file is empty")
    title = lines[0].strip()
    if not title or title in (REFERENCES_HEADING, COMMENTS_HEADING) or CITATION.search(title):
        raise ImportFailed(f"{path}:1", "the first line must be the article title")
    article = Article(title)
    in_references = False
    for number, raw in enumerate(lines[1:], start=2):
        line = raw.strip()
        if line == COMMENTS_HEADING:
            break
        if not line:
            continue
        if line == REFERENCES_HEADING and not in_references:
            in_references = True
        elif in_references:
            add_reference(article, path, number, line)
        else:
            article.paragraphs.append((number, line))
    if not article.paragraphs:
        raise ImportFailed(f"{path}:2", "no paragraphs after the title")
    check_citations(article, path)
    return article


def add_reference(article: Article, path: Path, number: int, line: str) -> None:
    match = REFERENCE_LINE.fullmatch(line)
    if not match:
        raise ImportFailed(f"{path}:{number}", f'expected a reference line "[n] URL", got "{line}"')
    key, source = match.groups()
    if key in article.references:
        first = article.references[key][0]
        raise ImportFailed(f"{path}:{number}", f"duplicate reference [{key}] (first on line {first})")
    article.references[key] = (number, source.strip())


def check_citations(article: Article, path: Path) -> None:
    """Every `[n]` has a reference line and every reference line is cited."""
    cited = set()
    for number, paragraph in article.paragraphs:
        for key in CITATION.findall(paragraph):
            if key not in article.references:
                raise ImportFailed(f"{path}:{number}", f"[{key}] is cited but has no reference line")
            cited.add(key)
    for key, (number, _) in article.references.items():
        if key not in cited:
            raise ImportFailed(f"{path}:{number}", f"reference [{key}] is never cited")


def escape_text(text: str) -> str:
    """Markdown source that renders as exactly `text` (one paragraph, no markup)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    return INLINE_SYNTAX.sub(r"\\\1", text)


def escape_line_start(line: str) -> str:
    """Keep a paragraph from being read as a heading, quote, list or rule by its first characters."""
    if line.startswith(":"):
        return "&#58;" + line[1:]
    return BLOCK_START.sub(lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\.", line, count=1)


def paragraph_markdown(paragraph: str) -> str:
    """The paragraph with text escaped and each `[n]` turned into the footnote marker `[^n]`."""
    pieces = CITATION.split(paragraph)
    texts, keys = pieces[0::2], pieces[1::2]
    markdown = escape_text(texts[0])
    for key, text in zip(keys, texts[1:]):
        markdown += f"[^{key}]" + escape_text(text)
    return escape_line_start(markdown)


def reference_markdown(source: str) -> str:
    """A bare URL stays bare (the references extension links it); other text is escaped."""
    if SAFE_BARE_URL.fullmatch(source):
        return source
    if ANY_URL.fullmatch(source):
        return f"<{source}>"
    return escape_text(source)


def to_markdown(article: Article, slug: str, date: datetime) -> str:
    header = [f"Title: {article.title}", f"Date: {date.isoformat(sep=' ', timespec='minutes')}",
              f"Slug: {slug}"]
    body = [paragraph_markdown(paragraph) for _, paragraph in article.paragraphs]
    notes = [f"[^{key}]: {reference_markdown(source)}" for key, (_, source) in article.references.items()]
    blocks = ["\n".join(header)] + body + (["\n".join(notes)] if notes else [])
    return "\n\n".join(blocks) + "\n"


def article_slug(title: str) -> str:
    """The slug Pelican would derive from the title with its default settings."""
    return slugify(title, regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])


def write_atomically(target: Path, text: str, force: bool) -> bool:
    """Write `text` to `target` atomically, readable by the web server (the one atomic writer,
    comments_service.core.files); False if it already holds `text`."""
    if target.exists():
        if target.read_text(encoding="utf-8") == text:
            return False
        if not force:
            raise ImportFailed(str(target), "already exists with different content (use --force)")
    target.parent.mkdir(parents=True, exist_ok=True)
    replace_file(target, text)
    return True


def import_article(source: Path, content: Path, date: datetime, force: bool = False) -> Path:
    """Convert `source` into `content/<slug>.md`; return the output path."""
    try:
        data = source.read_bytes()
    except OSError as error:
        raise ImportFailed(str(source), error.strerror or str(error)) from None
    article = parse(source, decode(source, data))
    slug = article_slug(article.title)
    if not slug:
        raise ImportFailed(f"{source}:1", "the title gives an empty slug")
    target = content / f"{slug}.md"
    write_atomically(target, to_markdown(article, slug, date), force)
    return target


def parse_date(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date: {value!r} (e.g. 2025-07-15 09:00)") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m plugins.references.importer",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path, help="article in the seed text format")
    parser.add_argument("--content", type=Path, default=Path("content"), help="output folder")
    parser.add_argument("--date", type=parse_date, default=None,
                        help="publication date, ISO format (default: now, UTC)")
    parser.add_argument("--force", action="store_true", help="replace an existing different file")
    args = parser.parse_args(argv)
    date = args.date or datetime.now(timezone.utc).replace(second=0, microsecond=0)
    try:
        target = import_article(args.file, args.content, date, args.force)
    except ImportFailed as error:
        print(error, file=sys.stderr)
        return 1
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
