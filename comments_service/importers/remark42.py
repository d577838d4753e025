"""The Remark42 reader: every comment of a Remark42 backup (`remark42 backup`, the daily
`backup-<site>-<date>.gz`, or the admin export `GET /api/v1/admin/export`).

The format (umputun/remark42, backend/app/migrator/native.go): newline-delimited JSON, plain or
gzip-compressed (detected by its magic bytes, not its name). Line 1 is the metadata,
`{"version": 1, "users": [...], "posts": [...]}`; each further line is one comment as
store.Comment encodes it: `id`, `pid` ("" at top level), `text` (HTML), `orig` (the Markdown as
typed, HTML-escaped by Remark42), `user` {`name`, `id`, `ip`, `block`...}, `locator` {`site`,
`url`}, `score`, `votes` (only in old backups), `time` (RFC 3339), `edit` {`time`, `summary`},
`delete`...

Contract: `read(path, on_read)` is a generator over the file, one line at a time (memory holds
one line, the set of URLs seen and the users' e-mail addresses from line 1); `on_read(n)` is
told each time n more bytes of the file on disk are consumed (every REPORT_EVERY bytes or so,
and at the end). It yields a Thread (ref and url: `locator.url`) before the first comment of
each URL, then each comment as a Foreign in file order. Mapping (docs/migration.md, "Remark42"):
- state APPROVED (Remark42 has no pre-moderation); `delete` -> deleted. A blocked user's
  comment (`user.block`) is imported as it is marked: visible unless `delete` is set, which is
  what Remark42's readers saw (recent versions show it; some versions exported it deleted);
- author: `user.name` with Remark42's HTML escaping undone; email: the user's address from the
  metadata line (`users[].details.email`, the address confirmed for reply notifications), not
  carried as a subscription; website: none;
- html: `text` sanitised with our allow-list; text: `orig` unescaped, else the words of `html`;
- ip: `user.ip` as stored, already an HMAC-SHA1 of the address (hashed again with our salt);
- created: `time`; edited: `edit.time`; likes/dislikes: the `votes` map (true = up) when the
  backup has one, else the net `score` (positive -> likes, negative -> dislikes).
An empty file, a first line that is not Remark42's metadata and a damaged gzip stream raise
SourceRejected (when the iteration reaches them); every problem with one comment line (not
JSON, no id or URL, a bad time, a field of the wrong type, longer than MAX_LINE) is yielded as
an Invalid naming the comment and its line.
"""

import gzip
import json
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime
from html import unescape
from pathlib import Path
from typing import Any, BinaryIO

from ..core.comment import APPROVED
from ..core.render import sanitize
from ..core.times import as_utc
from .html_text import markdown_text
from .items import Foreign, Invalid, Skipped, SourceRejected, Thread

DESCRIPTION = "a Remark42 backup"

_GZIP_MAGIC = b"\x1f\x8b"
_VERSIONS = (0, 1)  # what Remark42's own import accepts (native.go: nativeVersion, and 0)
#: The longest line read (bytes): Remark42 caps comments at 2,000 characters by default, so this
#: only bounds memory against a broken or hostile file (a gzip stream with no newline).
MAX_LINE = 64 << 20
REPORT_EVERY = 1 << 16  # bytes between two calls of on_read

Item = Thread | Foreign | Skipped | Invalid


class _Problem(Exception):
    """What is wrong with one comment line; becomes an Invalid (with the comment's id and name
    once they are known)."""

    def __init__(self, problem: str, key: str | None = None, name: str | None = None):
        super().__init__(problem)
        self.key, self.name = key, name


