"""plugins/search: the index step on the fixture site (tests/site/content) built with the real
settings: what Pagefind indexes, the bundle swap, and the errors when it cannot run."""

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from plugins.search import SearchIndexError, build_index
from plugins.search.indexer import BUNDLE, STAGING
from tests.conftest import ROOT
from tests.site.conftest import FIXTURE_CONTENT, run_pelican

ARTICLES = 5


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("search-index") / "output"
    result = run_pelican(FIXTURE_CONTENT, output)
    assert result.returncode == 0, result.stdout + result.stderr
    assert build_index(output) == ARTICLES
    return output


def fragments(site: Path) -> dict[str, dict]:
    """Each indexed page's record as Pagefind stored it (gzip, a signature, then JSON), by URL."""
    records = {}
    for path in (site / BUNDLE / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        record = json.loads(data[len(b"pagefind_dcd"):])
        records[record["url"]] = record
    return records


def index_cli(site: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "plugins.search", str(site)], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=300)


def test_only_articles_are_indexed_with_title_section_and_date(site):
    records = fragments(site)
    assert sorted(records) == sorted(f"/{path.name}" for path in site.glob("*.html")
                                     if 'data-pagefind-body' in path.read_text(encoding="utf-8"))
    assert len(records) == ARTICLES
    harbour = records["/harbour-reopens.html"]
    assert harbour["meta"] == {
        "title": "Harbour reopens after storm", "section": "Local", "date": "16 July 2025",
        "published": "2025-07-16T08:00:00+00:00"}
    assert harbour["content"].startswith("Harbour reopens after storm. The harbour reopened on Tuesday [1]")


def test_byline_corrections_comments_and_related_links_are_not_in_the_text(site):
    for record in fragments(site).values():
        for words in ("No comments yet", "Leave a comment", "More in", "min read", "Correction,",
                      "Photo: Jane Doe", "back at the harbour wall on Saturday morning"):
            assert words not in record["content"], (record["url"], words)


def test_a_new_index_replaces_the_old_one_whole(site, tmp_path):
    before = set((site / BUNDLE / "fragment").iterdir())
    page = site / "harbour-reopens.html"
    original = page.read_text(encoding="utf-8")
    try:
        page.write_text(original.replace("Fishing crews", "Trawler crews"), encoding="utf-8")
        assert build_index(site) == ARTICLES
        after = set((site / BUNDLE / "fragment").iterdir())
        assert len(after) == ARTICLES and after != before
        assert "Trawler crews" in fragments(site)["/harbour-reopens.html"]["content"]
        assert not (site / STAGING).exists()
    finally:
        page.write_text(original, encoding="utf-8")
        build_index(site)


def test_the_command_names_the_missing_binary_and_what_to_do(site):
    result = index_cli(site, PAGEFIND_BINARY_PATH="/nonexistent/pagefind")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("search index: no Pagefind binary found (/nonexistent/pagefind is not")
    assert "make venv" in last and "PAGEFIND_BINARY_PATH" in last


def test_a_failing_pagefind_keeps_the_previous_bundle(site, tmp_path):
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'Error: the index broke' >&2\nexit 3\n", encoding="utf-8")
    fake.chmod(0o755)
    before = sorted(p.name for p in (site / BUNDLE / "fragment").iterdir())
    with pytest.raises(SearchIndexError, match=r"Pagefind failed on .* \(exit 3\): Error: the index broke"):
        build_index(site, binary=fake)
    assert sorted(p.name for p in (site / BUNDLE / "fragment").iterdir()) == before
    result = index_cli(site, PAGEFIND_BINARY_PATH=str(fake))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].endswith("(exit 3): Error: the index broke")


def test_a_folder_that_is_not_a_built_site_is_refused(tmp_path):
    result = index_cli(tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (f"search index: {tmp_path} has no index.html: "
                                     "build the site first (`make html`)")


def test_the_command_says_what_it_indexed(site):
    result = index_cli(site)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"search index: {ARTICLES} pages indexed into {site / BUNDLE}"


def test_static_pages_are_indexed_without_section_or_date(tmp_path):
    content = tmp_path / "content"
    (content / "pages").mkdir(parents=True)
    (content / "story.md").write_text("Title: Story\nDate: 2025-07-20 08:00\n\nText.\n", encoding="utf-8")
    (content / "pages" / "about.md").write_text("Title: About us\nSlug: about\n\nWho we are.\n",
                                                encoding="utf-8")
    result = run_pelican(content, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    assert build_index(tmp_path / "out") == 2
    about = fragments(tmp_path / "out")["/pages/about.html"]
    assert about["meta"] == {"title": "About us"}
    assert about["content"] == "About us. Who we are."
