"""Pages whose inputs did not change since the last build are not rendered again (issue 16,
target 5: a rebuild after one article changed).

A rebuild renders every page, and after one article changed nearly all come out identical: at
10,000 articles rendering the 16,000 pages is most of the rebuild. `PageSkipper` gives each page
a fingerprint of everything its template can read, and keeps, in `<CACHE_PATH>/pages/
<hash of the output folder>.txt`, each written page's fingerprint and the SHA-256 of the bytes written (128
bits of each). A page is
not rendered (its file is left as it is) only when

* its fingerprint is the one the manifest holds for its file, and
* the file on disk still has the SHA-256 the manifest holds (a file edited, truncated or
  deleted since is rendered again).

The fingerprint (digest.py) covers:
* the build's code and configuration, once per build: every setting but OUTPUT_PATH and
  CACHE_PATH with the plugins' code, the Markdown extensions and the library versions
  (`read_cache.fingerprint`), the theme's templates (THEME, THEME_TEMPLATES_OVERRIDES), the
  comments service's core (the comments section's code and templates), Jinja's and
  markupsafe's versions, and FORMAT;
* the template's name and, for every name its templates can read (the template, what it
  extends, includes and imports: reads.py), that name's value in the page's context;
  SITEURL, output_file and localsiteurl always. The site-wide term lists `categories`, `tags`
  and `authors` are read as each term and its number of articles: the theme reads no more of
  them on the pages that show them on every page (the menu) or list them (tests/test_pages.py
  checks the theme's templates for that).
A value digest.py cannot fingerprint, or a template that cannot be parsed, renders the page.
Pages written without a template (feeds, sitemaps) are written as before.

The manifest is written atomically (comments_service/core/files.py) at the end of a build that
finished (`finalized`), with only the pages this build wrote or kept. A missing, unreadable or
damaged manifest, or one of another build fingerprint, holds nothing: every page is rendered.
One is kept per output folder, the MAX_MANIFESTS most recent.
Deleting cache/ is always safe.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import sys
import time
from importlib import metadata
from pathlib import Path

from comments_service.core.files import replace_file
from plugins.references.read_cache import fingerprint as read_fingerprint

from .digest import Digester, Unknown
from .reads import Templates

logger = logging.getLogger(__name__)

#: Below CACHE_PATH.
FOLDER = "pages"
#: Manifests kept (one per output folder built recently: `make html`'s and `make publish`'s).
MAX_MANIFESTS = 4
#: Bumped when what a fingerprint covers changes: older manifests then hold nothing.
FORMAT = 4
#: Hex digits kept of a fingerprint and of a file's SHA-256 (128 bits each); a manifest entry
#: is the two, one string.
DIGITS = 32
#: The page lines of a manifest: entry (hex digits), path (one line at least), newline.
LINES = re.compile(rf"(?:[0-9a-f]{{{2 * DIGITS}}}[^\n]+\n)*")
#: Always hashed: what the writer itself sets, and what helpers (asset()) read from the context.
ALWAYS = ("SITEURL", "output_file", "localsiteurl")
#: Site-wide (term, articles) lists hashed as each term and its count (module docstring).
TERM_LISTS = frozenset({"categories", "tags", "authors"})
SERVICE_CORE = Path(__file__).resolve().parents[2] / "comments_service" / "core"


def file_sha(path: str) -> str | None:
    """The first DIGITS hex digits of the SHA-256 of the file's bytes; None if unreadable."""
    try:
        with open(path, "rb") as file:
            return hashlib.sha256(file.read()).hexdigest()[:DIGITS]
    except OSError:
        return None


def _files_digest(digest, folders) -> None:
    for folder in folders:
        root = Path(folder)
        for path in sorted(root.rglob("*")) if root.is_dir() else ():
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())


