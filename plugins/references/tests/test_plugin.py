"""The Pelican side: settings wiring, the reader's error report and clean summaries."""

import logging

import pytest
from pelican.readers import MarkdownReader, Readers
from pelican.settings import DEFAULT_CONFIG

from plugins.references import COUNT_METADATA, EXTENSION, ReferencesMarkdownReader, configure_markdown, use_references_reader
from plugins.build_errors.tests.make_html import last_line, make_html
from plugins.references.extension import CitationError

from .test_extension import ERRORS


def site_settings(**overrides) -> dict:
    settings = {**DEFAULT_CONFIG, **overrides}
    settings["MARKDOWN"] = {
        "extension_configs": {"markdown.extensions.extra": {}, "markdown.extensions.meta": {}},
        "output_format": "html5",
    }
    return settings


def test_extension_is_loaded_after_configured_extensions_once():
    settings = site_settings()
    configure_markdown(settings)
    configure_markdown(settings)  # readers_init fires once per generator
    assert settings["MARKDOWN"]["extensions"] == [
        "markdown.extensions.extra", "markdown.extensions.meta", EXTENSION]


def test_extension_gets_the_site_slug_settings():
    settings = site_settings(SLUG_REGEX_SUBSTITUTIONS=[(r"[^\w\s-]", "")], SLUGIFY_PRESERVE_CASE=True)
    configure_markdown(settings)
    assert settings["MARKDOWN"]["extension_configs"][EXTENSION] == {
        "slug_regex_substitutions": [(r"[^\w\s-]", "")],
        "slugify_preserve_case": True,
        "slugify_use_unicode": False,
    }


def test_readers_init_handler_swaps_the_markdown_reader():
    readers = Readers(site_settings())
    use_references_reader(readers)
    assert readers.reader_classes["md"] is ReferencesMarkdownReader
    assert MarkdownReader not in readers.reader_classes.values()


def read(tmp_path, text, **settings):
    path = tmp_path / "story.md"
    path.write_text(text, encoding="utf-8")
    config = site_settings(**settings)
    configure_markdown(config)
    return ReferencesMarkdownReader(config).read(str(path)), path


STORY = "Title: Story\n\nOfficials said [^1] the port reopened [^1] today.\n\n[^1]: https://a.example/\n"


def test_summary_has_no_markers_and_no_references(tmp_path):
    (content, metadata), _ = read(tmp_path, STORY)
    assert 'class="ref"' in content
    assert metadata["summary"] == "<p>Officials said the port reopened today.</p>"


def test_summary_follows_pelican_truncation_settings(tmp_path):
    (_, metadata), _ = read(tmp_path, STORY, SUMMARY_MAX_LENGTH=3, SUMMARY_END_SUFFIX="…")
    assert metadata["summary"] == "<p>Officials said the …</p>"


def test_author_summary_is_kept(tmp_path):
    (_, metadata), _ = read(tmp_path, "Summary: Mine.\n" + STORY)
    assert metadata["summary"] == "<p>Mine.</p>"


def test_document_without_references_leaves_summary_to_pelican(tmp_path):
    (_, metadata), _ = read(tmp_path, "Title: Plain\n\nNothing cited.\n")
    assert "summary" not in metadata


def test_the_reader_counts_the_references(tmp_path):
    """Three sources, one cited twice: the article has 3 references (for the thread manifest)."""
    text = ("Title: Story\n\nA [^a] and B [^b], A again [^a], C [^c].\n\n"
            "[^a]: https://a.example/\n[^b]: https://b.example/\n[^c]: https://c.example/\n")
    (_, metadata), _ = read(tmp_path, text)
    assert metadata[COUNT_METADATA] == 3
    (_, metadata), _ = read(tmp_path, "Title: Plain\n\nNothing cited.\n")
    assert COUNT_METADATA not in metadata  # the comments plugin reads a missing count as 0


def test_citation_error_is_logged_with_file_and_line(tmp_path, caplog):
    with caplog.at_level(logging.ERROR), pytest.raises(CitationError):
        read(tmp_path, "Title: T\n\nX [^gone].\n")
    assert caplog.messages == [f"{tmp_path / 'story.md'}:3: [^gone] is cited but never defined"]


def test_one_reader_reads_many_files_without_carrying_state_over(tmp_path):
    """The reader reuses its Markdown instance: nothing of one file may leak into the next."""
    config = site_settings()
    configure_markdown(config)
    reader = ReferencesMarkdownReader(config)
    files = {"cited": "Title: Cited\nTags: alpha\n\nThe HTML spec [^src] says so.\n\n"
                      "*[HTML]: Hyper Text\n\n[^src]: https://a.example/\n",
             "plain": "Title: Plain\n\nNo citation and HTML here.\n",
             "summarised": "Title: Summarised\nSummary: Custom *summary*\n\nText.\n"}
    for name, text in files.items():
        (tmp_path / f"{name}.md").write_text(text, encoding="utf-8")
    read_back = {name: reader.read(str(tmp_path / f"{name}.md"))
                 for name in ["cited", "plain", "summarised", "cited"]}
    content, metadata = read_back["plain"]
    assert metadata == {"title": "Plain"}
    assert "<abbr" not in content
    assert 'class="references"' not in content and "a.example" not in content
    # Pelican's metadata parsing removed the meta preprocessor for the Summary; it is back.
    content, metadata = read_back["cited"]
    assert metadata["title"] == "Cited" and [tag.name for tag in metadata["tags"]] == ["alpha"]
    assert content.count('role="doc-noteref"') == 1 and "<abbr" in content


