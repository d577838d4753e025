"""RelatedIndex on stand-in articles: order, limits, exclusions and ties."""

from datetime import datetime, timezone
from types import SimpleNamespace

from plugins.related.index import RelatedIndex


def article(slug, day, category="World", tags=(), hour=8):
    date = datetime(2025, 7, day, hour, tzinfo=timezone.utc)
    return SimpleNamespace(slug=slug, title=slug.title(), url=f"{slug}.html", date=date,
                           locale_date=f"{day} July 2025", category=category, tags=list(tags))


def slugs(links):
    return [link.url.removesuffix(".html") for link in links]


def test_more_in_is_the_latest_others_of_the_section_up_to_its_limit():
    articles = [article(f"w{day}", day) for day in range(1, 7)] + [article("p1", 9, "Politics")]
    index = RelatedIndex(articles)
    assert slugs(index.reading_for(articles[0], 4, 4).more) == ["w6", "w5", "w4", "w3"]
    assert slugs(index.reading_for(articles[5], 2, 4).more) == ["w5", "w4"]
    assert index.reading_for(articles[5], 0, 4).more == ()
    assert index.reading_for(articles[6], 4, 4).more == ()


def test_related_skips_the_article_and_its_more_in_list_and_honours_the_limit():
    a = article("a", 1, tags=["ports", "storms"])
    b = article("b", 5, tags=["ports", "storms"])
    c = article("c", 4, "Politics", tags=["ports", "storms"])
    d = article("d", 3, "Politics", tags=["storms"])
    e = article("e", 2, "Politics", tags=["ports"])
    index = RelatedIndex([a, b, c, d, e])
    reading = index.reading_for(a, 1, 4)
    assert slugs(reading.more) == ["b"]
    assert slugs(reading.related) == ["c", "d", "e"]
    assert slugs(index.reading_for(a, 1, 2).related) == ["c", "d"]
    assert slugs(index.reading_for(a, 0, 4).related) == ["b", "c", "d", "e"]


def test_same_date_and_time_is_ordered_by_slug_whatever_the_input_order():
    x = article("x", 2, tags=["t"])
    y = article("y", 2, tags=["t"])
    z = article("z", 1, tags=["t"])
    for order in ([x, y, z], [z, y, x]):
        index = RelatedIndex(order)
        assert slugs(index.reading_for(z, 4, 4).more) == ["x", "y"]
        assert slugs(index.reading_for(z, 0, 4).related) == ["x", "y"]


def test_an_article_outside_the_index_gets_lists_of_indexed_ones_only():
    listed = article("listed", 1, tags=["t"])
    draft = article("draft", 9, tags=["t", "draft-only"])
    index = RelatedIndex([listed])
    assert slugs(index.reading_for(draft, 4, 4).more) == ["listed"]
    assert slugs(index.reading_for(draft, 0, 4).related) == ["listed"]
    assert slugs(index.reading_for(listed, 4, 4).more) == []


def test_a_tag_written_twice_counts_once():
    a = article("a", 1, tags=["t", "t"])
    one = article("one", 2, "Politics", tags=["t", "t"])
    two = article("two", 3, "Politics", tags=["t", "u"])
    index = RelatedIndex([a, one, two])
    assert slugs(index.reading_for(a, 0, 4).related) == ["two", "one"]


def test_links_carry_url_title_and_dates():
    a, b = article("a", 1), article("b", 2)
    link, = RelatedIndex([a, b]).reading_for(b, 4, 4).more
    assert (link.url, link.title, link.datetime, link.date) == \
        ("a.html", "A", "2025-07-01T08:00:00+00:00", "1 July 2025")
