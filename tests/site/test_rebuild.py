"""A rebuild with the read cache warm (plugins/references/read_cache.py) and unchanged files left
alone (plugins/memo/writer.py) gives, byte for byte, what a cold build of the same sources gives."""

import json
import shutil
from pathlib import Path

import pytest

from .conftest import FIXTURE_CONTENT, run_pelican

ARTICLE = "out-of-order.md"


def build(content: Path, output: Path, cache: Path, *settings: str) -> None:
    """Build with the read cache in `cache`; `settings`: more NAME=JSON overrides (one -e for all:
    Pelican keeps only the last -e)."""
    result = run_pelican(content, output, "-e", f"CACHE_PATH={json.dumps(str(cache))}", *settings)
    assert result.returncode == 0, result.stdout + result.stderr


def tree(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def mtimes(folder: Path) -> dict[str, int]:
    return {str(path.relative_to(folder)): path.stat().st_mtime_ns
            for path in folder.rglob("*") if path.is_file() and path.suffix in (".html", ".xml")}


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, folder)
    return folder


def test_a_rebuild_changes_nothing_and_rewrites_nothing(content, tmp_path):
    cache, output = tmp_path / "cache", tmp_path / "output"
    build(content, output, cache)
    assert list((cache / "read-cache").glob("*.sqlite3"))
    cold, written = tree(output), mtimes(output)
    build(content, output, cache)
    assert tree(output) == cold
    assert mtimes(output) == written


def test_an_edited_article_shows_everywhere_as_in_a_cold_build(content, tmp_path):
    cache, output = tmp_path / "cache", tmp_path / "output"
    build(content, output, cache)
    source = content / ARTICLE
    text = source.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("Title:"))
    source.write_text(text.replace(title, "Title: Harbour reopens after the storm"), encoding="utf-8")
    build(content, output, cache)
    warm = tree(output)
    for name in ("index.html", "feeds/all.atom.xml", "archives.html"):
        assert "Harbour reopens after the storm" in warm[name].decode(), name
    cold_output = tmp_path / "cold"
    build(content, cold_output, tmp_path / "fresh-cache")
    assert warm == tree(cold_output)


def test_a_changed_setting_reads_every_file_again(content, tmp_path):
    cache, output = tmp_path / "cache", tmp_path / "output"
    build(content, output, cache)
    build(content, output, cache, "SUMMARY_MAX_LENGTH=5")
    cold_output = tmp_path / "cold"
    build(content, cold_output, tmp_path / "fresh-cache", "SUMMARY_MAX_LENGTH=5")
    assert tree(output) == tree(cold_output)
    assert len(list((cache / "read-cache").glob("*.sqlite3"))) == 2
