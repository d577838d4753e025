"""Drafts and scheduled articles (issue 14 item 5) in real builds of pelican.conf.py and
publish.conf.py: nothing unpublished reaches output/ (pages, listings, feeds, the comments
manifest), and a future-dated article appears with the first build after its time, its naive
date read in the site's TIMEZONE; `make preview` builds all of it into its own folder, every page
marked as a preview, without touching output/ and its comments manifest."""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from plugins.build_errors.tests.make_html import last_line, make_html
from plugins.references.tests.html_text import read_page
from tests.conftest import ROOT
from tests.site.conftest import run_pelican

PUBLISHED = """Title: Harbour reopens
Date: 2025-07-01 10:00
Category: Local
Tags: harbour
Authors: Jane Doe

The harbour reopened on Tuesday [^1].

[^1]: https://example.org/harbour
"""
DRAFT = """Title: Quokka ferry plan
Date: 2025-07-02 10:00
Status: draft
Category: Local
Tags: harbour, quokkaferry
Authors: Jane Doe, Zebulon Draftwriter

Unfinished copy about the ferry [^1].

[^1]: https://example.org/ferry
"""
FUTURE = """Title: Wombat budget embargo
Date: 2099-01-01 09:00
Category: Politics
Tags: wombatbudget
Authors: Yolanda Embargo

Embargoed until the minister speaks [^1].

[^1]: https://example.org/budget
"""
DRAFT_PAGE = """Title: Platypus masthead
Status: draft

Who we will be.
"""
DRAFT_TRANSLATION = """Title: Quokka ferry plan, en français
Date: 2025-07-02 10:00
Slug: quokka-ferry-plan
Lang: fr
Status: draft

Brouillon.
"""
SITE = {"harbour.md": PUBLISHED, "draft.md": DRAFT, "draft-fr.md": DRAFT_TRANSLATION,
        "future.md": FUTURE, "pages/masthead.md": DRAFT_PAGE}
#: Words that only the unpublished sources contain: none may appear in any built file.
UNPUBLISHED_MARKS = ("quokka", "wombat", "platypus", "zebulon", "draftwriter", "yolanda",
                     "embargo", "unfinished", "masthead")

#: What marks a page as a preview: never on the live site.
PREVIEW_MARKS = ('class="preview-banner"', 'name="robots"', "preview —")
DRAFT_LABEL = "Preview — not published: draft"
PREVIEW_PAGES = {
    "harbour-reopens.html": "Preview — not the live site",
    "drafts/quokka-ferry-plan.html": DRAFT_LABEL,
    "drafts/quokka-ferry-plan-fr.html": DRAFT_LABEL,
    "drafts/wombat-budget-embargo.html": "Preview — not published: scheduled for 1 January 2099, 09:00 UTC",
    "drafts/pages/platypus-masthead.html": DRAFT_LABEL,
}


def write(content: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text, encoding="utf-8")


def build(tmp_path: Path, files: dict[str, str], settings: str = "pelican.conf.py", *extra: str) -> Path:
    content, output = tmp_path / "content", tmp_path / "output"
    write(content, files)
    result = run_pelican(content, output, *extra, settings=ROOT / settings)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def files_mentioning(output: Path, marks: tuple[str, ...]) -> dict[str, list[str]]:
    """{output file: the marks its path or text contains (case-insensitively)}."""
    found = {}
    for path in sorted(output.rglob("*")):
        if path.is_file():
            name = str(path.relative_to(output))
            text = (name + "\n" + path.read_bytes().decode("utf-8", "replace")).lower()
            if hits := [mark for mark in marks if mark in text]:
                found[name] = hits
    return found