def read(path: Path, on_read: Callable[[int], None]) -> Iterator[Item]:
    """The threads and comments of a Remark42 backup, plain or gzip, in file order."""
    lines = _lines(path, on_read)
    emails = _emails(_metadata(next(lines, None)))
    seen: set[str] = set()
    for number, line in lines:
        try:
            comment = _comment(_json(line), number, emails)
        except _Problem as problem:
            yield Invalid(problem.key, problem.name or f"Remark42 comment (line {number})",
                          str(problem))
            continue
        if comment is None:  # a blank line
            continue
        if comment.thread not in seen:
            seen.add(comment.thread)
            yield Thread(ref=comment.thread, name=f"Remark42 thread {comment.thread} "
                         f"(line {number})", url=comment.thread)
        yield comment


# The file -----------------------------------------------------------------------------------

def _lines(path: Path, on_read: Callable[[int], None]) -> Iterator[tuple[int, bytes]]:
    """(line number, line) for each line of the file, gunzipped if it is gzip; a line longer
    than MAX_LINE comes as b"" (its number still counts) after its bytes have been skipped."""
    with path.open("rb") as raw:
        compressed = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        stream: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
        reported, number = 0, 0
        while True:
            number += 1
            try:
                line = _line(stream)
            except (OSError, EOFError, zlib.error) as problem:  # gzip.BadGzipFile is an OSError
                raise SourceRejected(f"this is not a readable Remark42 backup: the file is "
                                     f"damaged at line {number}: {problem}") from None
            position = raw.tell()
            if position - reported >= REPORT_EVERY or (line is None and position > reported):
                on_read(position - reported)
                reported = position
            if line is None:
                return
            yield number, line


def _line(stream: BinaryIO) -> bytes | None:
    """The next line (None at the end of the file); b"" for a line longer than MAX_LINE."""
    line = stream.readline(MAX_LINE + 1)
    if not line:
        return None
    if len(line) <= MAX_LINE or line.endswith(b"\n"):
        return line
    while (rest := stream.readline(MAX_LINE)) and not rest.endswith(b"\n"):
        pass  # skip the rest of the oversized line without holding it
    return b""


def _json(line: bytes) -> Any:
    if not line:
        raise _Problem(f"the line is longer than {MAX_LINE} bytes")
    try:
        return json.loads(line.decode("utf-8")) if line.strip() else None
    except UnicodeDecodeError as problem:
        raise _Problem(f"the line is not UTF-8 ({problem.reason} at byte {problem.start})"
                       ) from None
    except (ValueError, RecursionError) as problem:  # JSONDecodeError is a ValueError
        raise _Problem(f"the line is not JSON ({problem})") from None


def _metadata(first: tuple[int, bytes] | None) -> dict[str, Any]:
    """Line 1, which must be Remark42's metadata: {"version": 1, "users": [...], "posts": [...]}."""
    if first is None:
        raise SourceRejected("this is not a Remark42 backup: the file is empty")
    try:
        meta = _json(first[1].removeprefix(b"\xef\xbb\xbf"))
    except _Problem as problem:
        raise SourceRejected(f"this is not a Remark42 backup: line 1: {problem}") from None
    if not isinstance(meta, dict) or "version" not in meta:
        raise SourceRejected('this is not a Remark42 backup: line 1 is not its metadata '
                             '({"version": 1, "users": [...], "posts": [...]})')
    version = meta["version"]
    if type(version) is not int or version not in _VERSIONS:
        raise SourceRejected(f"this is not a Remark42 backup that can be read: its version is "
                             f"{version!r}; Remark42 writes version 1")
    return meta


def _emails(meta: dict[str, Any]) -> dict[str, str]:
    """User id -> e-mail address, from the metadata's users[].details (entries of another
    shape are ignored: the metadata is not imported otherwise)."""
    users = meta.get("users")
    emails = {}
    for user in users if isinstance(users, list) else ():
        details = user.get("details") if isinstance(user, dict) else None
        email = details.get("email") if isinstance(details, dict) else None
        if isinstance(email, str) and email and isinstance(user.get("id"), str):
            emails[user["id"]] = email
    return emails


# One comment --------------------------------------------------------------------------------

