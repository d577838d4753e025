"""Export and import of every thread and comment in one documented JSON format
(docs/comments-export.schema.json): `flask --app comments_service export FILE` and
`flask --app comments_service import FILE` (FILE may be `-` for stdout/stdin).

Export → import into an empty database is lossless: ids, states, texts, rendered HTML, IP hashes,
spam flags, moderators' reasons and timestamps (to the microsecond) come back as they were, on
SQLite and PostgreSQL alike.
Import checks the whole file first (schema, then references between items) and names the first
offending item; it writes in ONE transaction, so a bad file or a failing write leaves the
database untouched. It refuses a database that already holds threads or comments: ids are kept,
so merging two sets could collide (import into a fresh database instead).

`import --from isso|disqus|wordpress FILE` reads another system's export instead (importers.py
converts it into this format; docs/migration.md): the same checks and the same single
transaction, plus a check that every thread is an article of the build's thread manifest.
"""

import json
import sys
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import click
import jsonschema_rs
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from . import db, importers, security
from .core.storage.database import connect
from .core.storage.tables import comments, threads
from .core.times import as_utc, exact_isoformat
from .threads import find_thread

#: Version 2 added the comment fields `flags` and `moderation_reason`; version 1 files still import.
FORMAT, VERSION = "newsroom-comments", 2
NATIVE = "newsroom"  # `import --from` value for this format
SCHEMA_PATH = Path(__file__).resolve().parent / "comments-export.schema.json"
_CHUNK_SIZE = 500  # comments per INSERT batch (and per progress bar step)
#: Comment fields as exported (besides "thread", the slug), mapped to their column names.
_COMMENT_COLUMNS = {"id": "id", "parent": "parent_id", "state": "state", "deleted": "deleted",
                    "author": "author", "email": "email", "website": "website", "text": "text",
                    "html": "html", "ip_hash": "ip_hash", "created": "created", "edited": "edited",
                    "flags": "flags", "moderation_reason": "moderation_reason"}
_TIMESTAMPS = ("created", "edited")


class ImportRejected(Exception):
    """The file cannot be imported; the message says why and names the offending item."""


class CheckedImport(NamedTuple):
    """A document that passed every check, as rows ready to insert."""

    threads: list[dict[str, Any]]
    comments: list[dict[str, Any]]  # column values, plus "thread" (the slug) instead of thread_id


def init_app(app: Flask) -> None:
    app.cli.add_command(export_command)
    app.cli.add_command(import_command)


# Export ------------------------------------------------------------------------------------------

def export_document(conn: Connection) -> dict[str, Any]:
    """Every thread (by slug) and every comment (by id) as one export document."""
    thread_rows = conn.execute(select(threads.c.slug, threads.c.locked).order_by(threads.c.slug))
    comment_rows = conn.execute(select(comments, threads.c.slug).join_from(comments, threads)
                                .order_by(comments.c.id))
    return {
        "format": FORMAT,
        "version": VERSION,
        "threads": [{"slug": row.slug, "locked": row.locked} for row in thread_rows],
        "comments": [_exported_comment(row._mapping) for row in comment_rows],
    }


def _exported_comment(row) -> dict[str, Any]:
    exported = {"id": row["id"], "thread": row["slug"]}
    exported.update((field, row[column]) for field, column in _COMMENT_COLUMNS.items())
    for field in _TIMESTAMPS:
        exported[field] = exact_isoformat(exported[field])
    return exported


def _snapshot(conn: Connection) -> Connection:
    """One consistent view for several queries: PostgreSQL needs REPEATABLE READ for that, a
    SQLite transaction already is one."""
    if conn.dialect.name == "postgresql":
        return conn.execution_options(isolation_level="REPEATABLE READ")
    return conn


@click.command("export")
@click.argument("file", type=click.File("w", encoding="utf-8", atomic=True))
@with_appcontext
def export_command(file) -> None:
    """Write every thread and comment to FILE (JSON; `-` for stdout)."""
    with db.engine().connect() as conn, _snapshot(conn).begin():
        document = export_document(conn)
    json.dump(document, file, ensure_ascii=False, indent=1)
    file.write("\n")
    click.echo(f"Exported {len(document['threads'])} threads and {len(document['comments'])} "
               "comments.", err=True)


# Checks ------------------------------------------------------------------------------------------

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
    return CheckedImport(_thread_rows(document), _comment_rows(document))


def _describe(document: Any, path: list[str | int]) -> str:
    """A reader's name for the item at `path`: "comments[3] (id 17), field author"."""
    if len(path) < 2 or path[0] not in ("threads", "comments"):
        return "/".join(map(str, path)) or "the file"
    collection, index, *rest = path
    item = document[collection][index]
    name = f"{collection}[{index}]"
    if isinstance(item, dict) and ("id" in item or "slug" in item):
        name += f" (id {item['id']!r})" if "id" in item else f" (slug {item['slug']!r})"
    return f"{name}, field {'/'.join(map(str, rest))}" if rest else name


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
    parent = comment["parent"]
    if parent is None:
        return
    if parent not in thread_of:
        raise ValueError(f"its parent {parent} is not an earlier comment of the file")
    if thread_of[parent] != comment["thread"]:
        raise ValueError(f"its parent {parent} belongs to another thread ({thread_of[parent]!r})")


def _stored_comment(comment: dict[str, Any]) -> dict[str, Any]:
    """Column values of an exported comment (ValueError for a time Python cannot represent);
    fields that version 1 files lack are null."""
    row = {column: comment.get(field) for field, column in _COMMENT_COLUMNS.items()}
    for field in _TIMESTAMPS:
        if row[field] is not None:
            row[field] = as_utc(datetime.fromisoformat(row[field]))
    row["thread"] = comment["thread"]
    return row


