"""The seed-format importer: lossless round trip through a real build, and every bad input."""

import subprocess
import sys
from pathlib import Path

import pytest

from plugins.references.importer import main, paragraph_markdown
from tests.conftest import ROOT
from tests.site.conftest import run_pelican

from .html_text import find_run, read_page, seed_article_lines

SEED = Path(__file__).with_name("seed.txt")  # copy of the newsroom's seed article text
SEED_COPY = ROOT / "tests" / "site" / "content"
SEED_SLUG = "wsj-trump-administration-reorganizes-delivery-of-patriot-systems-to-allies-prioritizing-ukraine"


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def built_lines(content: Path, output: Path, slug: str) -> list[str]:
    result = run_pelican(content, output)
    assert result.returncode == 0, result.stdout + result.stderr
    return read_page((output / f"{slug}.html").read_text(encoding="utf-8")).lines()


def assert_reads_like(lines: list[str], seed_lines: list[str]) -> None:
    """Title, then the paragraphs and references as consecutive lines of the page."""
    title, body = seed_lines[0], seed_lines[1:]
    assert title in lines
    start = find_run(body, lines)
    assert start != -1, "\n".join(lines)
    assert lines.index(title) < start


def test_seed_round_trips_through_a_real_build(tmp_path, seed_text):
    source = tmp_path / "seed.txt"
    source.write_text(seed_text, encoding="utf-8")
    content = tmp_path / "content"
    result = subprocess.run(
        [sys.executable, "-m", "plugins.references.importer", str(source), "--content", str(content),
         "--date", "2025-07-15 09:00"],
        cwd=ROOT, capture_output=True, text=True, check=True)
    target = content / f"{SEED_SLUG}.md"
    assert result.stdout.strip() == str(target)
    assert_reads_like(built_lines(content, tmp_path / "output", SEED_SLUG), seed_article_lines(seed_text))


def test_committed_seed_article_is_the_importer_output(tmp_path, seed_text):
    (tmp_path / "seed.txt").write_text(seed_text, encoding="utf-8")
    assert main([str(tmp_path / "seed.txt"), "--content", str(tmp_path), "--date", "2025-07-15 09:00"]) == 0
    produced = (tmp_path / f"{SEED_SLUG}.md").read_text(encoding="utf-8")
    for folder in (ROOT / "content", SEED_COPY):
        assert (folder / f"{SEED_SLUG}.md").read_text(encoding="utf-8") == produced


TRICKY = [
    "Markdown *stars*, _under_scores_, `ticks`, [brackets] and {: .attrs}",
    "HTML <b>tags</b>, &amp; entities and AT&T <https://not.a.link>",
    "# not a heading",
    "> not a quote",
    "- not a list",
    "1. not a numbered list",
    ": not a definition",
    "---",
    r"back\slash and a trailing double space",
]


def test_markdown_syntax_in_text_survives(tmp_path):
    seed = "Tricky title\n" + "\n".join(f"{line} [1]." for line in TRICKY) + "\nReferences:\n[1] https://a.example/\n"
    source = tmp_path / "tricky.txt"
    source.write_text(seed, encoding="utf-8")
    assert main([str(source), "--content", str(tmp_path / "content"), "--date", "2025-07-15 09:00"]) == 0
    lines = built_lines(tmp_path / "content", tmp_path / "output", "tricky-title")
    assert_reads_like(lines, seed_article_lines(seed))


def test_marker_spacing_is_kept():
    assert paragraph_markdown("sales [1]. More[2] and [3]") == "sales [^1]. More[^2] and [^3]"


GOOD_REFS = "References:\n[1] https://a.example/\n"

BAD_INPUTS = [
    pytest.param(b"", 1, "file is empty", id="empty"),
    pytest.param(b"\n\nText [1].\n" + GOOD_REFS.encode(), 1, "first line must be the article title", id="no-title"),
    pytest.param(b"Title only\n", 2, "no paragraphs after the title", id="no-paragraphs"),
    pytest.param(b"T\nOne [1].\nTwo [3].\n" + GOOD_REFS.encode(), 3, "[3] is cited but has no reference line",
                 id="undefined-citation"),
    pytest.param(b"T\nOne [1].\nReferences:\n[1] https://a.example/\n[2] https://b.example/\n", 5,
                 "reference [2] is never cited", id="uncited-reference"),
    pytest.param(b"T\nOne [1].\nReferences:\n[1] https://a.example/\n[1] https://b.example/\n", 5,
                 "duplicate reference [1] (first on line 4)", id="duplicate-reference"),
    pytest.param(b"T\nOne [1].\nReferences:\nnot a reference\n", 4, 'expected a reference line', id="bad-reference"),
    pytest.param(b"T\nfine\ncaf\xe9 [1].\n" + GOOD_REFS.encode(), 3, "not valid UTF-8 (byte 0xe9)", id="non-utf8"),
]


@pytest.mark.parametrize(("data", "line", "message"), BAD_INPUTS)
def test_bad_input_names_the_line_and_writes_nothing(tmp_path, capsys, data, line, message):
    source = tmp_path / "article.txt"
    source.write_bytes(data)
    content = tmp_path / "content"
    assert main([str(source), "--content", str(content)]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"{source}:{line}: ")
    assert message in error
    assert not content.exists()


def test_existing_different_file_needs_force(tmp_path, capsys):
    source = tmp_path / "a.txt"
    source.write_text("Same title\nText [1].\n" + GOOD_REFS, encoding="utf-8")
    content = tmp_path / "content"
    target = content / "same-title.md"
    assert main([str(source), "--content", str(content), "--date", "2025-07-15 09:00"]) == 0
    first = target.read_text(encoding="utf-8")
    assert main([str(source), "--content", str(content), "--date", "2025-07-15 09:00"]) == 0  # identical: fine
    assert main([str(source), "--content", str(content), "--date", "2025-07-16 09:00"]) == 1
    assert f"{target}: already exists with different content" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == first
    assert main([str(source), "--content", str(content), "--date", "2025-07-16 09:00", "--force"]) == 0
    assert "Date: 2025-07-16 09:00" in target.read_text(encoding="utf-8")
    assert [path.name for path in content.iterdir()] == ["same-title.md"]  # no temp file left


def test_comments_block_is_ignored_and_date_defaults_to_now(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("Title here\nText [1].\n" + GOOD_REFS + "Comments\n\nNo comments yet [9]\n",
                      encoding="utf-8")
    assert main([str(source), "--content", str(tmp_path)]) == 0
    text = (tmp_path / "title-here.md").read_text(encoding="utf-8")
    assert "No comments" not in text
    assert "Date: 20" in text and "+00:00" in text


def test_imported_article_is_readable_by_the_web_server_and_the_build(tmp_path):
    """The importer writes through the one atomic writer: a new article gets 0644, not the
    0600 of a bare temp file renamed into place."""
    source = tmp_path / "a.txt"
    source.write_text("Readable title\nText [1].\n" + GOOD_REFS, encoding="utf-8")
    content = tmp_path / "content"
    assert main([str(source), "--content", str(content)]) == 0
    assert (content / "readable-title.md").stat().st_mode & 0o777 == 0o644
