"""The commands (transfer/cli.py): `export` then `import` into an empty database is lossless
and reports its progress; `import --from` checks the threads against the build's thread
manifest (unless told not to) and reads a file, never stdin."""

import copy

from ..importers.sources import assert_refused, exported, run_import, variant
from .documents import DOCUMENT, export, import_file, run


def test_export_then_import_into_an_empty_database_is_lossless(source_app, app, tmp_path):
    source = export(source_app, tmp_path / "source.json")
    result = run(app, "import", tmp_path / "source.json")
    assert result.exit_code == 0, result.output
    assert ("Imported 3 threads and 5 comments. Also 3 moderation log entries, 2 import keys."
            in result.stdout)
    assert "Importing comments" in result.stderr  # the progress bar
    assert export(app, tmp_path / "target.json") == source


def test_a_hand_written_document_imports(app, tmp_path):
    result = import_file(app, DOCUMENT, tmp_path / "import.json")
    assert result.exit_code == 0, result.output
    expected = copy.deepcopy(DOCUMENT)
    expected["comments"][1]["edited"] = "2026-01-01T10:05:00Z"  # exports write UTC as Z
    assert export(app, tmp_path / "again.json") == expected


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
