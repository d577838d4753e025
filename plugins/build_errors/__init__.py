"""Pelican plugin: a build error reads `content/harbour.md:9: message`, last, without a traceback.

Every plugin reports a problem an editor can fix by raising `BuildError(path, line, message)`
(`path` as Pelican gives it; `line` 1-based or None). `str(error)` is
`<path relative to the working directory>:<line>: <message>`, so `make html` (run from the repo)
names `content/harbour.md:9`. `metadata_line(path, key)` finds the line of a metadata field.

`register()` hooks `initialized`, which installs `ReadableErrors` on the root logger's handlers,
and `all_generators_finalized` (outputs.py: two articles or pages written to one file are a
`BuildError` naming both, and one written where the site writes a listing or a later page of one
(listings.py) a `BuildError` naming the listing, before Pelican would fail at writing the second).
Under `--fatal errors` (the Makefile's default) Pelican turns the first error into an exception
and ends with `CRITICAL RuntimeError: ...` and a traceback. The filter replaces that last record
with one plain line on stderr: the `BuildError` found in the exception's chain, else the
file Pelican could not read with the reason (and the metadata line holding the value the
reason quotes: `content/a.md:2: 'yesterday' is not a valid date`), else the last error logged,
else `Class: message`; a template error names `template:line`. Records carrying a `BuildError` lose
their traceback. With `DEBUG=1` (Pelican's `-D`), nothing is changed: every traceback is shown.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import sys
from pathlib import Path

from pelican import signals

__all__ = ["BuildError", "display_path", "metadata_line", "register"]


def display_path(path: str | os.PathLike | None) -> str:
    """`path` relative to the working directory when it lies below it, else as given. A file
    that is a symbolic link keeps its own name (the folders above it are resolved)."""
    if path is None:
        return "<unknown file>"
    try:
        path = Path(path).absolute()
        return str((path.parent.resolve() / path.name).relative_to(Path.cwd().resolve()))
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
#: Invisible characters (NUL, escape, ...) that no content field or text may hold, and the message
#: a build error gives at the line holding one (plugins/references, plugins/authors).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_MESSAGE = "this line contains an invisible control character (such as NUL): retype it"
_FIELD = re.compile(r"^([A-Za-z][\w-]*)\s*:")


def metadata_line(path: str | os.PathLike, key: str, occurrence: int = 1) -> int | None:
    """1-based line of the `occurrence`-th `Key:` field of the file's metadata header (the key
    matched case-insensitively); None when the header has no such field or the file is unreadable."""
    wanted = key.lower()
    seen = 0
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as lines:
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


#: Pelican's own message when reading a file failed; its argument is the path below PATH.
COULD_NOT_PROCESS = "Could not process %s"
#: What Pelican's --fatal logger raises in place of the error it just logged.
FATAL_PLACEHOLDER = "Warning or error encountered"
_QUOTED = re.compile(r"'([^'\n]{0,200})'|\"([^\"\n]{0,200})\"")
_EMPTY_FIELD = re.compile(r"^[A-Za-z][\w-]*\s*:\s*$")


def root_cause(error: BaseException | None) -> BaseException | None:
    """The outermost exception of the chain that is not Pelican's --fatal placeholder (the
    reader's own words: "'x' is not a valid date", not the date parser's underneath)."""
    return next((link for link in _chain(error)
                 if not (isinstance(link, RuntimeError) and str(link) == FATAL_PLACEHOLDER)), None)


def header_line_quoting(path: str | os.PathLike, message: str) -> int | None:
    """The metadata line holding the value quoted in `message` (Pelican's own messages quote the
    bad value: "'yesterday' is not a valid date"): the one header line that the quoted values
    found in the header point to (an empty one: the one field without a value), None when none
    or several do."""
    values = {a or b for a, b in _QUOTED.findall(message)}
    if not values:
        return None
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as source:
            header = list(itertools.takewhile(str.strip, source))
    except OSError:
        return None
    lines = set()
    for value in values:
        # An empty value ('' is not a valid date) is held by a field with nothing after its colon.
        holding = [number for number, line in enumerate(header, start=1)
                   if (value in line if value else _EMPTY_FIELD.match(line))]
        if len(holding) > 1:
            return None
        lines.update(holding)
    return lines.pop() if len(lines) == 1 else None


def message_with_display_paths(record: logging.LogRecord) -> str:
    """The record's message, every existing absolute path in its arguments shown as
    `display_path` shows it (Pelican's "Skipping /abs/content/a.md: ..." names content/a.md);
    when it names one file and quotes a value found on one line of that file's header, it starts
    with `file:line:` ("content/a.md:3: Unknown status 'drafts' for file content/a.md, ...")."""
    if not isinstance(record.args, tuple) or not record.args:
        return record.getMessage()
    files = [path for arg in record.args if (path := _file_named(arg))]
    try:
        message = str(record.msg) % tuple(display_path(_file_named(arg)) if _file_named(arg) else arg
                                          for arg in record.args)
    except (TypeError, ValueError):
        return record.getMessage()
    if len(set(files)) == 1 and (line := header_line_quoting(files[0], message)):
        return f"{display_path(files[0])}:{line}: {message}"
    return message


def _file_named(arg) -> str | None:
    """The existing absolute path a log argument names (a path, or Pelican content with its
    `source_path`), else None."""
    path = getattr(arg, "source_path", arg)
    if isinstance(path, str) and os.path.isabs(path) and os.path.isfile(path):
        return path
    return None


class ReadableErrors(logging.Filter):
    """Turns the build's closing `CRITICAL` record into one plain `file:line: message` line."""

    def __init__(self, content_path: str | os.PathLike | None = None, stream=None):
        super().__init__("build_errors")
        self.content_path = content_path
        self.stream = stream
        self.last_error: str | None = None
        self.failed_source: str | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if logging.getLogger().getEffectiveLevel() <= logging.DEBUG:
            return True
        error = record.exc_info[1] if record.exc_info else None
        located = located_message(error)
        if record.levelno >= logging.CRITICAL:
            print(located or self.closing_line(error, record), file=self.stream or sys.stderr,
                  flush=True)
            return False
        if record.levelno >= logging.ERROR:
            self.last_error = located or message_with_display_paths(record)
            if record.msg == COULD_NOT_PROCESS and record.args:
                self.failed_source = os.path.join(self.content_path or "", str(record.args[0]))
            if located:
                record.exc_info = None
                record.exc_text = None
        return True

    def closing_line(self, error: BaseException | None, record: logging.LogRecord) -> str:
        """Without a located error: the file Pelican could not read and why, else the last error
        logged, else the exception itself."""
        cause = root_cause(error)
        from .outputs import overwritten_by  # outputs imports this module

        if cause is not None and (overwritten := overwritten_by(cause)):
            return overwritten.located()
        if self.failed_source and isinstance(cause, UnicodeDecodeError) and isinstance(cause.object, bytes):
            line = cause.object[:cause.start].count(b"\n") + 1
            return (f"{display_path(self.failed_source)}:{line}: this file is not UTF-8 text "
                    f"(byte {cause.object[cause.start]:#04x}); save it as UTF-8")
        if self.failed_source and cause is not None:
            line = header_line_quoting(self.failed_source, str(cause))
            where = display_path(self.failed_source) + (f":{line}" if line else "")
            return f"{where}: {cause}"
        if self.last_error:
            return self.last_error
        return f"{type(cause).__name__}: {cause}" if cause is not None else record.getMessage()


def install(pelican=None) -> None:
    """`initialized` handler: put one `ReadableErrors` on every handler of the root logger."""
    content_path = getattr(pelican, "path", None)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(existing, ReadableErrors) for existing in handler.filters):
            handler.addFilter(ReadableErrors(content_path))


def register():
    from .outputs import check_unique_outputs

    signals.initialized.connect(install)
    signals.all_generators_finalized.connect(check_unique_outputs)
