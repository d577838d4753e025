"""What the Markdown reader made of each source file, kept across builds (issue 16, target 5).

A rebuild after one article changed reads every other file again; Markdown conversion is about
two fifths of a cold build. `ReadCache` keeps, per source file, the reader's own output: the
HTML, the raw metadata (Markdown's `Meta`, continuation lines joined), the number of references
and the clean summary. Pelican still turns that metadata into dates, tags and authors on every
build (`_parse_metadata`), so nothing in the cache holds a settings-bound object.

Why not Pelican's CACHE_CONTENT: it keys a file by its mtime unless told otherwise, ignores
settings and plugin code, pickles Tag/Category objects together with a copy of the settings
(ours hold a closure: the pickling fails, and the half-written file then crashes the next build
with EOFError), and never forgets a deleted file.

Safety contract:
* an entry is used only for the same source path with the same bytes (SHA-256 of the file);
* the cache file is named by a fingerprint (`fingerprint`) of everything else the reader's
  output depends on: every setting but OUTPUT_PATH and CACHE_PATH (so MARKDOWN, the slug and
  summary settings, PATH...), the
  source of every module of plugins/ (the reader, its extension, and any plugin it may call),
  the source of each configured Markdown extension, and the Python, Pelican, Markdown and
  Pygments versions. Any change starts from an empty cache, in a file of its own (so two
  configurations built in turn, `make html` and `make publish`, keep one each);
* a file that failed to read (a citation error) is never stored: its error is raised again;
* the store is SQLite: a build that dies leaves it consistent, a damaged file is dropped and
  read as empty, and builds running side by side wait for each other's short writes.

At the end of the reading (`finish`, on `all_generators_finalized`) the entries of files this
build did not read are deleted, and only the MAX_FILES most recently used cache files are kept.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import marshal
import os
import sqlite3
import sys
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

logger = logging.getLogger(__name__)

#: The setting that turns the cache on (pelican.conf.py); off by default, so a reader made
#: outside a build (the tests, the importer) never writes a cache folder.
SETTING = "CONTENT_READ_CACHE"
#: Settings that say where files go, not how a file reads: a build into another folder (the
#: benchmark's, a test's) reuses the cache.
NOT_READ = frozenset({"OUTPUT_PATH", "CACHE_PATH"})
#: Below CACHE_PATH.
FOLDER = "read-cache"
#: Cache files kept (one per configuration built recently).
MAX_FILES = 4
#: Entries written per transaction while reading (a transaction per file costs ~0.3 s at 10,000).
BATCH = 500
PLUGINS_DIR = Path(__file__).resolve().parent.parent
VERSIONED = ("pelican", "markdown", "pygments")


class Entry(NamedTuple):
    """The reader's output for one file's bytes."""
    content: str
    meta: dict[str, list[str]]
    reference_count: int
    summary: str | None


def stable_repr(value) -> str:
    """A representation of a settings value that is the same in every process for the same
    value: containers recursively (dict keys sorted), functions and classes by qualified name,
    other objects by `repr` unless that shows a memory address (then by type)."""
    if isinstance(value, dict):
        items = sorted((stable_repr(key), stable_repr(item)) for key, item in value.items())
        return "{" + ", ".join(f"{key}: {item}" for key, item in items) + "}"
    if isinstance(value, (list, tuple)):
        return type(value).__name__ + "[" + ", ".join(map(stable_repr, value)) + "]"
    if isinstance(value, (set, frozenset)):
        return "set[" + ", ".join(sorted(map(stable_repr, value))) + "]"
    if callable(value) and hasattr(value, "__qualname__"):
        return f"<{getattr(value, '__module__', '?')}.{value.__qualname__}>"
    text = repr(value)
    return f"<{type(value).__module__}.{type(value).__qualname__}>" if " at 0x" in text else text


def _module_files(extensions) -> list[Path]:
    """The source files of the configured Markdown extensions (names or instances)."""
    files = []
    for extension in extensions:
        name = extension if isinstance(extension, str) else type(extension).__module__
        name = name.partition(":")[0]  # "package.module:Class"
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin and os.path.isfile(spec.origin):
            files.append(Path(spec.origin))
    return files


def fingerprint(settings: dict) -> str:
    """SHA-256 (hex, 32 digits) of what a file's bytes are read with (module docstring)."""
    digest = hashlib.sha256()
    digest.update(stable_repr({key: value for key, value in settings.items()
                               if not key.startswith("_") and key not in NOT_READ}).encode())
    digest.update(sys.version.encode())
    for name in VERSIONED:
        digest.update(f"{name}={metadata.version(name)}".encode())
    code = sorted(path for path in PLUGINS_DIR.rglob("*.py") if "tests" not in path.parts)
    code += _module_files(settings.get("MARKDOWN", {}).get("extensions", []))
    for path in code:
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def file_digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


