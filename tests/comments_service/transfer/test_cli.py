"""The commands (transfer/cli.py): `export` then `import` into an empty database is lossless,
from either backend to the other, and reports its progress; personal records are exported only
when asked for; `import --from` checks the threads against the build's thread
manifest (unless told not to) and reads a file, never stdin."""

import copy
from contextlib import contextmanager

import pytest

from comments_service.db import engine as app_engine

from ..conftest import postgres_schema_url
from ..importers.sources import (assert_refused, exported, imported, isso_database, run_import,
                                 variant)
from .conftest import SUBSCRIBER, TRUSTED, UNCONFIRMED
from .documents import DOCUMENT, export, import_file, run


def test_export_then_import_into_an_empty_database_is_lossless(source_app, app, tmp_path):
    source = export(source_app, tmp_path / "source.json")
    result = run(app, "import", tmp_path / "source.json")
    assert result.exit_code == 0, result.output
    assert ("Imported 3 threads and 5 comments. Also 3 moderation log entries, 2 import keys."
            in result.stdout)
    assert "Importing comments" in result.stderr  # the progress bar
    assert export(app, tmp_path / "target.json") == source


@pytest.mark.parametrize("options", [[], ["--with-addresses"]],
                         ids=["without-addresses", "with-addresses"])
def test_a_move_to_each_backend_and_on_to_the_other_loses_nothing(source_app, app, make_app,
                                                                 tmp_path, options):
    """SQLite -> the target's backend -> the other backend: every export is byte for byte the
    first. Without --with-addresses no address of a subscription or a confirmed address is in
    the file, and the import says so."""
    first = tmp_path / "first.json"
    export(source_app, first, *options)
    text = first.read_text(encoding="utf-8")
    for address in (SUBSCRIBER, UNCONFIRMED, TRUSTED):
        assert (address in text) == bool(options)
    assert "gone@example.net" not in text  # deleted with its comment
    result = run(app, "import", first)
    assert result.exit_code == 0, result.output
    assert ("Reply subscriptions and confirmed addresses are not in the file" in result.stderr
            ) == (not options)
    second = tmp_path / "second.json"
    export(app, second, *options)
    assert second.read_bytes() == first.read_bytes()
    with _other_backend(app, tmp_path) as url:
        third_app = make_app(url)
        assert run(third_app, "import", second).exit_code == 0
        third = tmp_path / "third.json"
        export(third_app, third, *options)
        with third_app.app_context():
            app_engine().dispose()
    assert third.read_bytes() == first.read_bytes()


@contextmanager
def _other_backend(app, tmp_path):
    """A fresh database on the backend `app` does not use."""
    if app.config["DATABASE_URL"].startswith("sqlite"):
        with postgres_schema_url() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'third.sqlite3'}"


def test_after_a_move_importing_the_same_source_again_adds_nothing(make_app, app, tmp_path):
    """The import keys travel in the export: an Isso database imported before a move is
    recognised after it, on a new database of either backend."""
    isso = isso_database(tmp_path)
    before = make_app(f"sqlite:///{tmp_path / 'before.sqlite3'}")
    imported(before, "isso", isso)
    document = export(before, tmp_path / "moved.json", "--with-addresses")
    assert document["import_keys"] and document["comments"]
    assert run(app, "import", tmp_path / "moved.json").exit_code == 0
    again = run_import(app, "isso", isso)
    assert again.exit_code == 0, again.output
    assert "Nothing to import: 5 comments of isso.db were imported before." in again.stdout
    assert export(app, tmp_path / "after.json", "--with-addresses") == document


def test_a_hand_written_document_imports(app, tmp_path):
    result = import_file(app, DOCUMENT, tmp_path / "import.json")
    assert result.exit_code == 0, result.output
    assert ("Also 2 moderation log entries, 3 import keys, 2 reply subscriptions, 2 confirmed "
            "addresses.") in result.stdout
    expected = copy.deepcopy(DOCUMENT)
    expected["comments"][1]["edited"] = "2026-01-01T10:05:00Z"  # exports write UTC as Z
    assert export(app, tmp_path / "again.json", "--with-addresses") == expected


def test_threads_missing_from_the_manifest_are_refused_unless_allowed(app, tmp_path):
    source = variant(tmp_path, "disqus.xml", "/second-article/", "/unknown-article/")
    refused = run_import(app, "disqus", source)
    assert refused.exit_code == 1
    assert "1 thread(s) are not articles of the thread manifest" in refused.stderr
    assert ": unknown-article. Check how their URLs map" in refused.stderr
    assert exported(app)["comments"] == []
    allowed = run_import(app, "disqus", source, "--allow-unknown-threads")
    assert allowed.exit_code == 0, allowed.output
    assert [t["slug"] for t in exported(app)["threads"]] == ["first-article", "unknown-article"]


def test_without_a_manifest_every_thread_is_imported(app, tmp_path, manifest_path):
    manifest_path.unlink()
    source = variant(tmp_path, "disqus.xml", "/second-article/", "/unknown-article/")
    assert run_import(app, "disqus", source).exit_code == 0


def test_another_system_is_imported_from_a_file_not_stdin(app):
    assert_refused(app, "disqus", "-", ["--from disqus reads a file: give its path instead of `-`"])
