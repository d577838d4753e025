"""`front.py` on stand-in articles: the lead (featured, else newest), the section blocks."""

from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from plugins.frontpage.front import Section, featured_value, front_page


def story(slug: str, day: int, category: str = "World", featured=False):
    return SimpleNamespace(slug=slug, date=datetime(2025, 7, day, 8, tzinfo=timezone.utc),
                           category=category, featured=featured)


def site(*articles):
    """(articles newest first, as the index lists them; categories by name, as Pelican's)."""
    ordered = sorted(articles, key=lambda article: article.date, reverse=True)
    names = sorted({article.category for article in ordered})
    return ordered, [(name, [a for a in ordered if a.category == name]) for name in names]


def slugs(section: Section) -> tuple[str, list[str]]:
    return section.category, [article.slug for article in section.articles]


@pytest.mark.parametrize(("written", "meant"), [
    ("true", True), ("True", True), (" YES ", True), ("false", False), ("No", False), (True, True),
    (False, False), ("maybe", None), ("", None), ("1", None), ("true\x00", None), (["true"], None),
    ("\ud800", None), ("t" * 10_000, None),
])
def test_featured_values(written, meant):
    assert featured_value(written) is meant


def test_the_newest_featured_article_leads_even_when_older_ones_are_newer():
    articles, categories = site(story("a", 1, featured=True), story("b", 2, featured=True),
                                story("c", 3), story("d", 4))
    assert front_page(articles, categories, 10, 4).lead.slug == "b"


def test_without_a_featured_article_the_newest_leads():
    articles, categories = site(story("a", 1), story("c", 3), story("b", 2))
    assert front_page(articles, categories, 10, 4).lead.slug == "c"


def test_an_empty_site_has_no_lead_and_no_sections():
    assert front_page([], [], 10, 4) == front_page([], [], None, 4)
    assert front_page([], [], 10, 4).lead is None and front_page([], [], 10, 4).sections == ()


def test_sections_leave_out_what_the_top_shows_and_keep_their_latest():
    articles, categories = site(
        story("w1", 1, featured=True), story("w2", 2), story("w3", 3), story("w4", 4),
        story("p1", 5, "Politics"), story("p2", 6, "Politics"), story("s1", 7, "Science"),
        story("w5", 8), story("w6", 9))
    front = front_page(articles, categories, 3, 2)
    assert front.lead.slug == "w1"
    # Top: the lead w1 and the first page w6, w5, s1. Science is all shown: no block.
    assert [slugs(section) for section in front.sections] == [("Politics", ["p2", "p1"]),
                                                               ("World", ["w4", "w3"])]


def test_no_sections_when_capped_at_zero_or_when_everything_fits_on_one_page():
    articles, categories = site(story("a", 1), story("b", 2, "Politics"))
    assert front_page(articles, categories, 10, 0).sections == ()
    assert front_page(articles, categories, None, 4).sections == ()
    assert [slugs(s) for s in front_page(articles, categories, 1, 4).sections] == [("World", ["a"])]
