"""The plugin in a real build of tests/content (the real pelican.conf.py and theme).

The site (July 2025, newest first): culture-1, science-3…1, politics-4…1, world-6…1 (world-2
`Featured: true`, world-6 `Featured: no`, culture-1 `Featured: False`), then politics-0,
science-0, world-0, world-oldest in June. Page 1 of the index holds the ten newest (culture-1 to
world-5). draft, hidden and future (dated 2999) say `Featured: true` or `yes`: none may lead.
"""

import re
from pathlib import Path

import pytest

from plugins.references.tests.html_text import read_page
from tests.site.conftest import run_pelican

CONTENT = Path(__file__).resolve().parent / "content"
PAGE_ONE = ["culture-1", "science-3", "science-2", "science-1", "politics-4", "politics-3",
            "politics-2", "politics-1", "world-6", "world-5"]
CARD_LINK = re.compile(r'<h2 class="summary-title"><a class="u-url p-name" href="/([\w-]+)\.html"')


def build(output: Path, *extra: str) -> Path:
    result = run_pelican(CONTENT, output, *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("frontpage-site"))


def part(html: str, start: str, end: str) -> str:
    begin = html.index(start)
    return html[begin:html.index(end, begin)]


def sections(html: str) -> dict[str, list[str]]:
    """{section heading: [headline slugs]} of the front page's section blocks, in order."""
    found = {}
    for block in re.findall(r'<section class="front-section".*?</section>', html, re.S):
        [heading] = re.findall(r'class="section-title"><a href="[^"]+">(.*?)</a>', block)
        found[heading] = re.findall(r'<li><a href="/([\w-]+)\.html">', block)
    return found


def test_the_newest_featured_article_leads_and_the_first_page_fills_the_grid(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    assert CARD_LINK.findall(part(html, '<div class="front-lead">', '<div class="card-grid">')) == ["world-2"]
    assert CARD_LINK.findall(part(html, '<div class="card-grid">', "front-sections")) == PAGE_ONE


def test_each_section_block_holds_its_latest_headlines_not_shown_above(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    # Culture, and nothing else, is wholly above: no block. World: at most 4, the lead left out.
    assert sections(html) == {"Politics": ["politics-0"], "Science": ["science-0"],
                              "World": ["world-4", "world-3", "world-1", "world-0"]}
    assert '<a href="/category/world.html">World</a></h2>' in html
    assert ('<li><a href="/world-4.html">World 4</a> '
            '<time datetime="2025-07-04T08:30:00+00:00">4 July 2025, 08:30 UTC</time></li>') in html


def test_headings_are_in_order_under_one_h1(site):
    reader = read_page((site / "index.html").read_text(encoding="utf-8"))
    levels = [int(tag[1]) for tag, _ in reader.elements if re.fullmatch(r"h[1-6]", tag)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(later <= earlier + 1 for earlier, later in zip(levels, levels[1:], strict=False))


def test_drafts_hidden_and_future_articles_never_lead(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    for slug in ("draft", "hidden", "future"):
        assert f"/{slug}.html" not in html


def test_later_pages_are_a_plain_list(site):
    html = (site / "page" / "2" / "index.html").read_text(encoding="utf-8")
    assert "front-lead" not in html and "card-grid" not in html and "front-section" not in html
    assert CARD_LINK.findall(html) == ["world-4", "world-3", "world-2", "world-1", "politics-0",
                                       "science-0", "world-0", "world-oldest"]
    assert '<h1 class="page-title">Latest news</h1>' in html


def test_a_section_page_is_a_grid_of_cards_without_repeating_its_label(site):
    html = (site / "category" / "politics.html").read_text(encoding="utf-8")
    assert '<h1 class="page-title">Politics</h1>' in html and '<body class="wide">' in html
    grid = part(html, '<div class="card-grid">', "</main>")
    assert CARD_LINK.findall(grid) == ["politics-4", "politics-3", "politics-2", "politics-1", "politics-0"]
    assert 'class="kicker"' not in grid
    assert ('<p class="byline">By <a class="p-author h-card" href="/author/bob-stone.html">Bob Stone</a> · '
            '<time class="dt-published" datetime="2025-07-10T09:30:00+00:00">10 July 2025, 09:30 UTC</time>'
            ' · 1 min read</p>') in grid


def test_the_section_blocks_follow_the_setting(tmp_path):
    def front(name: str, limit: int) -> str:
        output = build(tmp_path / name, "-e", f"FRONTPAGE_SECTION_MAX={limit}")
        return (output / "index.html").read_text(encoding="utf-8")

    html = front("one", 1)
    assert sections(html) == {"Politics": ["politics-0"], "Science": ["science-0"], "World": ["world-4"]}
    html = front("none", 0)
    assert "front-section" not in html and CARD_LINK.findall(html)[0] == "world-2"