@pytest.mark.parametrize(("text", "line", "problem"), ERRORS)
def test_make_html_ends_with_the_reference_error_and_its_line(tmp_path, text, line, problem):
    """A citation error is a BuildError: `make html` ends with `content/file.md:LINE: problem`."""
    result = make_html(tmp_path, {"story.md": text})
    assert result.returncode != 0
    assert last_line(result) == f"content/story.md:{line}: {problem}"
    assert "Traceback" not in result.stdout


def test_a_single_field_continued_on_an_indented_line_is_one_value(tmp_path):
    """Markdown's metadata continues a field on an indented line; Pelican turned the parts of a
    Title into "['Harbour', 'reopens']" and kept only the first line of Authors (the second
    author was lost, "Authors:" alone fell back to the site's byline)."""
    article = ("Title: Harbour\n    reopens\nDate: 2025-07-16 08:00\nAuthors: Jane Doe,\n    John Roe\n"
               "Tags: port,\n    city\n\nText.\n")
    result = make_html(tmp_path, {"harbour.md": article, "only.md": "Title: Only\nDate: 2025-07-17\n"
                                  "Authors:\n    Ann Lee\n\nText.\n"})
    assert result.returncode == 0, result.stdout
    page = (tmp_path / "output" / "harbour-reopens.html").read_text(encoding="utf-8")
    assert '<h1 class="entry-title p-name">Harbour reopens</h1>' in page
    assert ('>Jane Doe</a> and <a class="p-author h-card" href="/author/john-roe.html">John Roe</a>'
            in page)
    assert 'href="/tag/city.html"' in page
    assert (tmp_path / "output" / "author" / "ann-lee.html").is_file()


@pytest.mark.parametrize("header, line", [
    ("Title: Harbour\x00 reopens\nDate: 2025-07-16\n", 1),
    ("Title: Harbour\nDate: 2025-07-16\nTags: port, \x1b[31mcity\n", 3),
])
def test_a_control_character_in_a_title_or_tags_is_a_build_error(tmp_path, header, line):
    # A NUL in the title went into the page, every list and the JSON-LD as it was.
    result = make_html(tmp_path, {"harbour.md": header + "\nText.\n"})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result) == (f"content/harbour.md:{line}: this line contains an invisible "
                                 "control character (such as NUL): retype it")


@pytest.mark.parametrize("body, line", [
    ("Text \x1b[31mred\x1b[0m from a terminal.\n", 4),  # feedgenerator's traceback, no file named
    ("Text.\n\n    code with a form feed \x0c\n", 6),
])
def test_a_control_character_in_the_text_is_a_build_error_at_its_line(tmp_path, body, line):
    result = make_html(tmp_path, {"harbour.md": "Title: Harbour\nDate: 2025-07-16\n\n" + body})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result) == (f"content/harbour.md:{line}: this line contains an invisible "
                                 "control character (such as NUL): retype it")


@pytest.mark.parametrize("paragraph", ["[" * 10_000, "[a](" * 2_500, "\n".join(["[" * 50] * 40)])
def test_a_paragraph_markdown_would_take_minutes_over_is_a_build_error(tmp_path, paragraph):
    """Python-Markdown's link scans are quadratic in open brackets: 10,000 took a build 18 s,
    50,000 more than 3 minutes, with nothing saying which file."""
    text = "Title: Harbour\nDate: 2025-07-16\n\nFirst paragraph.\n\n" + paragraph + "\n\nLast.\n"
    result = make_html(tmp_path, {"harbour.md": text})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result).startswith("content/harbour.md:6: this paragraph has more [ brackets")


def test_markup_typed_in_a_title_reads_as_typed_but_its_bare_inline_tags(tmp_path):
    """A title went into every page as HTML: "Why <script> tags slow down pages" opened a script
    element that swallowed the rest of the page, an onerror attribute ran on every listing."""
    article = ("Title: Why <script> tags slow <em>down</em> pages<img src=x onerror=alert(2)>\n"
               "Date: 2025-07-16\nTags: port, city\n\nText & more.\n")
    result = make_html(tmp_path, {"harbour.md": article})
    assert result.returncode == 0, result.stdout
    pages = {path: path.read_text(encoding="utf-8") for path in (tmp_path / "output").rglob("*.html")}
    for path, page in pages.items():
        assert "<script> tags" not in page and "<img src=x" not in page, path
    [article_page] = [page for page in pages.values() if "entry-title" in page]
    assert ('<h1 class="entry-title p-name">Why &lt;script&gt; tags slow <em>down</em> pages'
            "&lt;img src=x onerror=alert(2)&gt;</h1>") in article_page
    assert "<title>Why &lt;script&gt; tags slow down pages" in article_page


@pytest.mark.parametrize("field, line", [("Tags: port, <img src=x onerror=alert(1)>", 3),
                                         ("Category: <b>World</b>", 3), ("Author: Ann <i>Lee</i>", 3)])
def test_markup_in_a_tag_section_or_author_name_is_a_build_error(tmp_path, field, line):
    """Written into every listing as HTML: the onerror ran on each page showing the tag."""
    article = f"Title: Harbour\nDate: 2025-07-16\n{field}\n\nText.\n"
    result = make_html(tmp_path, {"harbour.md": article})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    key = field.partition(":")[0]
    assert last_line(result) == (f"content/harbour.md:{line}: {key}: names cannot hold < or >: "
                                 "write the name as text")


def test_a_single_field_given_twice_is_a_build_error(tmp_path):
    # Pelican only warned "Duplicate definition of `authors`" and dropped the second line's names.
    article = "Title: Harbour\nDate: 2025-07-16\nAuthors: Jane Doe\nAuthors: John Roe\n\nText.\n"
    result = make_html(tmp_path, {"harbour.md": article})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result) == ("content/harbour.md:4: Authors is given twice: keep one Authors: line "
                                 "(several authors or tags go on one line, separated by commas)")