def naive(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize("settings", ["pelican.conf.py", "publish.conf.py"])
def test_nothing_unpublished_reaches_output(tmp_path, settings):
    """Pages, drafts/ folder, index, archives, tags, categories, authors, feeds, manifest."""
    output = build(tmp_path, SITE, settings)
    assert (output / "harbour-reopens.html").is_file()
    assert "harbour reopens" in (output / "index.html").read_text(encoding="utf-8").lower()
    if settings == "publish.conf.py":
        assert "Harbour reopens" in (output / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert files_mentioning(output, UNPUBLISHED_MARKS) == {}
    assert not (output / "drafts").exists()
    assert files_mentioning(output, PREVIEW_MARKS) == {}


def test_the_manifest_lists_published_articles_only(tmp_path):
    output = build(tmp_path, SITE)
    entries = json.loads((output / "comments" / "threads.json").read_text(encoding="utf-8"))
    assert [entry["slug"] for entry in entries] == ["harbour-reopens"]


def test_an_article_whose_time_has_come_is_published_by_the_next_build(tmp_path):
    past = naive(datetime.now(UTC) - timedelta(minutes=2))
    output = build(tmp_path, {"due.md": FUTURE.replace("2099-01-01 09:00", past)})
    assert (output / "wombat-budget-embargo.html").is_file()
    entries = json.loads((output / "comments" / "threads.json").read_text(encoding="utf-8"))
    assert [entry["slug"] for entry in entries] == ["wombat-budget-embargo"]


@pytest.mark.parametrize(("timezone", "shift", "published"), [
    # UTC-12: one hour ago in UTC is 11 hours ahead there, so not yet.
    ("Etc/GMT+12", timedelta(hours=-1), False),
    # UTC+14: one hour ahead in UTC is 13 hours past there, so already.
    ("Etc/GMT-14", timedelta(hours=1), True),
])
def test_a_naive_date_is_read_in_the_sites_timezone(tmp_path, timezone, shift, published):
    date = naive(datetime.now(UTC) + shift)
    output = build(tmp_path, {"harbour.md": PUBLISHED, "due.md": FUTURE.replace("2099-01-01 09:00", date)},
                   "pelican.conf.py", "-e", f'TIMEZONE="{timezone}"')
    assert (output / "wombat-budget-embargo.html").is_file() is published
    assert bool(files_mentioning(output, ("wombat",))) is published


def test_the_preview_has_every_article_each_page_marked_as_a_preview(tmp_path):
    preview = build(tmp_path, SITE, "preview.conf.py")
    for name, label in PREVIEW_PAGES.items():
        lines = read_page((preview / name).read_text(encoding="utf-8")).lines()
        assert label in lines, name
        assert lines.index(label) < lines.index("Skip to content"), name  # first thing in <body>
    for page in preview.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert '<meta name="robots" content="noindex">' in html, page
        assert 'class="preview-banner"' in html, page


def test_an_unpublished_article_in_the_preview_offers_no_comment_form(tmp_path):
    preview = build(tmp_path, SITE, "preview.conf.py")
    for name in ("drafts/quokka-ferry-plan.html", "drafts/wombat-budget-embargo.html"):
        html = (preview / name).read_text(encoding="utf-8")
        assert "Comments open when the article is published." in read_page(html).lines()
        assert not re.search(r'<form(?! class="site-search")', html), name  # the header's search only
    assert '<form id="comment-form"' in (preview / "harbour-reopens.html").read_text(encoding="utf-8")
    entries = json.loads((preview / "comments" / "threads.json").read_text(encoding="utf-8"))
    assert [entry["slug"] for entry in entries] == ["harbour-reopens"]


def test_make_preview_leaves_the_live_site_and_its_manifest_alone(tmp_path):
    assert make_html(tmp_path, SITE).returncode == 0
    manifest = tmp_path / "output" / "comments" / "threads.json"
    before = (manifest.read_bytes(), manifest.stat().st_mtime_ns)
    result = make_html(tmp_path, {}, target="preview", PREVIEWDIR="preview")
    assert result.returncode == 0, result.stdout
    assert (tmp_path / "preview" / "drafts" / "quokka-ferry-plan.html").is_file()
    assert (manifest.read_bytes(), manifest.stat().st_mtime_ns) == before
    assert files_mentioning(tmp_path / "output", UNPUBLISHED_MARKS + PREVIEW_MARKS) == {}


@pytest.mark.parametrize("folder", ["output", "output/", "output/preview", "./output/../output"])
def test_make_preview_refuses_to_write_into_the_live_output(tmp_path, folder):
    assert make_html(tmp_path, SITE).returncode == 0
    result = make_html(tmp_path, {}, target="preview", PREVIEWDIR=folder)
    assert result.returncode != 0
    assert last_line(result) == "make preview: PREVIEWDIR must be outside OUTPUTDIR (output is the live site)"
    assert not (tmp_path / "output" / "preview").exists()
    assert files_mentioning(tmp_path / "output", UNPUBLISHED_MARKS + PREVIEW_MARKS) == {}


def test_every_template_keeps_the_page_whole_without_the_comments_plugin(tmp_path):
    """No template may depend on the comments plugin's attributes unguarded: a preview (every
    template, drafts included) built without that plugin has every page, and no comments at all."""
    plugins = json.dumps(["plugins.build_errors", "plugins.references", "plugins.preview", "plugins.assets"])
    preview = build(tmp_path, SITE, "preview.conf.py", "-e", f"PLUGINS={plugins}")
    for name, label in PREVIEW_PAGES.items():
        lines = read_page((preview / name).read_text(encoding="utf-8")).lines()
        assert label in lines and "Comments" not in lines, name
    assert not (preview / "comments").exists()
