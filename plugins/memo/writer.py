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

Pelican uses one writer class: plugins/discovery's feed writer extends this one.
"""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

from pelican.writers import FileOverwriteFailedError, Writer

from comments_service.core.files import replace_file_if_changed

logger = logging.getLogger("pelican.writers")  # Pelican's own messages, under its logger

class _PendingFile(io.StringIO):
    """A text buffer written to `path` when its `with` block ends without an exception (a
    template that fails halfway leaves the old page, not half of a new one)."""

    def __init__(self, path: str, encoding: str):
        super().__init__()
        self.path = Path(path)
        self.target_encoding = encoding

    def __exit__(self, exc_type, exc, traceback):
        try:
            if exc_type is None:
                write_if_changed(self.path, self.getvalue().encode(self.target_encoding))
        finally:
            self.close()
        return False


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` to `path` unless it holds those bytes already; returns whether it wrote."""
    if os.path.lexists(path):
        return replace_file_if_changed(path, data)
    with open(path, "wb") as new_file:
        new_file.write(data)
    return True


class UnchangedFilesWriter(Writer):
    """Pelican's writer; a file is only written when its bytes change."""

    def _open_w(self, filename, encoding, override=False):
        """Pelican 4.12's `Writer._open_w` (same checks, messages and bookkeeping), returning a
        `_PendingFile` instead of the file opened with "w" (which would truncate it at once)."""
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
        return _PendingFile(filename, encoding)