def build_fingerprint(settings: dict) -> str:
    """The part of every page's fingerprint that is the same for the whole build."""
    digest = hashlib.sha256(f"format {FORMAT} {sys.version}".encode())
    digest.update(read_fingerprint(settings).encode())
    for name in ("jinja2", "markupsafe"):
        digest.update(f"{name}={metadata.version(name)}".encode())
    theme = settings.get("THEME")
    _files_digest(digest, [os.path.join(theme, "templates")] if theme else [])
    overrides = settings.get("THEME_TEMPLATES_OVERRIDES") or []
    _files_digest(digest, [overrides] if isinstance(overrides, str) else overrides)
    _files_digest(digest, [SERVICE_CORE])
    return digest.hexdigest()[:32]


def manifest_path(cache: str, output_path: str) -> Path:
    """The manifest of builds into `output_path` (absolute): one file per output folder, so
    builds into two folders in turn keep theirs."""
    return Path(cache) / FOLDER / f"{hashlib.sha256(output_path.encode()).hexdigest()[:16]}.txt"


def forget_old_manifests(folder: Path, keep: Path) -> None:
    """Delete all but the MAX_MANIFESTS most recently written manifests (`keep` stays)."""
    try:
        files = sorted(folder.glob("*.txt"), key=lambda path: path.stat().st_mtime, reverse=True)
        for old in [path for path in files if path != keep][MAX_MANIFESTS - 1:]:
            old.unlink(missing_ok=True)
    except OSError:  # another build's pruning got there first, or a read-only cache
        pass


