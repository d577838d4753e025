"""The one atomic file writer and the host-wide lock (core/files.py)."""

import os
import stat

import pytest

from comments_service.core import files
from comments_service.core.files import replace_file, replace_file_if_changed


def test_replace_file_keeps_the_permissions_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "story.html"
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o640)
    replace_file(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [path.name for path in tmp_path.iterdir()] == ["story.html"]


def test_replace_file_if_changed_leaves_the_same_bytes_alone(tmp_path):
    """A rebuild's unchanged page keeps its file (inode and mtime): rsync, a CDN and the
    pre-compressed copies skip it."""
    target = tmp_path / "story.html"
    assert replace_file_if_changed(target, "first ✓") is True
    os.utime(target, (1_000_000_000, 1_000_000_000))
    before = target.stat()
    assert replace_file_if_changed(target, "first ✓".encode()) is False
    assert (target.stat().st_ino, target.stat().st_mtime) == (before.st_ino, before.st_mtime)
    assert replace_file_if_changed(target, "first ✗") is True  # same length, other bytes
    assert target.read_text(encoding="utf-8") == "first ✗"
    assert target.stat().st_mtime != before.st_mtime


def test_replace_file_gives_a_new_file_a_web_readable_mode(tmp_path, monkeypatch):
    old_umask = os.umask(0o077)
    try:
        replace_file(tmp_path / "new.html", "x")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "new.html").stat().st_mode) == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "story.html"
    target.write_text("old", encoding="utf-8")

    def refuse(*args):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        replace_file(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [path.name for path in tmp_path.iterdir()] == ["story.html"]


def test_bytes_are_written_as_they_are_and_a_new_file_is_readable_by_others(tmp_path):
    target = tmp_path / "picture.webp"
    replace_file(target, b"\x00\xffRIFF")
    assert target.read_bytes() == b"\x00\xffRIFF"
    assert target.stat().st_mode & 0o777 == 0o644


# Pre-compressed copies (nginx gzip_static) -----------------------------------------------------

def test_a_served_page_gets_gzip_and_brotli_copies_of_exactly_its_bytes(tmp_path):
    import gzip

    import brotli

    page = tmp_path / "story.html"
    text = "<p>" + "A long paragraph of the story. " * 100 + "</p>"
    files.replace_served_file(page, text)
    assert page.read_text(encoding="utf-8") == text
    assert gzip.decompress((tmp_path / "story.html.gz").read_bytes()) == text.encode()
    assert brotli.decompress((tmp_path / "story.html.br").read_bytes()) == text.encode()
    again = files.compress(text.encode(), ".gz")
    assert again == (tmp_path / "story.html.gz").read_bytes()  # no timestamp: same input, same bytes


def test_rewriting_a_page_rewrites_its_copies_and_a_small_one_drops_them(tmp_path):
    import gzip

    page = tmp_path / "story.html"
    files.replace_served_file(page, "old words " * 200)
    files.replace_served_file(page, "new words " * 200)
    assert gzip.decompress((tmp_path / "story.html.gz").read_bytes()) == b"new words " * 200
    files.replace_served_file(page, "short")  # below COMPRESS_MIN_BYTES: an old copy would be served
    assert sorted(path.name for path in tmp_path.iterdir()) == ["story.html"]


@pytest.mark.parametrize("name", ["photo.jpg", "font.woff2", "archive.zip"])
def test_binary_files_get_no_copies(tmp_path, name):
    files.replace_served_file(tmp_path / name, b"\x00" * 5000)
    assert [path.name for path in tmp_path.iterdir()] == [name]
