"""Build errors read `content/<file>:<line>: message`, last, without a traceback (issue 14.6)."""

import logging

import pytest

from plugins.build_errors import (
    BuildError,
    ReadableErrors,
    display_path,
    header_line_quoting,
    located_message,
    metadata_line,
)
from plugins.build_errors.tests.make_html import last_line, make_html

ARTICLE = "Title: Harbour reopens\nDate: 2025-07-16 08:00\n\nThe harbour reopened [^port].\n\n"


def test_a_build_error_names_the_file_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    error = BuildError(tmp_path / "content" / "harbour.md", 9, "ImageAlt is required")
    assert str(error) == "content/harbour.md:9: ImageAlt is required"
    assert str(BuildError("/elsewhere/x.md", None, "broken")) == "/elsewhere/x.md: broken"
    assert display_path(None) == "<unknown file>"


def test_metadata_line_finds_a_field_of_the_header_only(tmp_path):
    source = tmp_path / "a.md"
    source.write_text("Title: T\nimage: a.jpg\nCorrection: one\n  more\nCorrection: two\n\n"
                      "Image: not metadata\n", encoding="utf-8")
    assert metadata_line(source, "Image") == 2
    assert metadata_line(source, "correction", occurrence=2) == 5
    assert metadata_line(source, "Correction", occurrence=3) is None
    assert metadata_line(source, "Authors") is None
    assert metadata_line(tmp_path / "missing.md", "Title") is None


def test_a_build_error_is_found_anywhere_in_the_exception_chain():
    try:
        try:
            raise BuildError("content/a.md", 3, "bad")
        except BuildError:
            raise RuntimeError("Warning or error encountered")  # noqa: B904 - as Pelican does
    except RuntimeError as error:
        assert located_message(error) == "content/a.md:3: bad"
    assert located_message(RuntimeError("no place")) is None


def test_the_closing_critical_record_becomes_one_plain_line(capsys):
    handler_filter = ReadableErrors()
    error = BuildError("content/a.md", 3, "bad")
    record = logging.LogRecord("pelican", logging.CRITICAL, __file__, 1, "%s: %s",
                               ("RuntimeError", "x"), (RuntimeError, RuntimeError("x"), None))
    record.exc_info[1].__context__ = error
    assert handler_filter.filter(record) is False
    assert capsys.readouterr().err == "content/a.md:3: bad\n"


def test_without_a_location_the_last_error_logged_is_the_closing_line(capsys):
    handler_filter = ReadableErrors()
    error_record = logging.LogRecord("pelican", logging.ERROR, __file__, 1, "Could not process %s",
                                     ("./x.md",), None)
    assert handler_filter.filter(error_record) is True
    closing = logging.LogRecord("pelican", logging.CRITICAL, __file__, 1, "boom", (),
                                (RuntimeError, RuntimeError("Warning or error encountered"), None))
    assert handler_filter.filter(closing) is False
    assert capsys.readouterr().err == "Could not process ./x.md\n"


def test_make_html_ends_with_file_and_line_and_no_traceback(tmp_path):
    result = make_html(tmp_path, {"harbour.md": ARTICLE + "More [^gone].\n\n[^port]: https://port.example.org\n"})
    assert result.returncode != 0
    assert last_line(result) == "content/harbour.md:6: [^gone] is cited but never defined"
    assert "Traceback" not in result.stdout


def test_a_template_error_names_the_template_and_its_line(tmp_path):
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    (theme / "templates" / "article.html").write_text("<p>\n{{ article.title|no_such_filter }}\n",
                                                      encoding="utf-8")
    result = make_html(tmp_path, {"harbour.md": ARTICLE.replace(" [^port]", "")},
                       PELICANOPTS=f"--fatal errors -t {theme}")
    assert result.returncode != 0
    assert "Traceback" not in result.stdout
    assert "theme/templates/article.html" in last_line(result), result.stdout


def test_debug_shows_the_traceback(tmp_path):
    result = make_html(tmp_path, {"harbour.md": ARTICLE + "More [^gone].\n\n[^port]: https://port.example.org\n"},
                       env={"DEBUG": "1"})
    assert result.returncode != 0
    assert "Traceback" in result.stdout


