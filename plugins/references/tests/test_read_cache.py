"""The reader's cache across builds (read_cache.py): a hit gives exactly what reading gives, and
anything that could change what a file reads as (its bytes, a setting, plugin code) misses."""

import os
import sqlite3

import pytest

from plugins.references import COUNT_METADATA, ReferencesMarkdownReader, configure_markdown, read_cache
from plugins.references.extension import CitationError

from .test_plugin import STORY, site_settings


class CountingReader(ReferencesMarkdownReader):
    """The plugin's reader, counting the files it actually converts."""

    converted = 0

    def _convert(self, source_path, text):
        CountingReader.converted += 1
        return super()._convert(source_path, text)


@pytest.fixture
def settings(tmp_path):
    config = site_settings(CONTENT_READ_CACHE=True, CACHE_PATH=str(tmp_path / "cache"))
    configure_markdown(config)
    return config


def build(settings, *paths):
    """Read `paths` as one build does (a new reader, then the cache saved and closed); returns
    [(content, metadata)] and how many files were converted."""
    CountingReader.converted = 0
    reader = CountingReader(settings)
    results = [reader.read(str(path)) for path in paths]
    read_cache.finish_reading([type("Generator", (), {"settings": settings})()])
    read_cache._OPEN.pop(id(settings), None)
    return results, CountingReader.converted


def story(tmp_path, text=STORY, name="story.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_second_build_reads_the_same_without_converting(tmp_path, settings):
    body = STORY.split("\n\n", 1)[1]
    path = story(tmp_path, "Title: Story\nTags: port, storm\nDate: 2025-07-15\n\n" + body)
    first, converted = build(settings, path)
    assert converted == 1
    second, converted = build(settings, path)
    assert converted == 0
    assert second == first
    assert second[0][1][COUNT_METADATA] == 1 and "summary" in second[0][1]


def test_a_file_with_other_bytes_is_read_again_even_with_the_same_mtime(tmp_path, settings):
    path = story(tmp_path)
    stat = path.stat()
    build(settings, path)
    story(tmp_path, STORY.replace("reopened", "closed"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    [(content, metadata)], converted = build(settings, path)
    assert converted == 1
    assert "closed" in content and "closed" in metadata["summary"]


def test_a_changed_setting_starts_a_fresh_cache(tmp_path, settings):
    path = story(tmp_path)
    build(settings, path)
    settings["SUMMARY_MAX_LENGTH"] = 3
    [(_, metadata)], converted = build(settings, path)
    assert converted == 1
    assert metadata["summary"] == "<p>Officials said the …</p>"


def test_changed_plugin_code_changes_the_fingerprint(tmp_path, settings, monkeypatch):
    plugins = tmp_path / "plugins"
    (plugins / "references").mkdir(parents=True)
    module = plugins / "references" / "extension.py"
    module.write_text("X = 1\n")
    (plugins / "references" / "tests").mkdir()
    monkeypatch.setattr(read_cache, "PLUGINS_DIR", plugins)
    before = read_cache.fingerprint(settings)
    (plugins / "references" / "tests" / "test_x.py").write_text("Y = 2\n")  # tests are not read code
    assert read_cache.fingerprint(settings) == before
    module.write_text("X = 2\n")
    assert read_cache.fingerprint(settings) != before


def test_the_fingerprint_is_the_same_in_every_process_and_ignores_where_files_go(settings):
    settings["JINJA_GLOBALS"] = {"asset": lambda name: name}  # a closure's repr has its address
    before = read_cache.fingerprint(settings)
    settings["JINJA_GLOBALS"] = {"asset": lambda name: name}
    settings["OUTPUT_PATH"] = "/elsewhere"
    assert read_cache.fingerprint(settings) == before
    settings["MARKDOWN"]["output_format"] = "xhtml"
    assert read_cache.fingerprint(settings) != before


def test_a_file_with_a_citation_error_is_never_cached(tmp_path, settings):
    path = story(tmp_path, "Title: Bad\n\nCited [^nope].\n")
    for _ in range(2):
        with pytest.raises(CitationError):
            build(settings, path)


def test_files_not_read_by_a_build_are_forgotten(tmp_path, settings):
    one, two = story(tmp_path, name="one.md"), story(tmp_path, name="two.md")
    build(settings, one, two)
    build(settings, one)
    cache_file = next((tmp_path / "cache" / read_cache.FOLDER).glob("*.sqlite3"))
    with sqlite3.connect(cache_file) as db:
        assert [row[0] for row in db.execute("SELECT path FROM entries")] == [str(one)]


def test_a_damaged_cache_file_is_replaced(tmp_path, settings):
    path = story(tmp_path)
    [expected], _ = build(settings, path)
    cache_file = next((tmp_path / "cache" / read_cache.FOLDER).glob("*.sqlite3"))
    for suffix in ("-wal", "-shm"):
        (tmp_path / "cache" / read_cache.FOLDER / (cache_file.name + suffix)).unlink(missing_ok=True)
    cache_file.write_bytes(b"not a database" * 100)
    [again], converted = build(settings, path)
    assert (again, converted) == (expected, 1)
    [_], converted = build(settings, path)
    assert converted == 0


def test_only_the_latest_cache_files_are_kept(tmp_path, settings):
    path = story(tmp_path)
    for length in range(read_cache.MAX_FILES + 2):
        settings["SUMMARY_MAX_LENGTH"] = 10 + length
        build(settings, path)
    assert len(list((tmp_path / "cache" / read_cache.FOLDER).glob("*.sqlite3"))) == read_cache.MAX_FILES


def test_off_by_default(tmp_path):
    config = site_settings(CACHE_PATH=str(tmp_path / "cache"))
    configure_markdown(config)
    build(config, story(tmp_path))
    assert not (tmp_path / "cache").exists()


def test_an_article_with_a_summary_field_keeps_its_reference_count(tmp_path):
    """The count was taken after Pelican converted the Summary: field with the same Markdown
    instance, so such an article had no references for the comments manifest."""
    config = site_settings()
    configure_markdown(config)
    path = story(tmp_path, "Summary: Mine.\n" + STORY)
    _, metadata = ReferencesMarkdownReader(config).read(str(path))
    assert metadata[COUNT_METADATA] == 1
    assert metadata["summary"] == "<p>Mine.</p>"
