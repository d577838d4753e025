"""Reading one article's fields: where each value sits in the file, dates, inline Markdown."""

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from markdown import Markdown

from plugins.build_errors import BuildError
from plugins.corrections.entries import article_corrections, header_lines, parse_moment
from plugins.corrections.generator import inline_markdown, render_inline

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def article(tmp_path, header: str, **metadata):
    """An article as the generator sees it, with its source file and Meta values."""
    path = tmp_path / "story.md"
    path.write_text(header + "\nText.\n", encoding="utf-8")
    meta = Markdown(extensions=["meta"])
    meta.convert(path.read_text(encoding="utf-8"))
    values = meta.Meta.get("correction", [])
    if values:
        metadata["correction"] = values[0] if len(values) == 1 else values
    metadata["date"] = datetime(2025, 7, 15, 9, tzinfo=UTC)
    return SimpleNamespace(source_path=str(path), metadata=metadata, date=metadata["date"], slug="story")


def test_header_lines_follow_the_meta_extension(tmp_path):
    path = tmp_path / "story.md"
    path.write_text("---\nTitle: A\nCorrection: x | y\n    more\nTags: a\n    b\ncorrection: z\n\n"
                    "Correction: in the body\n", encoding="utf-8")
    assert header_lines(str(path), "correction") == [(3, False), (4, True), (7, False)]


def test_repeated_and_continued_fields_become_one_correction_each(tmp_path):
    story = article(tmp_path, "Title: A\nCorrection: 2025-07-16 10:00 | One,\n    continued.\n"
                              "Correction: 2025-07-15 10:00 | Two.\n")
    corrections = article_corrections(story, NOW, lambda text: text, UTC)
    assert [(c.text, c.anchor, c.when.hour, c.when.day) for c in corrections] == [
        ("Two.", "story-correction-2", 10, 15), ("One, continued.", "story-correction-1", 10, 16)]


def test_a_single_field_is_a_string_in_pelican_metadata(tmp_path):
    story = article(tmp_path, "Title: A\nCorrection: 2025-07-16 10:00 | Only one.\n")
    assert isinstance(story.metadata["correction"], str)
    [correction] = article_corrections(story, NOW, lambda text: text, UTC)
    assert correction.schema == {"@type": "CorrectionComment", "text": "Only one.",
                                 "datePublished": "2025-07-16T10:00:00+00:00"}


def test_the_future_is_measured_from_the_build(tmp_path):
    story = article(tmp_path, "Title: A\nCorrection: 2025-07-16 10:00 | Soon.\n")
    just_before = datetime(2025, 7, 16, 9, 59, tzinfo=timezone.utc)
    with pytest.raises(BuildError, match="in the future"):
        article_corrections(story, just_before, lambda text: text, UTC)
    assert article_corrections(story, just_before + timedelta(minutes=1), lambda text: text, UTC)


@pytest.mark.parametrize("text, expected", [
    ("2025-07-16 10:00", datetime(2025, 7, 16, 10, tzinfo=UTC)),
    ("2025-07-16T10:00:30", datetime(2025, 7, 16, 10, 0, 30, tzinfo=UTC)),
    ("2025-07-16 10:00+02:00", datetime(2025, 7, 16, 8, tzinfo=UTC)),
    ("2025-07-16 10:00Z", datetime(2025, 7, 16, 10, tzinfo=UTC)),
    ("2025-07-16", None),
    ("16 July 2025 10:00", None),
    ("2025-07-16 25:00", None),
    ("", None),
])
def test_parse_moment(text, expected):
    assert parse_moment(text, UTC) == expected


@pytest.mark.parametrize("text, html", [
    ("*Monday*, not [Sunday](https://a.example/)", '<em>Monday</em>, not <a href="https://a.example/">Sunday</a>'),
    ("1986. The year", "1986. The year"),
    ("# 3 votes", "# 3 votes"),
    ("- not a list", "- not a list"),
    ("> not a quote", "&gt; not a quote"),
    ("<div>raw & more", "&lt;div&gt;raw &amp; more"),
    ("&copy; <https://a.example/>", '&copy; <a href="https://a.example/">https://a.example/</a>'),
    ("![chart](chart.png)", "![chart](chart.png)"),
    ("`<b>` is code", "<code>&lt;b&gt;</code> is code"),
    ("---", "---"),
])
def test_text_renders_inline(text, html):
    assert render_inline(inline_markdown(), text) == html

