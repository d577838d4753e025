"""The thread manifest: loaded lazily, reloaded on change, robust to a half-written file."""

import json
import os

from comments_service.core.manifest import Thread, ThreadManifest

ENTRY = {"slug": "a", "url": "/a.html", "title": "A", "published": "2026-01-01", "open": False}


def write(path, entries, mtime_ns):
    path.write_text(json.dumps(entries) if isinstance(entries, list) else entries, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_missing_manifest_means_no_threads(tmp_path):
    assert ThreadManifest(tmp_path / "threads.json").get("a") is None


def test_entries_become_threads(tmp_path):
    path = tmp_path / "threads.json"
    write(path, [ENTRY, {"slug": "b", "url": "/b.html"}], 1_000_000_000)
    manifest = ThreadManifest(path)
    assert manifest.get("a") == Thread(slug="a", url="/a.html", title="A", published="2026-01-01", open=False)
    assert manifest.get("b").open is True and manifest.get("c") is None


def test_reloaded_when_the_file_changes_and_forgotten_when_removed(tmp_path):
    path = tmp_path / "threads.json"
    write(path, [ENTRY], 1_000_000_000)
    manifest = ThreadManifest(path)
    assert manifest.get("a")
    write(path, [ENTRY | {"slug": "b"}], 2_000_000_000)
    assert manifest.get("a") is None and manifest.get("b")
    path.unlink()
    assert manifest.get("b") is None


def test_unreadable_manifest_keeps_the_last_good_one(tmp_path, caplog):
    path = tmp_path / "threads.json"
    write(path, [ENTRY], 1_000_000_000)
    manifest = ThreadManifest(path)
    assert manifest.get("a")
    write(path, '[{"slug": "a", "url"', 2_000_000_000)
    assert manifest.get("a") and "unreadable" in caplog.text
    write(path, [ENTRY | {"slug": "b"}], 3_000_000_000)
    assert manifest.get("b")
