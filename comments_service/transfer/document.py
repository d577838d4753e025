"""The export document: written from the database, and checked before it is imported.

Contract (no Flask, no click; the format is comments-export.schema.json next to this module):
- export_document(conn, with_addresses): every thread (by slug) and every comment (by id), every
  column, and the arrays of records.py (the personal ones only `with_addresses`); times as
  RFC 3339 UTC with every microsecond. Run it inside `snapshot(conn).begin()` so that all of it
  is read from the same state of the database.
- read_document(file): the JSON of an open file; ImportRejected when it is not complete JSON
  (or is nested deeper than Python's parser goes).
- check_document(document): the schema first (jsonschema_rs, formats checked), then what a
  schema cannot say: no string holding a NUL or a lone surrogate (PostgreSQL stores neither,
  SQLite no surrogate: the driver would raise mid-import), unique slugs and ids, every comment's
  thread listed, every parent an earlier comment of the same thread, an edit waiting for a
  moderator complete (text, html and time, or none of them). The first offending item is named
  in ImportRejected ("comments[3] (id 17), field author"), and so are the bad records of
  records.py (their keys listed twice, a comment they name missing); a passing document comes
  back as CheckedImport rows, times as aware UTC datetimes and fields missing from older
  versions as null (votes as 0), and `html` and `pending_html` through the sanitiser's
  allow-list (core/render.py): they are served as they are stored, and a file is not trusted to
  hold only what the service would have written (our own exports come back unchanged).
"""

import json
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema_rs
from sqlalchemy import Connection, select

from ..core.render import sanitize
from ..core.storage.tables import comments, threads
from ..core.times import exact_isoformat
from ..core.validation import is_encodable
from .records import RecordProblem, check_records, export_records, utc_timestamp

#: Version 2 added the comment fields `flags` and `moderation_reason`, version 3 the votes and an
#: author's edit waiting for a moderator, and the arrays of records.py (moderation log, import
#: keys, and on request reply subscriptions and confirmed addresses); version 1 and 2 files still
#: import.
FORMAT, VERSION = "newsroom-comments", 3
SCHEMA_PATH = Path(__file__).resolve().parent / "comments-export.schema.json"
#: Comment fields as exported (besides "thread", the slug), mapped to their column names.
_COMMENT_COLUMNS = {"id": "id", "parent": "parent_id", "state": "state", "deleted": "deleted",
                    "author": "author", "email": "email", "website": "website", "text": "text",
                    "html": "html", "ip_hash": "ip_hash", "created": "created", "edited": "edited",
                    "flags": "flags", "moderation_reason": "moderation_reason",
                    "likes": "likes", "dislikes": "dislikes", "pending_text": "pending_text",
                    "pending_html": "pending_html", "pending_since": "pending_since",
                    "picked": "picked", "pick_note": "pick_note", "kind": "kind",
                    "about_reference": "about_reference", "about_paragraph": "about_paragraph"}
_TIMESTAMPS = ("created", "edited", "pending_since")
#: What a field that older versions lack reads as (null when not listed).
_DEFAULTS = {"likes": 0, "dislikes": 0, "picked": False, "kind": "comment"}
_PENDING_EDIT = ("pending_text", "pending_html", "pending_since")
#: The field that names an item in messages, the first one it has.
_NAMING = ("id", "slug", "source_id")


class ImportRejected(Exception):
    """The file cannot be imported; the message says why and names the offending item."""


class CheckedImport(NamedTuple):
    """A document that passed every check, as rows ready to insert."""

    threads: list[dict[str, Any]]
    comments: list[dict[str, Any]]  # column values, plus "thread" (the slug) instead of thread_id
    records: dict[str, list[dict[str, Any]]]  # column values, by records.Section key


# Export ------------------------------------------------------------------------------------------

def export_document(conn: Connection, *, with_addresses: bool = False) -> dict[str, Any]:
    """Every thread (by slug), every comment (by id) and the records of records.py as one export
    document; reply subscriptions and confirmed addresses only `with_addresses`."""
    thread_rows = conn.execute(select(threads.c.slug, threads.c.locked))
    comment_rows = conn.execute(select(comments, threads.c.slug).join_from(comments, threads)
                                .order_by(comments.c.id))
    return {
        "format": FORMAT,
        "version": VERSION,
        "with_addresses": with_addresses,
        # Sorted here, not by the database: PostgreSQL's collation may order slugs differently.
        "threads": sorted(({"slug": row.slug, "locked": row.locked} for row in thread_rows),
                          key=lambda thread: thread["slug"]),
        "comments": [_exported_comment(row._mapping) for row in comment_rows],
        **export_records(conn, with_addresses=with_addresses),
    }


def _exported_comment(row) -> dict[str, Any]:
    exported = {"id": row["id"], "thread": row["slug"]}
    exported.update((field, row[column]) for field, column in _COMMENT_COLUMNS.items())
    for field in _TIMESTAMPS:
        exported[field] = exact_isoformat(exported[field])
    return exported


