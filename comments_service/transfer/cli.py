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
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .. import db, importers, security
from ..core.storage.database import connect
from ..threads import find_thread
from .document import (FORMAT, VERSION, ImportRejected, check_document, export_document,
                       read_document, snapshot)
from .store import write_import

NATIVE = "newsroom"  # `import --from` value for this format


def init_app(app: Flask) -> None:
    app.cli.add_command(export_command)
    app.cli.add_command(import_command)


@click.command("export")
@click.argument("file", type=click.File("w", encoding="utf-8", atomic=True))
@with_appcontext
def export_command(file) -> None:
    """Write every thread and comment to FILE (JSON; `-` for stdout)."""
    with db.engine().connect() as conn, snapshot(conn).begin():
        document = export_document(conn)
    json.dump(document, file, ensure_ascii=False, indent=1)
    file.write("\n")
    click.echo(f"Exported {len(document['threads'])} threads and {len(document['comments'])} "
               "comments.", err=True)


def _read_native(path: Path) -> Any:
    with click.open_file(str(path), "rb") as file:
        return read_document(file)


def _read_foreign(source: str, path: Path, allow_unknown_threads: bool) -> dict[str, Any]:
    """Another system's export (the importers package) as a document of this format."""
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
