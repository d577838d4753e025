"""The commands `flask --app comments_service export FILE` and `import [--from SOURCE] FILE`.

Contract: init_app(app) registers both. They only move bytes and report: reading the file (or,
with --from, converting another system's export through the importers package), the thread
manifest check for such imports, progress bars and messages on stderr. What a document is and
how it is checked lives in document.py, how it is written in store.py. Every refusal
(ImportRejected, SourceRejected) ends the command with status 1, its message and "Nothing was
imported."; the database is then as it was.
"""

import json
import sys
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .. import db, importers, security
from ..core.storage.database import connect
from ..core.storage.imported import imported_ids
from ..threads import find_thread
from .document import (
    ImportRejected,
    check_document,
    export_document,
    read_document,
    snapshot,
)
from .records import SECTIONS
from .store import write_import

NATIVE = "newsroom"  # `import --from` value for this format


def init_app(app: Flask) -> None:
    app.cli.add_command(export_command)
    app.cli.add_command(import_command)


@click.command("export")
@click.argument("file", type=click.File("w", encoding="utf-8", atomic=True))
@click.option("--with-addresses", is_flag=True,
              help="Also write the reply subscriptions and confirmed addresses: readers' email "
              "addresses kept apart from their comments (docs/privacy.md).")
@with_appcontext
def export_command(file, with_addresses: bool) -> None:
    """Write every thread and comment, the moderation log and the import keys to FILE (JSON;
    `-` for stdout)."""
    with db.engine().connect() as conn, snapshot(conn).begin():
        document = export_document(conn, with_addresses=with_addresses)
    json.dump(document, file, ensure_ascii=False, indent=1)
    file.write("\n")
    click.echo(f"Exported {len(document['threads'])} threads and {len(document['comments'])} "
               f"comments.{_also(document)}", err=True)
    if not with_addresses:
        click.echo(_NO_ADDRESSES, err=True)


_NO_ADDRESSES = ("Reply subscriptions and confirmed addresses are not in the file "
                 "(--with-addresses writes them).")


def _also(records: dict[str, Any]) -> str:
    """" Also 3 moderation log entries, 2 import keys.": the records (records.py) moved with
    the comments; `records` holds them by section key (a document, or CheckedImport.records)."""
    listed = [section.counted(len(records[section.key])) for section in SECTIONS
              if records.get(section.key)]
    return f" Also {', '.join(listed)}." if listed else ""


def _read_native(path: Path) -> Any:
    with click.open_file(str(path), "rb") as file:
        return read_document(file)


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
              "database, a Disqus XML export, a WordPress WXR export or a Remark42 backup.")
@click.option("--allow-unknown-threads", is_flag=True,
              help="With --from: also import threads that the thread manifest does not list.")
@click.option("--skip-invalid", is_flag=True,
              help="With --from: leave out (and list) the comments that cannot be imported, "
              "instead of refusing the whole file.")
@click.option("--dry-run", is_flag=True,
              help="With --from: check everything and report what would be imported; write nothing.")
@with_appcontext
def import_command(file: Path, source: str, allow_unknown_threads: bool, skip_invalid: bool,
                   dry_run: bool) -> None:
    """Load FILE: an export of this service (`-` for stdin) into an empty database, or, with
    --from, another system's export beside what the database holds (docs/migration.md). All or
    nothing: a refused file leaves the database as it was."""
    try:
        if source == NATIVE:
            _import_native(file)
        else:
            _import_foreign(source, file, allow_unknown_threads, skip_invalid, dry_run)
    except (ImportRejected, importers.SourceRejected) as problem:
        raise click.ClickException(f"{problem}. Nothing was imported.") from None


def _import_native(file: Path) -> None:
    document = _read_native(file)
    checked = check_document(document)
    with connect(db.engine(), write=True) as conn, conn.begin():
        with click.progressbar(length=len(checked.comments), label="Importing comments",
                               file=sys.stderr) as bar:
            write_import(conn, checked, bar.update)
    click.echo(f"Imported {len(checked.threads)} threads and {len(checked.comments)} comments."
               f"{_also(checked.records)}")
    if document.get("with_addresses") is False:
        click.echo(_NO_ADDRESSES, err=True)


def _import_foreign(source: str, path: Path, allow_unknown_threads: bool, skip_invalid: bool,
                    dry_run: bool) -> None:
    """Another system's export, staged and checked whole, then written in one transaction."""
    if str(path) == "-":
        raise ImportRejected(f"--from {source} reads a file: give its path instead of `-`")
    with db.engine().connect() as conn:
        imported = imported_ids(conn, source)
    with TemporaryDirectory(prefix="comments-import-") as scratch:
        with click.progressbar(length=path.stat().st_size, label=f"Reading {path.name}",
                               file=sys.stderr) as bar:
            staging = importers.stage(source, path, Path(scratch), ip_salt=security.ip_hash_salt(),
                                      skip_invalid=skip_invalid, imported=imported,
                                      on_read=bar.update)
        try:
            _report_left_out(staging)
            if not staging.to_import:
                click.echo(f"Nothing to import: {staging.already_imported} comments of "
                           f"{path.name} were imported before.")
                return
            if not allow_unknown_threads:
                _require_known_threads(staging.slugs())
            with connect(db.engine(), write=True) as conn, conn.begin() as transaction:
                with click.progressbar(length=staging.to_import, label="Importing comments",
                                       file=sys.stderr) as bar:
                    importers.write_staged(conn, source, staging, bar.update)
                if dry_run:
                    transaction.rollback()
            _report_imported(staging, dry_run)
        finally:
            staging.close()


def _report_left_out(staging: importers.Staging) -> None:
    for reason, count in sorted(staging.skipped.items()):
        click.echo(f"Skipping {count} comment(s): {reason}.", err=True)
    invalid = staging.invalid
    for name, problem in invalid:
        click.echo(f"Skipping invalid {name}: {problem}", err=True)
    if invalid:
        click.echo(f"Skipped {len(invalid)} invalid item(s) (--skip-invalid).", err=True)
    if staging.replies_to_deleted:
        click.echo(f"{staging.replies_to_deleted} repl(ies) to comments deleted here become "
                   "top-level comments.", err=True)


def _report_imported(staging: importers.Staging, dry_run: bool) -> None:
    counts = f"{len(staging.slugs())} threads and {staging.to_import} comments"
    before = (f" ({staging.already_imported} comments were imported before and are left as "
              "they are)" if staging.already_imported else "")
    if dry_run:
        click.echo(f"Dry run: would import {counts}{before}. Nothing was written.")
    else:
        click.echo(f"Imported {counts}{before}.")