def snapshot(conn: Connection) -> Connection:
    """One consistent view for several queries: PostgreSQL needs REPEATABLE READ for that, a
    SQLite transaction already is one."""
    if conn.dialect.name == "postgresql":
        return conn.execution_options(isolation_level="REPEATABLE READ")
    return conn


# Checks ------------------------------------------------------------------------------------------

def read_document(file) -> Any:
    """The JSON in an open binary or text file; ImportRejected naming the file if it is not
    complete JSON."""
    try:
        return json.load(file)
    except ValueError as problem:  # JSONDecodeError, UnicodeDecodeError
        raise ImportRejected(f"{file.name} is not a complete JSON file: {problem}") from None
    except RecursionError:  # no export nests more than four levels
        raise ImportRejected(f"{file.name} is not an export: its JSON is nested too deeply to "
                             "read") from None


@cache
def _validator():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def check_document(document: Any) -> CheckedImport:
    """The document's rows, once it follows the schema and its items refer to each other
    correctly; else ImportRejected naming the first offending item."""
    error = next(_validator().iter_errors(document), None)
    if error is not None:
        raise ImportRejected(f"{_describe(document, error.instance_path)}: {error.message}")
    if (path := _unstorable_string(document, [])) is not None:
        raise ImportRejected(f"{_describe(document, path)}: holds a NUL character or a lone "
                             "surrogate, which cannot be stored")
    thread_rows, comment_rows = _thread_rows(document), _comment_rows(document)
    try:
        records = check_records(document, {comment["id"] for comment in comment_rows})
    except RecordProblem as problem:
        raise ImportRejected(f"{_describe(document, problem.path)}: {problem}") from None
    return CheckedImport(thread_rows, comment_rows, records)


def _describe(document: Any, path: list[str | int]) -> str:
    """A reader's name for the item at `path`: "comments[3] (id 17), field author"."""
    if len(path) < 2 or not isinstance(path[1], int):
        return "/".join(map(str, path)) or "the file"
    collection, index, *rest = path
    item = document[collection][index]
    name = f"{collection}[{index}]"
    if isinstance(item, dict):
        named = [f"{key} {item[key]!r}" for key in _NAMING if key in item]
        name += f" ({named[0]})" if named else ""
    return f"{name}, field {'/'.join(map(str, rest))}" if rest else name


def _unstorable_string(value: Any, path: list[str | int]) -> list[str | int] | None:
    """The path of the first string under `value` (a document the schema bounds to a few levels)
    that holds a NUL or a lone surrogate; None when every string can be stored."""
    if isinstance(value, str):
        return None if "\x00" not in value and is_encodable(value) else path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    return next((found for key, item in items
                 if (found := _unstorable_string(item, [*path, key])) is not None), None)


def _thread_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    for index, thread in enumerate(document["threads"]):
        if thread["slug"] in seen:
            raise ImportRejected(f"{_describe(document, ['threads', index])}: the slug is listed twice")
        seen.add(thread["slug"])
    return document["threads"]


def _comment_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    slugs = {thread["slug"] for thread in document["threads"]}
    thread_of: dict[int, str] = {}  # the comments seen so far
    rows = []
    for index, comment in enumerate(document["comments"]):
        try:
            _check_references(comment, slugs, thread_of)
            rows.append(_stored_comment(comment))
        except ValueError as problem:
            raise ImportRejected(f"{_describe(document, ['comments', index])}: {problem}") from None
        thread_of[comment["id"]] = comment["thread"]
    return rows


def _check_references(comment: dict[str, Any], slugs: set[str], thread_of: dict[int, str]) -> None:
    if comment["id"] in thread_of:
        raise ValueError("the id is used twice")
    if comment["thread"] not in slugs:
        raise ValueError(f"its thread {comment['thread']!r} is not listed in `threads`")
    if len({comment.get(field) is None for field in _PENDING_EDIT}) > 1:
        raise ValueError("pending_text, pending_html and pending_since are set together or not "
                         "at all")
    parent = comment["parent"]
    if parent is None:
        return
    if parent not in thread_of:
        raise ValueError(f"its parent {parent} is not an earlier comment of the file")
    if thread_of[parent] != comment["thread"]:
        raise ValueError(f"its parent {parent} belongs to another thread ({thread_of[parent]!r})")


def _stored_comment(comment: dict[str, Any]) -> dict[str, Any]:
    """Column values of an exported comment (ValueError for a time Python cannot represent);
    fields that older versions lack are null, votes 0; its HTML through the allow-list."""
    row = {column: comment.get(field, _DEFAULTS.get(field))
           for field, column in _COMMENT_COLUMNS.items()}
    for field in _TIMESTAMPS:
        if row[field] is not None:
            row[field] = utc_timestamp(field, row[field])
    for field in ("html", "pending_html"):
        if row[field] is not None:
            row[field] = sanitize(row[field])
    row["thread"] = comment["thread"]
    return row