class ReadCache:
    """One build's view of one cache file (see the module docstring)."""

    def __init__(self, path: Path):
        self.path = path
        self.used: set[str] = set()
        self._pending = 0
        self._db = self._open()

    def _open(self) -> sqlite3.Connection | None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return self._connect()
        except sqlite3.DatabaseError as error:  # damaged (a disk filled up, a copy cut short)
            logger.warning("read cache %s is unreadable (%s): starting a new one", self.path, error)
            self.path.unlink(missing_ok=True)
        except OSError as error:  # a read-only checkout still builds, uncached
            logger.info("no read cache (%s)", error)
            return None
        try:
            return self._connect()
        except (sqlite3.DatabaseError, OSError):
            return None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # a cache: losing the last batch costs a re-read
        db.execute("CREATE TABLE IF NOT EXISTS entries (path TEXT PRIMARY KEY, digest BLOB NOT NULL,"
                   " data BLOB NOT NULL)")
        db.execute("BEGIN")
        return db

    def get(self, path: str, digest: bytes) -> Entry | None:
        """The entry stored for `path` with these bytes, else None."""
        self.used.add(path)
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT digest, data FROM entries WHERE path = ?", (path,)).fetchone()
            if row is None or row[0] != digest:
                return None
            return Entry(*marshal.loads(row[1]))
        except (sqlite3.DatabaseError, ValueError, EOFError, TypeError) as error:
            self._fail(error)
            return None

    def put(self, path: str, digest: bytes, entry: Entry) -> None:
        self.used.add(path)
        if self._db is None:
            return
        try:
            self._db.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)",
                             (path, digest, marshal.dumps(tuple(entry))))
            self._pending += 1
            if self._pending >= BATCH:
                self._db.execute("COMMIT")
                self._db.execute("BEGIN")
                self._pending = 0
        except sqlite3.DatabaseError as error:
            self._fail(error)

    def finish(self) -> None:
        """Commit, delete the entries of files not read by this build, close; then keep only
        the MAX_FILES most recently used cache files."""
        if self._db is not None:
            try:
                self._db.execute("CREATE TEMP TABLE used (path TEXT PRIMARY KEY)")
                self._db.executemany("INSERT OR IGNORE INTO used VALUES (?)", ((p,) for p in self.used))
                self._db.execute("DELETE FROM entries WHERE path NOT IN (SELECT path FROM used)")
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError as error:
                self._fail(error)
            finally:
                if self._db is not None:
                    self._db.close()
                    self._db = None
        try:
            os.utime(self.path)  # "recently used" for forget_old_files, even when nothing changed
        except OSError:
            pass
        forget_old_files(self.path.parent, keep=self.path)

    def _fail(self, error: Exception) -> None:
        logger.warning("read cache %s: %s; reading without it", self.path, error)
        try:
            self._db.close()
        finally:
            self._db = None


def forget_old_files(folder: Path, keep: Path) -> None:
    """Delete all but the MAX_FILES most recently modified cache files of `folder` (`keep` stays)."""
    try:
        files = sorted(folder.glob("*.sqlite3"), key=lambda path: path.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in [path for path in files if path != keep][MAX_FILES - 1:]:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{old}{suffix}").unlink(missing_ok=True)


#: The cache of the build in progress, by id of its settings dict (one per Pelican object).
_OPEN: dict[int, ReadCache | None] = {}


def cache_for(settings: dict) -> ReadCache | None:
    """The open cache of the build reading with `settings`; None when SETTING is off, without
    CACHE_PATH, or once `finish_reading` closed it for this build."""
    key = id(settings)
    if key not in _OPEN:
        if not settings.get(SETTING) or not settings.get("CACHE_PATH"):
            return None
        path = Path(settings["CACHE_PATH"]) / FOLDER / f"{fingerprint(settings)}.sqlite3"
        _OPEN[key] = ReadCache(path)
    return _OPEN[key]


def finish_reading(generators) -> None:
    """`all_generators_finalized` handler: every file is read; save and close the cache (a file
    read later in this build, if any, is read uncached)."""
    settings = generators[0].settings if generators else None
    if settings is not None and (cache := _OPEN.get(id(settings))) is not None:
        cache.finish()
        _OPEN[id(settings)] = None


def end_build(pelican) -> None:
    """`finalized` handler: the next build of this Pelican object (`make regenerate`) opens the
    cache again."""
    cache = _OPEN.pop(id(pelican.settings), None)
    if cache is not None:  # all_generators_finalized did not run (no generator)
        cache.finish()
