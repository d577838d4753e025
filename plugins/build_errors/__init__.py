"""Pelican plugin: a build error reads `content/harbour.md:9: message`, last, without a traceback.

Every plugin reports a problem an editor can fix by raising `BuildError(path, line, message)`
(`path` as Pelican gives it; `line` 1-based or None). `str(error)` is
`<path relative to the working directory>:<line>: <message>`, so `make html` (run from the repo)
names `content/harbour.md:9`. `metadata_line(path, key)` finds the line of a metadata field.

`register()` hooks `initialized`, which installs `ReadableErrors` on the root logger's handlers.
Under `--fatal errors` (the Makefile's default) Pelican turns the first error into an exception
and ends with `CRITICAL RuntimeError: ...` and a traceback. The filter replaces that last record
with one plain line on stderr: the `BuildError` found in the exception's chain, else the
message of the last error logged (Pelican's own, e.g. "Could not process x.md"), else
`Class: message`; a template error names `template:line`. Records carrying a `BuildError` lose
their traceback. With `DEBUG=1` (Pelican's `-D`), nothing is changed: every traceback is shown.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path

from pelican import signals

__all__ = ["BuildError", "display_path", "metadata_line", "register"]


def display_path(path: str | os.PathLike | None) -> str:
    """`path` relative to the working directory when it lies below it, else as given."""
    if path is None:
        return "<unknown file>"
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


class BuildError(Exception):
    """A problem in the site's sources that stops the build; `str()` is `path:line: message`."""

    def __init__(self, path: str | os.PathLike | None, line: int | None, message: str):
        self.path = path
        self.line = line
        self.message = message
        super().__init__(self.located())

    def located(self) -> str:
        where = display_path(self.path)
        return f"{where}:{self.line}: {self.message}" if self.line else f"{where}: {self.message}"


# A metadata header: `Key: value` lines (with indented continuations) up to the first blank line.
_FIELD = re.compile(r"^([A-Za-z][\w-]*)\s*:")


def metadata_line(path: str | os.PathLike, key: str, occurrence: int = 1) -> int | None:
    """1-based line of the `occurrence`-th `Key:` field of the file's metadata header (the key
    matched case-insensitively); None when the header has no such field or the file is unreadable."""
    wanted = key.lower()
    seen = 0
    try:
        with open(path, encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    return None
                match = _FIELD.match(line)
                if match and match.group(1).lower() == wanted:
                    seen += 1
                    if seen == occurrence:
                        return number
    except OSError:
        return None
    return None


def _chain(error: BaseException | None):
    """`error`, then its causes and contexts, each once."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def located_message(error: BaseException | None) -> str | None:
    """The `file:line: message` an editor needs for `error`, if its chain carries a location:
    a `BuildError`, a template syntax error, or an error raised while a template was rendering
    (Jinja maps those frames to the template's file and line)."""
    for link in _chain(error):
        if isinstance(link, BuildError):
            return link.located()
    for link in _chain(error):
        if getattr(link, "lineno", None) and getattr(link, "filename", None) \
                and type(link).__module__.startswith("jinja2"):
            return f"{display_path(link.filename)}:{link.lineno}: {getattr(link, 'message', link)}"
        frame = _last_template_frame(link.__traceback__)
        if frame is not None:
            filename, lineno = frame
            return f"{display_path(filename)}:{lineno}: {type(link).__name__}: {link}"
    return None


def _last_template_frame(traceback) -> tuple[str, int] | None:
    """(file, line) of the innermost traceback frame that is a template, if any."""
    found = None
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".j2")) and os.path.exists(filename):
            found = (filename, traceback.tb_lineno)
        traceback = traceback.tb_next
    return found


class ReadableErrors(logging.Filter):
    """Turns the build's closing `CRITICAL` record into one plain `file:line: message` line."""

    def __init__(self, stream=None):
        super().__init__("build_errors")
        self.stream = stream
        self.last_error: str | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if logging.getLogger().getEffectiveLevel() <= logging.DEBUG:
            return True
        error = record.exc_info[1] if record.exc_info else None
        if record.levelno >= logging.CRITICAL:
            message = located_message(error) or self.last_error or \
                (f"{type(error).__name__}: {error}" if error else record.getMessage())
            stream = self.stream or sys.stderr
            print(message, file=stream, flush=True)
            return False
        if record.levelno >= logging.ERROR:
            self.last_error = located_message(error) or record.getMessage()
            if located_message(error):
                record.exc_info = None
                record.exc_text = None
        return True


def install(_pelican=None) -> None:
    """`initialized` handler: put one `ReadableErrors` on every handler of the root logger."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(existing, ReadableErrors) for existing in handler.filters):
            handler.addFilter(ReadableErrors())


def register():
    signals.initialized.connect(install)