def _comment(record: Any, number: int, emails: dict[str, str]) -> Foreign | None:
    if record is None:
        return None
    if not isinstance(record, dict):
        raise _Problem(f"the line is a JSON {type(record).__name__}, not a comment object")
    key = record.get("id")
    if not isinstance(key, str) or not key:
        raise _Problem("the comment has no id" if key in (None, "") else
                       f"its id {key!r} is not a string")
    name = f"Remark42 comment {key} (line {number})"
    try:
        return _foreign(record, key, name, emails)
    except _Problem as problem:
        raise _Problem(str(problem), key, name) from None


def _foreign(record: dict[str, Any], key: str, name: str, emails: dict[str, str]) -> Foreign:
    user = _field(record, "user", dict, {})
    locator = _field(record, "locator", dict, {})
    url = _field(locator, "locator.url", str, "")
    if not url.strip():
        raise _Problem("the comment has no locator.url (the page it was posted on)")
    html = _sanitized(_field(record, "text", str, ""))
    orig = _field(record, "orig", str, "")
    edit = _field(record, "edit", dict, None)
    likes, dislikes = _votes(record)
    user_id = _field(user, "user.id", str, "")
    return Foreign(
        key=key, name=name, thread=url, parent=_field(record, "pid", str, "") or None,
        state=APPROVED, deleted=_field(record, "delete", bool, False),
        author=unescape(_field(user, "user.name", str, "")) or None,
        email=emails.get(user_id), website=None,
        text=unescape(orig) if orig else markdown_text(html), html=html,
        ip=_field(user, "user.ip", str, "") or None,
        created=_moment(_field(record, "time", str, _REQUIRED), "time"),
        edited=None if edit is None else _moment(_field(edit, "edit.time", str, _REQUIRED),
                                                 "edit.time"),
        likes=likes, dislikes=dislikes, subscribed=user_id in emails)


_REQUIRED = object()


def _field(record: dict[str, Any], path: str, kind: type, default: Any) -> Any:
    """record[last part of `path`], which must be a `kind` (bool and int kept apart); missing or
    null gives `default`, a _Problem if that is _REQUIRED."""
    value = record.get(path.rpartition(".")[2])
    if value is None:
        if default is _REQUIRED:
            raise _Problem(f"the comment has no {path}")
        return default
    if type(value) is not kind:
        raise _Problem(f"{path} {_shown(value)} is not a {_KINDS[kind]}")
    return value


_KINDS = {dict: "JSON object", str: "string", bool: "boolean", int: "whole number"}


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _sanitized(html: str) -> str:
    """`html` through our allow-list. Lone surrogates (a "\\ud800" escape, which Remark42 never
    writes: Go decodes and encodes it as U+FFFD) are left to the pipeline's checks in every other
    field, but the sanitiser cannot take them: here they make the comment an Invalid."""
    try:
        return sanitize(html)
    except UnicodeEncodeError as problem:
        raise _Problem(f"text holds {problem.object[problem.start]!r} at character "
                       f"{problem.start}, a lone surrogate, which is not a character") from None


def _moment(text: str, field: str) -> datetime:
    """An RFC 3339 time as Remark42 writes it (Go's time.Time: nanoseconds are cut to
    microseconds), in UTC."""
    try:
        return as_utc(datetime.fromisoformat(text.strip()))
    except (ValueError, OverflowError):
        raise _Problem(f"{field} {text!r} is not a date and time") from None


def _votes(record: dict[str, Any]) -> tuple[int, int]:
    """(likes, dislikes): counted from the `votes` map (user id -> true for up) that old backups
    hold; recent ones hide voters (service.prepVotes), leaving the net `score`."""
    votes = _field(record, "votes", dict, {})
    if votes:
        if not all(type(up) is bool for up in votes.values()):
            raise _Problem(f"votes {_shown(votes)} are not all true or false")
        ups = sum(votes.values())
        return ups, len(votes) - ups
    score = _field(record, "score", int, 0)
    return max(score, 0), max(-score, 0)
