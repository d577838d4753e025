"""plugins/discovery's text builders on their own: sitemap.xml, the news sitemap, robots.txt."""

import xml.etree.ElementTree as etree
from datetime import datetime, timedelta, timezone

from plugins.discovery.sitemaps import (
    NEWS_MAX,
    NEWS_NS,
    SITEMAP_NS,
    Location,
    NewsItem,
    news_sitemap,
    recent,
    robots,
    sitemap,
)

SM = f"{{{SITEMAP_NS}}}"
NEWS = f"{{{NEWS_NS}}}"
NOW = datetime(2025, 7, 20, 12, 0, tzinfo=timezone.utc)


def item(hours_ago: float, title: str = "T", url: str | None = None) -> NewsItem:
    url = url or f"https://x.example/{hours_ago}.html"
    return NewsItem(url, NOW - timedelta(hours=hours_ago), title, "en")


def test_sitemap_lists_each_url_once_with_its_lastmod():
    text = sitemap([Location("https://x.example/", NOW), Location("https://x.example/a.html", None),
                    Location("https://x.example/", NOW - timedelta(days=1))])
    root = etree.fromstring(text.encode())
    assert root.tag == f"{SM}urlset"
    assert [(url.findtext(f"{SM}loc"), url.findtext(f"{SM}lastmod")) for url in root] == [
        ("https://x.example/", "2025-07-20T12:00:00+00:00"), ("https://x.example/a.html", None)]
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')


def test_news_keeps_the_last_two_days_newest_first_and_nothing_from_the_future():
    items = [item(47.9, url="https://x.example/old-edge.html"), item(48.1), item(1), item(-1), item(0)]
    assert [i.url for i in recent(items, NOW)] == [
        "https://x.example/0.html", "https://x.example/1.html", "https://x.example/old-edge.html"]


def test_news_is_capped_at_the_google_limit():
    assert len(recent([item(n / 100) for n in range(NEWS_MAX + 5)], NOW)) == NEWS_MAX


def test_news_sitemap_follows_the_google_news_schema_and_escapes_text():
    hostile = 'A & B <script>alert("x")</script>'
    root = etree.fromstring(news_sitemap([item(2, hostile)], NOW, "News & Co").encode())
    [url] = root.findall(f"{SM}url")
    assert url.findtext(f"{SM}loc") == "https://x.example/2.html"
    news = url.find(f"{NEWS}news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "News & Co"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert news.findtext(f"{NEWS}publication_date") == "2025-07-20T10:00:00+00:00"
    assert news.findtext(f"{NEWS}title") == hostile


def test_an_empty_news_sitemap_is_still_a_valid_urlset():
    root = etree.fromstring(news_sitemap([item(100)], NOW, "N").encode())
    assert root.tag == f"{SM}urlset" and len(root) == 0


def test_robots_names_the_sitemaps_or_forbids_everything():
    assert robots(["https://x.example/sitemap.xml", "https://x.example/news-sitemap.xml"]) == (
        "User-agent: *\nDisallow:\n\nSitemap: https://x.example/sitemap.xml\n"
        "Sitemap: https://x.example/news-sitemap.xml\n")
    assert robots([], crawl=False) == "User-agent: *\nDisallow: /\n"


def test_characters_xml_cannot_carry_are_dropped_not_written():
    title = "Vote\x00 count\x0b \ud800tallied\ufffe \U0001f5f3 é"
    text = news_sitemap([item(1, title)], NOW, "News\x07room")
    root = etree.fromstring(text.encode("utf-8", "surrogatepass"))
    assert root.findtext(f"{SM}url/{NEWS}news/{NEWS}title") == "Vote count tallied \U0001f5f3 é"
    assert root.findtext(f"{SM}url/{NEWS}news/{NEWS}publication/{NEWS}name") == "Newsroom"