def test_pelicans_own_reading_errors_name_the_file_and_the_line_of_the_bad_value(tmp_path):
    result = make_html(tmp_path, {"harbour.md": "Title: Harbour\nDate: yesterday-ish\n\nText.\n"})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result) == "content/harbour.md:2: 'yesterday-ish' is not a valid date"


def test_a_file_that_is_not_utf8_names_the_line_of_the_first_bad_byte(tmp_path):
    source = b"Title: Harbour\nDate: 2025-07-16\n\nOne.\n\nTwo \xff.\n"
    result = make_html(tmp_path, {"harbour.md": source})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result) == ("content/harbour.md:6: this file is not UTF-8 text (byte 0xff); "
                                 "save it as UTF-8")


def test_pelicans_logged_errors_name_the_file_relative_to_the_repository(tmp_path):
    result = make_html(tmp_path, {"harbour.md": "Date: 2025-07-16\n\nNo title.\n"})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result) == "Skipping content/harbour.md: could not find information about 'title'"


def test_a_missing_production_key_is_the_last_line_of_make_publish(tmp_path):
    result = make_html(tmp_path, {"harbour.md": ARTICLE.replace(" [^port]", "")}, target="publish",
                       env={"COMMENTS_SECRET_KEY": ""})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result).startswith("SettingsError: COMMENTS_SECRET_KEY is not set")


def test_the_value_quoted_in_a_message_is_found_in_the_header_only_when_unambiguous(tmp_path):
    source = tmp_path / "a.md"
    source.write_text("Title: 2025\nDate: 2025\nSlug: x\n\n'2025' in the body\n", encoding="utf-8")
    assert header_line_quoting(source, "'x' is bad") == 3
    assert header_line_quoting(source, "'2025' is bad") is None  # two header lines hold it
    assert header_line_quoting(source, "no quoted value") is None
    assert header_line_quoting(tmp_path / "missing.md", "'x'") is None


def test_a_message_quoting_several_values_names_the_header_line_holding_one(tmp_path):
    source = "Title: Harbour\nDate: 2025-07-16\nStatus: drafts\n\nText.\n"
    result = make_html(tmp_path, {"harbour.md": source})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result).startswith(
        "content/harbour.md:3: Unknown status 'drafts' for file content/harbour.md")


def test_a_utf8_bom_and_windows_line_endings_keep_the_first_field_findable(tmp_path):
    # Windows editors save "\ufeff" before the first key, which then never matched `Key:`.
    source = tmp_path / "a.md"
    source.write_bytes("\ufeffImage: a.jpg\r\nTitle: T\r\n\r\nText\r\n".encode())
    assert metadata_line(source, "Image") == 1
    assert metadata_line(source, "Title") == 2
    article = "\ufeffImage: a.jpg\r\nTitle: T\r\nDate: 2025-07-16\r\n\r\nText.\r\n"
    result = make_html(tmp_path, {"harbour.md": article})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result).startswith("content/harbour.md:1: Image has no ImageAlt")


def test_two_articles_with_one_address_name_both_files(tmp_path):
    # Pelican only found out while writing: "Failed to overwrite /abs/output/harbour.html".
    first = "Title: Harbour\nDate: 2025-07-16\nSlug: harbour\n\nOne.\n"
    second = "Title: Harbour again\nDate: 2025-07-17\nSlug: harbour\n\nTwo.\n"
    result = make_html(tmp_path, {"a.md": first, "b.md": second})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result) == ("content/b.md:3: this article would be written to harbour.html, "
                                 "as content/a.md is: give one of the two another Slug:")


def test_a_symlinked_copy_of_an_article_names_the_copy(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("Title: Harbour\nDate: 2025-07-16\n\nOne.\n")
    (tmp_path / "content" / "b.md").symlink_to(tmp_path / "content" / "a.md")
    result = make_html(tmp_path, {})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result) == ("content/b.md:1: this file is a link to content/a.md, so its "
                                 "article would be written twice: remove the link")


def test_an_article_taking_a_page_the_site_writes_is_named(tmp_path):
    article = "Title: Harbour\nDate: 2025-07-16\nSlug: index\n\nOne.\n"
    result = make_html(tmp_path, {"a.md": article})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result) == ("content/a.md:3: this article would be written to index.html, where "
                                 "the site writes the front page: give the article another Slug:")