# Import ------------------------------------------------------------------------------------------

def write_import(conn: Connection, checked: CheckedImport,
                 on_progress: Callable[[int], None] = lambda done: None) -> None:
    """Insert a checked document into the empty database behind `conn`, inside the caller's
    transaction (which must take the write lock: `connect(engine, write=True)`).
    `on_progress(n)` is told each time n more comments are stored."""
    _lock_tables(conn)
    _require_empty(conn)
    thread_ids = {}
    for thread in checked.threads:
        thread_ids[thread["slug"]] = conn.execute(
            threads.insert().values(slug=thread["slug"], locked=thread["locked"])
            .returning(threads.c.id)).scalar_one()
    for start in range(0, len(checked.comments), _CHUNK_SIZE):
        chunk = checked.comments[start:start + _CHUNK_SIZE]
        _insert_comments(conn, [_with_thread_id(row, thread_ids) for row in chunk])
        on_progress(len(chunk))
    _advance_comment_ids(conn)


def _lock_tables(conn: Connection) -> None:
    """PostgreSQL: no comment may be posted while the import runs (SQLite's write transaction
    already holds the database's only write lock)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"LOCK TABLE {threads.name}, {comments.name} IN EXCLUSIVE MODE"))


def _require_empty(conn: Connection) -> None:
    thread_count = conn.execute(select(func.count()).select_from(threads)).scalar_one()
    comment_count = conn.execute(select(func.count()).select_from(comments)).scalar_one()
    if thread_count or comment_count:
        raise ImportRejected(f"the database already holds {thread_count} threads and "
                             f"{comment_count} comments: import only into a fresh, empty database")


def _with_thread_id(row: dict[str, Any], thread_ids: dict[str, int]) -> dict[str, Any]:
    values = {column: value for column, value in row.items() if column != "thread"}
    values["thread_id"] = thread_ids[row["thread"]]
    return values


def _insert_comments(conn: Connection, rows: list[dict[str, Any]]) -> None:
    try:
        conn.execute(comments.insert(), rows)
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        raise ImportRejected(f"comments with ids {rows[0]['id']}–{rows[-1]['id']} could not be "
                             f"stored: {cause}") from error


def _advance_comment_ids(conn: Connection) -> None:
    """PostgreSQL's id sequence does not see explicit ids: move it past the largest one so the
    next posted comment gets a fresh id (SQLite takes max(id) + 1 by itself)."""
    if conn.dialect.name == "postgresql":
        largest = select(func.max(comments.c.id)).scalar_subquery()
        conn.execute(select(func.setval(func.pg_get_serial_sequence(comments.name, "id"), largest)))


def _read_document(file) -> Any:
    try:
        return json.load(file)
    except ValueError as problem:  # JSONDecodeError, UnicodeDecodeError
        raise ImportRejected(f"{file.name} is not a complete JSON file: {problem}") from None


def _read_native(path: Path) -> Any:
    with click.open_file(str(path), "rb") as file:
        return _read_document(file)


def _read_foreign(source: str, path: Path, allow_unknown_threads: bool) -> dict[str, Any]:
    """Another system's export (importers.py) as a document of this format."""
    if str(path) == "-":
        raise ImportRejected(f"--from {source} reads a file: give its path instead of `-`")
    with click.progressbar(length=path.stat().st_size, label=f"Reading {path.name}",
                           file=sys.stderr) as bar:
        converted = importers.convert(source, path, ip_salt=security.ip_hash_salt(),
                                      on_read=bar.update)
    if not allow_unknown_threads:
        _require_known_threads([thread["slug"] for thread in converted.threads])
    for reason, count in sorted(converted.skipped.items()):
        click.echo(f"Skipping {count} comment(s): {reason}.", err=True)
    return {"format": FORMAT, "version": VERSION, "threads": converted.threads,
            "comments": converted.comments}


def _require_known_threads(slugs: list[str]) -> None:
    """Once the build has written a thread manifest, every imported thread must be one of its
    articles: an unknown slug usually means its URL did not map to the article's slug."""
    manifest = Path(current_app.config["THREADS_MANIFEST"])
    if not manifest.exists():
        return
    unknown = [slug for slug in slugs if find_thread(slug) is None]
    if unknown:
        raise ImportRejected(
            f"{len(unknown)} thread(s) are not articles of the thread manifest {manifest}: "
            f"{', '.join(unknown)}. Check how their URLs map to slugs (docs/migration.md), or "
            "pass --allow-unknown-threads to import them anyway")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True,
                                        path_type=Path))
@click.option("--from", "source", type=click.Choice([NATIVE, *importers.SOURCES]), default=NATIVE,
              show_default=True, help="What FILE is: an export of this service, an Isso "
              "database, a Disqus XML export or a WordPress WXR export.")
@click.option("--allow-unknown-threads", is_flag=True,
              help="With --from: also import threads that the thread manifest does not list.")
@with_appcontext
def import_command(file: Path, source: str, allow_unknown_threads: bool) -> None:
    """Load FILE into an empty database, all or nothing: an export of this service (`-` for
    stdin) or, with --from, another system's export (docs/migration.md)."""
    try:
        document = (_read_native(file) if source == NATIVE
                    else _read_foreign(source, file, allow_unknown_threads))
        checked = check_document(document)
        with connect(db.engine(), write=True) as conn, conn.begin():
            with click.progressbar(length=len(checked.comments), label="Importing comments",
                                   file=sys.stderr) as bar:
                write_import(conn, checked, bar.update)
    except (ImportRejected, importers.SourceRejected) as problem:
        raise click.ClickException(f"{problem}. Nothing was imported.") from None
    click.echo(f"Imported {len(checked.threads)} threads and {len(checked.comments)} comments.")
