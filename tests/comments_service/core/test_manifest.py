"""The thread manifest: loaded lazily, reloaded on change, robust to a half-written file."""

import json
import os

from comments_service.core.manifest import Thread, ThreadManifest, write_manifest

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


def test_the_reference_count_is_read_and_defaults_to_0(tmp_path):
    """Manifests from before the count (no key) and odd values mean 0, "unknown"."""
    path = tmp_path / "threads.json"
    odd = ["7", -2, True, None, 1.5, [3]]
    write(path, [ENTRY | {"references": 12}, ENTRY | {"slug": "old"}]
          + [ENTRY | {"slug": f"odd-{n}", "references": value} for n, value in enumerate(odd)], 1_000_000_000)
    manifest = ThreadManifest(path)
    assert manifest.get("a").references == 12
    assert manifest.get("old").references == 0
    assert [manifest.get(f"odd-{n}").references for n in range(len(odd))] == [0] * len(odd)


def test_write_manifest_keeps_the_reference_count(tmp_path):
    path = tmp_path / "comments" / "threads.json"
    write_manifest(path, [Thread("a", "/a.html", "A", "2026-01-01", True, references=3),
                          Thread("b", "/b.html", "B", "2026-01-01", True)])
    assert [entry["references"] for entry in json.loads(path.read_text(encoding="utf-8"))] == [3, 0]
    assert ThreadManifest(path).get("a").references == 3


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


def test_write_manifest_writes_the_json_of_the_list_entry_by_entry(tmp_path):
    """The file is `json.dumps(entries, ensure_ascii=False, indent=1)` byte for byte (what every
    manifest so far was), made one entry at a time so a 10,000-article build never holds every
    entry as a dict and the whole text at once; the first entry of a slug wins."""
    threads = [Thread("a", "/a.html", 'Quotes " and \\ and\nnewline', "2025-07-15T09:00:00+00:00", True, 3),
               Thread("é-ü", "/é.html", "Ünïcode · …", "2025-07-16T09:00:00+00:00", False),
               Thread("a", "/other.html", "a second a: left out", "2025-07-17T09:00:00+00:00", True)]
    path = tmp_path / "threads.json"
    write_manifest(path, iter(threads))
    entries = [{"slug": t.slug, "url": t.url, "title": t.title, "published": t.published, "open": t.open,
                "references": t.references} for t in threads[:2]]
    assert path.read_bytes() == json.dumps(entries, ensure_ascii=False, indent=1).encode("utf-8")
    write_manifest(path, [])
    assert path.read_text(encoding="utf-8") == "[]"