def test_a_slug_that_would_break_out_of_its_link_is_a_build_error(tmp_path):
    # Pelican wrote it as is into every href="..." listing the article.
    article = 'Title: Harbour\nDate: 2025-07-16\nSlug: a"><script>x</script>\n\nOne.\n'
    result = make_html(tmp_path, {"a.md": article})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result) == ('content/a.md:3: the address `a"><script>x</script>.html` has '
                                 "characters a link cannot hold: write the Slug with letters, digits "
                                 "and hyphens, like `Slug: harbour-reopens`")


@pytest.mark.parametrize("url", ["//evil.example/x", "javascript:alert(1)", "https://evil.example/x"])
def test_an_address_that_leaves_the_site_is_a_build_error(tmp_path, url):
    # Every listing, the canonical link and the feeds linked there (`///evil.example/x`: a browser
    # goes to evil.example), and a feed's javascript: link ran in readers that follow it.
    article = f"Title: Harbour\nDate: 2025-07-16\nURL: {url}\n\nOne.\n"
    result = make_html(tmp_path, {"a.md": article})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result) == (f"content/a.md:3: the address `{url}` leads off the site: an "
                                 "article's URL: is a path on the site, like "
                                 "`URL: news/harbour-reopens.html`")


@pytest.mark.parametrize("header, line", [("Title: " + "Harbour " * 32, 1), ("Slug: " + "h" * 300, 3)])
def test_a_title_or_slug_too_long_for_a_file_name_is_a_build_error(tmp_path, header, line):
    # "OSError: [Errno 36] File name too long" ended the build, naming no content file.
    article = ("Title: Harbour\nDate: 2025-07-16\n" + header + "\n\nOne.\n" if header.startswith("Slug")
               else header + "\nDate: 2025-07-16\n\nOne.\n")
    result = make_html(tmp_path, {"a.md": article})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result).startswith(f"content/a.md:{line}: the file name `")
    assert last_line(result).endswith("longer than the 255 bytes a file name can have: give the "
                                      "article a shorter Slug:")


@pytest.mark.parametrize("header, line, message", [
    ("Title: 🔥🔥🔥\nDate: 2025-07-16\n", 1,
     "this line has no letters or digits to make the address from (it would be `.html`): "
     "give the article a Slug:"),
    ("Title: Harbour\nDate: 2025-07-16\nCategory: ???\n", 3,
     'the listing of section "???" has no letters or digits to make its address from (it would '
     "be `category/.html`): write it with letters or digits"),
    ("Title: Harbour\nDate: 2025-07-16\nTags: port, !!!\n", 3,
     'the listing of tag "!!!" has no letters or digits to make its address from (it would be '
     "`tag/.html`): write it with letters or digits"),
])
def test_a_title_section_or_tag_without_letters_or_digits_is_a_build_error(tmp_path, header, line,
                                                                           message):
    # Each was written as a dotfile (.html, category/.html), linked, and refused by web servers.
    result = make_html(tmp_path, {"a.md": header + "\nOne.\n"})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result) == f"content/a.md:{line}: {message}"


def test_an_empty_date_field_is_found_by_its_empty_value(tmp_path):
    article = "Title: Harbour\nDate: 2025-07-16\nModified:\n\nOne.\n"
    result = make_html(tmp_path, {"a.md": article})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result) == "content/a.md:3: '' is not a valid date"


def test_make_html_runs_as_an_editors_top_level_make_even_under_make_test(tmp_path, monkeypatch):
    """`make test` exports MAKELEVEL: a sub-make would end with `make[1]: ***` (CI failed so)."""
    monkeypatch.setenv("MAKELEVEL", "1")
    monkeypatch.setenv("MAKEFLAGS", "w")
    source = ARTICLE + "More [^gone].\n\n[^port]: https://port.example.org\n"
    result = make_html(tmp_path, {"harbour.md": source})
    assert result.returncode != 0
    assert result.stdout.rstrip().splitlines()[-1].startswith("make: *** ")
    assert last_line(result) == "content/harbour.md:6: [^gone] is cited but never defined"
