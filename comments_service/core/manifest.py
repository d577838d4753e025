"""The thread manifest written by the site build (`output/comments/threads.json`): a JSON list of
{"slug", "url", "title", "published", "open", "references"} (`references`: how many numbered
source references [n] the article has; manifests written before it have none and mean 0,
"unknown"). Only threads listed there accept or serve comments;
the service never fetches a URL to find out. The file is re-read whenever its mtime changes; a
missing file means no threads, an unreadable one keeps the last good list (the build may be
half-way through writing it)."""

import json
import logging
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path

from .files import replace_file

log = logging.getLogger(__name__)
_EXTENSION = "comments_threads"


@dataclass(frozen=True)
class Thread:
    """One article's thread: `url` is the article's (site-relative or absolute) URL, `open`
    False when the build closed it (metadata or age), `references` the number of its source
    references (plugins/references), 0 when it has none or the manifest does not say."""

    slug: str
    url: str
    title: str
    published: str
    open: bool
    references: int = 0


class ThreadManifest:
    """The manifest at `path`, loaded lazily and reloaded when the file changes."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._threads: dict[str, Thread] = {}
        self._mtime_ns: int | None = None
        self._lock = threading.Lock()

    def get(self, slug: str) -> Thread | None:
        return self._current().get(slug)

    def _current(self) -> dict[str, Thread]:
        try:
            mtime_ns = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            mtime_ns = None
        if mtime_ns != self._mtime_ns:
            with self._lock:
                self._reload(mtime_ns)
        return self._threads

    def _reload(self, mtime_ns: int | None) -> None:
        if mtime_ns is None:
            self._threads, self._mtime_ns = {}, None
            return
        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))
            self._threads = {entry["slug"]: _thread(entry) for entry in entries}
        except (OSError, ValueError, TypeError, KeyError) as problem:
            log.error("thread manifest %s unreadable, keeping the previous one: %s", self.path, problem)
            return
        self._mtime_ns = mtime_ns


def _thread(entry: dict) -> Thread:
    return Thread(slug=str(entry["slug"]), url=str(entry["url"]), title=str(entry.get("title", "")),
                  published=str(entry.get("published", "")), open=bool(entry.get("open", True)),
                  references=_count(entry.get("references")))


def _count(value) -> int:
    """A reference count as the build writes it (a whole number); anything else means unknown, 0:
    a thread must not become unreadable because of it."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def write_manifest(path: Path, threads: Iterable[Thread]) -> None:
    """Write the manifest atomically (the service may be reading it); one entry per slug, the
    first one given wins. The text is `json.dumps(entries, ensure_ascii=False, indent=1)`, made
    entry by entry: at 10,000 articles the dict of every entry plus the encoder's pieces were a
    transient ~17 MiB on top of the site build's memory."""
    seen: set[str] = set()
    names = [field.name for field in fields(Thread)]
    texts = []
    encoder = json.JSONEncoder(ensure_ascii=False, indent=1)  # what json.dumps makes per call
    for thread in threads:
        if thread.slug not in seen:  # a flat record: `asdict`'s deep copy cost a build 60 ms
            seen.add(thread.slug)
            entry = {name: getattr(thread, name) for name in names}
            # One level deeper than alone: JSON text has no raw newline but the indentation's.
            texts.append(" " + encoder.encode(entry).replace("\n", "\n "))
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, "[\n" + ",\n".join(texts) + "\n]" if texts else "[]")
