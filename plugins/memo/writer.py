"""Pelican's writer, minus the rewriting of files whose bytes did not change.

A rebuild renders every page again, and most come out identical. Pelican opens each output file
with "w" anyway: on ext4 truncating and rewriting an existing file costs ~1 ms (a quarter of a
2,000-article rebuild's time went there), and every file gets a new mtime, so rsync, a CDN
invalidation and plugins/assets' pre-compression (which skips copies newer than their file)
redo work for pages nobody changed.

`UnchangedFilesWriter._open_w` keeps all of Pelican's bookkeeping, its code and messages (a
second write to one file is still a FileOverwriteFailedError, plugins/build_errors/outputs.py
names the culprit from its message) and hands back a buffer; when the `with` block ends without
an error the text goes to the file through comments_service/core/files.py: an existing file is
replaced atomically only if its bytes differ (`replace_file_if_changed`), a new one is written
directly, as Pelican does (the temp file + rename costs ~0.1 ms more per file, and nobody
serves a file that is not there yet).

With a CACHE_PATH it also skips rendering a page whose inputs and file did not change
(pages.py): `write_file` hands Pelican a `_Fingerprinted` template, whose `render` answers ""
for such a page, and `_open_w` then gives a `_KeptFile` that writes nothing; Pelican's checks,
its log line and `content_written` (the handlers that release an article's HTML) run as for any
page. A page rendered with a fingerprint is recorded with the SHA-256 of its bytes.

Pelican uses one writer class: plugins/discovery's feed writer extends this one.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
from pathlib import Path

from pelican.utils import sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

from comments_service.core.files import replace_file_if_changed

from .pages import PageSkipper

logger = logging.getLogger("pelican.writers")  # Pelican's own messages, under its logger

class _PendingFile(io.StringIO):
    """A text buffer written to `path` when its `with` block ends without an exception (a
    template that fails halfway leaves the old page, not half of a new one)."""

    def __init__(self, path: str, encoding: str, pages: PageSkipper | None = None,
                 fingerprint: str | None = None):
        super().__init__()
        self.path = Path(path)
        self.target_encoding = encoding
        self.pages, self.fingerprint = pages, fingerprint

    def __exit__(self, exc_type, exc, traceback):
        try:
            if exc_type is None:
                data = self.getvalue().encode(self.target_encoding)
                write_if_changed(self.path, data)
                if self.pages is not None and self.fingerprint is not None:
                    self.pages.record(str(self.path), self.fingerprint, hashlib.sha256(data).hexdigest())
        finally:
            self.close()
        return False


class _KeptFile(io.StringIO):
    """What Pelican writes a kept page to: nothing reaches the file, already what it would be;
    the page stays in the manifest (pages.py)."""

    def __init__(self, pages: PageSkipper, path: str, entry: tuple[str, str]):
        super().__init__()
        self.pages, self.path, self.entry = pages, path, entry

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is None:
            self.pages.record(self.path, *self.entry)
        self.close()
        return False


class _Fingerprinted:
    """A template whose `render` returns "" without rendering when the page is unchanged."""

    def __init__(self, template, writer: UnchangedFilesWriter):
        self.template, self.writer = template, writer

    def __getattr__(self, name):
        return getattr(self.template, name)

    def render(self, context: dict) -> str:
        pages = self.writer.pages
        path = sanitised_join(self.writer.output_path, context["output_file"])
        fingerprint = pages.fingerprint(self.template, context)
        if fingerprint is not None and pages.unchanged(path, fingerprint):
            self.writer._pending[path] = ("kept", fingerprint, (fingerprint, pages.kept_sha()))
            pages.kept += 1
            return ""
        self.writer._pending[path] = ("rendered", fingerprint, None)
        pages.rendered += 1
        return self.template.render(context)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` to `path` unless it holds those bytes already; returns whether it wrote."""
    if os.path.lexists(path):
        return replace_file_if_changed(path, data)
    with open(path, "wb") as new_file:
        new_file.write(data)
    return True


class UnchangedFilesWriter(Writer):
    """Pelican's writer; a file is only written when its bytes change, a page only rendered
    when its inputs or its file changed (pages.py)."""

    #: The builds' page skippers by output folder, until `finalized` saves their manifests.
    open_skippers: dict[str, PageSkipper] = {}

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        self.pages = PageSkipper(output_path, settings) if settings and settings.get("CACHE_PATH") else None
        self._pending: dict[str, tuple] = {}  # path -> ("kept" | "rendered", fingerprint, entry)
        if self.pages is not None:
            UnchangedFilesWriter.open_skippers[self.pages.output_path] = self.pages

    def write_file(self, name, template, context, *args, **kwargs):
        """Pelican's `write_file`, its template fingerprinted when pages are tracked."""
        if self.pages is not None and template is not None:
            template = _Fingerprinted(template, self)
        return super().write_file(name, template, context, *args, **kwargs)

    def _open_w(self, filename, encoding, override=False):
        """Pelican 4.12's `Writer._open_w` (same checks, messages and bookkeeping), returning a
        `_PendingFile` instead of the file opened with "w" (which would truncate it at once)."""
        pending = self._pending.pop(filename, None)
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" a second time (was previously overwritten)')
            logger.info('Skipping "%s", not overwriting', filename)
            return open(os.devnull, "w", encoding=encoding)
        if filename in self._written_files:
            if override:
                logger.info('Overwriting "%s"', filename)
            else:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" as Pelican has already '
                    "written to it previously (set `override=True` if intended)")
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        if pending is not None and pending[0] == "kept":
            return _KeptFile(self.pages, filename, pending[2])
        return _PendingFile(filename, encoding, self.pages, pending[1] if pending else None)
