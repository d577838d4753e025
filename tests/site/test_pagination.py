"""Paginated listings live at addresses no slug can take (page 2 of tag "t1" is not tag "t12").

Pelican's default PAGINATION_PATTERNS put page N of `tag/t1.html` at `tag/t12.html`, so a site with
tags "t1" (more than a page of articles) and "t12" did not build at all ("Failed to write Tag page
for "t1"."); the same for categories, authors and the front page against an article whose slug is
`index2`. Each test follows the links a reader follows: rel="next" from page 1, rel="prev" back,
and the canonical URL of the page reached, which must be the address linked to, and what
sitemap.xml names.
"""

import xml.etree.ElementTree as etree
from pathlib import Path

import pytest

from comments_service.devserver import DirectoryIndex
from plugins.references.tests.html_text import read_page
from tests.conftest import ROOT
from tests.site.conftest import run_pelican

PER_PAGE = 10  # pelican.conf.py's DEFAULT_PAGINATION
SITEURL = "https://news.example.org"  # publish.conf.py's default
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def story(number: int) -> str:
    """One of PER_PAGE + 1 stories sharing a tag, a section and an author: two pages of each."""
    return (f"Title: Story {number}\nDate: 2025-03-{number:02d} 08:00\nCategory: World\n"
            f"Tags: t1\nAuthor: Ann\n\nBody of story {number}.\n")


SITE = {
    **{f"story-{number}.md": story(number) for number in range(1, PER_PAGE + 2)},
    # Whose first pages are where the defaults put page 2 of the listings above.
    "other.md": "Title: Other\nDate: 2025-03-20 08:00\nCategory: World2\nTags: t12\nAuthor: Ann2\n\n"
                "Body.\n",
    "index2.md": "Title: Index two\nSlug: index2\nDate: 2025-03-21 08:00\nCategory: Local\n"
                 "Author: Bob\n\nBody.\n",
}
#: (page 1 of a listing, the page the defaults put its page 2 over, what that page shows).
LISTINGS = [
    ("tag/t1.html", "tag/t12.html", "Other"),
    ("category/world.html", "category/world2.html", "Other"),
    ("author/ann.html", "author/ann2.html", "Other"),
    ("index.html", "index2.html", "Index two"),
]


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pagination-content")
    for name, text in SITE.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def built(content: Path, output: Path, settings: Path) -> Path:
    result = run_pelican(content, output, settings=settings)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="module")
def dev_site(content, tmp_path_factory) -> Path:
    return built(content, tmp_path_factory.mktemp("pagination-dev"), ROOT / "pelican.conf.py")


@pytest.fixture(scope="module")
def published_site(content, tmp_path_factory) -> Path:
    return built(content, tmp_path_factory.mktemp("pagination-publish"), ROOT / "publish.conf.py")


def page(site: Path, path: str):
    return read_page((site / path).read_text(encoding="utf-8"))


def links(reader, tag: str, rel: str) -> list[str]:
    return [attrs["href"] for name, attrs in reader.elements if name == tag and attrs.get("rel") == rel]


def canonical(reader) -> str:
    [href] = links(reader, "link", "canonical")
    return href


def file_of(href: str, base: str = "") -> str:
    """The output file a server answers `href` (below `base`) with: a folder is its index.html."""
    assert href.startswith(base + "/"), href
    path = href[len(base) + 1:]
    return path + "index.html" if path.endswith("/") or not path else path


HEADLINES = {"Other", "Index two", *(f"Story {number}" for number in range(1, PER_PAGE + 2))}


def titles(reader) -> list[str]:
    """The headlines a page shows as lines of their own (a list page's cards)."""
    return [line for line in reader.lines() if line in HEADLINES]


@pytest.mark.parametrize(("first", "shadowed", "shown"), LISTINGS)
def test_page_two_has_its_own_address_linked_both_ways(dev_site, first, shadowed, shown):
    first_page = page(dev_site, first)
    [following] = links(first_page, "a", "next")
    second = file_of(following)
    assert second != shadowed
    second_page = page(dev_site, second)
    assert canonical(second_page) == following
    assert links(second_page, "a", "prev") == [canonical(first_page)]
    assert not links(second_page, "a", "next")
    assert "Story 1" in titles(second_page), "the oldest story is on the last page"
    assert shown in page(dev_site, shadowed).lines(), f"{shadowed} is still {shown}'s"


def test_a_listing_named_like_a_page_two_keeps_its_own_articles(dev_site):
    t12 = page(dev_site, "tag/t12.html")
    assert titles(t12) == ["Other"]
    assert not links(t12, "a", "next")
    assert canonical(t12) == "/tag/t12.html"
    assert canonical(page(dev_site, "index2.html")) == "/index2.html"


def test_published_pages_link_absolute_addresses_that_exist(published_site):
    for first, _, _ in LISTINGS:
        [following] = links(page(published_site, first), "a", "next")
        second = page(published_site, file_of(following, SITEURL))
        assert canonical(second) == following
        assert links(second, "a", "prev") == [canonical(page(published_site, first))]


def test_sitemap_names_each_listing_by_its_canonical_address(published_site):
    root = etree.parse(published_site / "sitemap.xml").getroot()
    locations = [loc.text for loc in root.iter(f"{SITEMAP_NS}loc")]
    assert f"{SITEURL}/category/world.html" in locations
    for location in locations:
        assert canonical(page(published_site, file_of(location, SITEURL))) == location


def test_make_serve_answers_a_later_page_with_its_index_html(dev_site):
    [following] = links(page(dev_site, "tag/t1.html"), "a", "next")
    served = DirectoryIndex(lambda environ, start_response: environ["PATH_INFO"], dev_site)
    assert served({"PATH_INFO": following}, None) == "/" + file_of(following)
