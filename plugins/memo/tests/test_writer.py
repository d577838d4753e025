"""UnchangedFilesWriter: Pelican's writer, but a file whose bytes would not change is left alone."""

import os

import pytest
from jinja2 import Template
from pelican.settings import DEFAULT_CONFIG
from pelican.writers import FileOverwriteFailedError

from plugins.memo.writer import UnchangedFilesWriter

PAST = 1_000_000_000


def write(output, text, name="page.html", writer=None):
    writer = writer or UnchangedFilesWriter(str(output), settings=dict(DEFAULT_CONFIG))
    writer.write_file(name, Template(text), {})
    return writer


def test_same_bytes_are_not_written_again(tmp_path):
    write(tmp_path, "<p>same</p>")
    page = tmp_path / "page.html"
    os.utime(page, (PAST, PAST))
    inode = page.stat().st_ino
    write(tmp_path, "<p>same</p>")
    assert (page.stat().st_mtime, page.stat().st_ino) == (PAST, inode)


def test_other_bytes_replace_the_file_keeping_its_mode(tmp_path):
    write(tmp_path, "<p>old</p>")
    page = tmp_path / "page.html"
    page.chmod(0o640)
    os.utime(page, (PAST, PAST))
    write(tmp_path, "<p>new</p>")
    assert page.read_text() == "<p>new</p>"
    assert page.stat().st_mtime != PAST and page.stat().st_mode & 0o777 == 0o640
    assert [path.name for path in tmp_path.iterdir()] == ["page.html"]  # no temp file left


def test_a_new_file_is_written(tmp_path):
    write(tmp_path, "<p>é</p>", name="sub/page.html")
    assert (tmp_path / "sub" / "page.html").read_text(encoding="utf-8") == "<p>é</p>"


def test_pelicans_bookkeeping_is_kept(tmp_path):
    writer = write(tmp_path, "one")
    with pytest.raises(FileOverwriteFailedError, match="Failed to overwrite .* as Pelican has already"):
        write(tmp_path, "two", writer=writer)
    assert (tmp_path / "page.html").read_text() == "one"


def test_a_template_that_fails_leaves_the_old_page(tmp_path):
    write(tmp_path, "<p>old</p>")
    with pytest.raises(ZeroDivisionError):
        write(tmp_path, "<p>{{ 1 / 0 }}</p>")
    assert (tmp_path / "page.html").read_text() == "<p>old</p>"