class PageSkipper:
    """One build's manifests (the last build's, read; this build's, made) and fingerprints."""

    def __init__(self, output_path: str, settings: dict) -> None:
        self.output_path = os.path.abspath(output_path)
        cache = settings.get("CACHE_PATH")
        self.path = manifest_path(cache, self.output_path) if cache else None
        self.digester = Digester(settings)
        self.build = build_fingerprint(settings) if self.path else ""
        self.previous = self._load()
        self._position, self._ahead = 0, {}
        # This build's manifest lines, in one growing buffer rather than some 16,000 small
        # strings held all build among the pages' short-lived objects (build memory).
        self.made = io.StringIO()
        self._kept_sha = ""
        self._templates: dict[int, Templates] = {}
        self._shared: dict[str, tuple[object, str]] = {}
        self.rendered = self.kept = 0
        self.seconds = 0.0  # spent fingerprinting (the log line at the end says it)

    def _header(self) -> str:
        return json.dumps({"format": FORMAT, "output": self.output_path, "build": self.build})

    def _load(self) -> str:
        """The page lines of the last build's manifest: after a header line (FORMAT, output
        folder, build fingerprint: all must match), one line per page, its entry (2 * DIGITS
        hex digits) then its path, in the order the pages were written. Anything else (a line
        without a page, a last line without its newline: a truncated file) and the manifest
        holds nothing. Kept as the one string read (build memory: see `_previous_entry`)."""
        if self.path is None:
            return ""
        try:
            header, _, body = self.path.read_text(encoding="utf-8").partition("\n")
            if json.loads(header) != json.loads(self._header()):
                return ""
            if not LINES.fullmatch(body):
                raise ValueError("a line is not a page's entry, or the file is cut short")
            return body
        except (OSError, ValueError, KeyError, TypeError) as error:
            if not isinstance(error, FileNotFoundError):
                logger.warning("pages: the manifest %s could not be read (%s); every page is rendered",
                               self.path, error)
            return ""

    def _previous_entry(self, key: str) -> str | None:
        """The last build's entry for page `key`. Pages are written in the same order build
        after build, so the lines are read in turn; those passed over wait in a dict. A dict of
        all 16,500 entries of a 10,000-article site would hold ~4 MiB from the start of the
        writing, when the build's memory peaks."""
        entry = self._ahead.pop(key, None)
        text = self.previous
        while entry is None and self._position < len(text):
            end = text.index("\n", self._position)
            line = text[self._position:end]
            self._position = end + 1
            if line[2 * DIGITS:] == key:
                return line[:2 * DIGITS]
            self._ahead[line[2 * DIGITS:]] = line[:2 * DIGITS]
        return entry

    def fingerprint(self, template, context: dict) -> str | None:
        """The page's fingerprint, or None when some input cannot be stated."""
        started = time.perf_counter()
        try:
            return self._fingerprint(template, context)
        finally:
            self.seconds += time.perf_counter() - started

    def _fingerprint(self, template, context: dict) -> str | None:
        if self.path is None:
            return None
        env = template.environment
        templates = self._templates.get(id(env))
        if templates is None:
            templates = self._templates[id(env)] = Templates(env)
        names = templates.names(template.name) if template.name else None
        if names is None:
            return None
        parts = [self.build, template.name]
        try:
            for name in sorted(names.union(ALWAYS)):
                parts += [name, self._value(name, context)]
        except Unknown as error:
            logger.debug("pages: %s is rendered (%s)", context.get("output_file"), error)
            return None
        except Exception as error:  # noqa: BLE001 - skipping is an optimisation: when in doubt, render
            logger.debug("pages: %s is rendered (fingerprint failed: %r)", context.get("output_file"), error)
            return None
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]

    def _value(self, name: str, context: dict) -> str:
        if name not in context:
            return "-"
        value = context[name]
        shared = self._shared.get(name)
        if shared is not None and shared[0] is value:
            return shared[1]
        if name in TERM_LISTS and isinstance(value, list) and \
                all(isinstance(pair, tuple) and len(pair) == 2 for pair in value):
            made = self.digester.of([(term, len(articles)) for term, articles in value])
        else:
            made = self.digester.of(value)
        # Held, so the same object on the next page is not hashed again (the shared context's
        # values; one per name, so a page's own values replace each other).
        self._shared[name] = (value, made)
        return made

    def unchanged(self, path: str, fingerprint: str) -> bool:
        """Whether the file at `path` is what the last build wrote from these inputs."""
        entry = self._previous_entry(self._key(path))
        if entry is None or entry[:DIGITS] != fingerprint:
            return False
        if file_sha(path) != entry[DIGITS:]:
            return False
        self._kept_sha = entry[DIGITS:]
        return True

    def kept_sha(self) -> str:
        """The SHA-256 prefix of the page `unchanged` answered True for last."""
        return self._kept_sha

    def record(self, path: str, fingerprint: str, sha: str) -> None:
        """`fingerprint` and `sha` (the written bytes' SHA-256, DIGITS hex digits) of `path`."""
        key = self._key(path)
        if "\n" not in key:  # a path the manifest cannot hold is rendered next time
            self.made.write(f"{fingerprint}{sha[:DIGITS]}{key}\n")

    def _key(self, path: str) -> str:
        prefix = self.output_path + os.sep
        if path.startswith(prefix):  # the writer's paths (sanitised_join: absolute, normalised)
            return path[len(prefix):]
        return os.path.relpath(os.path.abspath(path), self.output_path)

    def save(self) -> None:
        """Write this build's manifest (at the end of a build that finished)."""
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            replace_file(self.path, self._header() + "\n" + self.made.getvalue())
            forget_old_manifests(self.path.parent, self.path)
        except OSError as error:  # a read-only cache: the next build renders every page
            logger.warning("pages: the manifest %s could not be written (%s)", self.path, error)
        logger.info("pages: %d rendered, %d unchanged and kept (%.1f s fingerprinting)",
                    self.rendered, self.kept, self.seconds)


def save_manifests(pelican) -> None:
    """`finalized` handler: the build finished; write its manifest."""
    from .writer import UnchangedFilesWriter

    skipper = UnchangedFilesWriter.open_skippers.pop(os.path.abspath(pelican.output_path), None)
    if skipper is not None:
        skipper.save()
