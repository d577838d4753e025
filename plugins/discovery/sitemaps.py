"""The discovery files as text: sitemap.xml, the Google News sitemap and robots.txt.

Pure functions of plain values (no Pelican objects), so they are tested on their own; the
plugin (`__init__.py`) gathers the values from the build.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
#: A news sitemap lists the articles published in the last two days (Google News' rule), at most
#: 1000 of them.
NEWS_WINDOW = timedelta(days=2)
NEWS_MAX = 1000


class Location(NamedTuple):
    """One URL of sitemap.xml; `lastmod` None when the page has no date (a static page)."""

    url: str
    lastmod: datetime | None


class NewsItem(NamedTuple):
    """One article of the news sitemap."""

    url: str
    published: datetime
    title: str
    language: str


#: Characters XML 1.0 does not allow (control characters but tab and newlines, lone surrogates,
#: U+FFFE/U+FFFF): ElementTree would write them and make the whole sitemap unreadable.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML cannot carry."""
    return NOT_XML.sub("", text)


def w3c(moment: datetime) -> str:
    """A W3C datetime, as sitemaps want it (seconds, with the offset)."""
    return moment.isoformat(timespec="seconds")


def as_xml(root: etree.Element) -> str:
    etree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="unicode") + "\n"


def sitemap(locations: Iterable[Location]) -> str:
    """sitemap.xml: every location once, in the order given (a repeated URL keeps its first)."""
    root = etree.Element("urlset", xmlns=SITEMAP_NS)
    seen = set()
    for location in locations:
        if location.url in seen:
            continue
        seen.add(location.url)
        url = etree.SubElement(root, "url")
        etree.SubElement(url, "loc").text = xml_text(location.url)
        if location.lastmod is not None:
            etree.SubElement(url, "lastmod").text = w3c(location.lastmod)
    return as_xml(root)


def recent(items: Iterable[NewsItem], now: datetime) -> list[NewsItem]:
    """The items published within NEWS_WINDOW before `now` (none from the future), newest first,
    at most NEWS_MAX."""
    fresh = [item for item in items if now - NEWS_WINDOW <= item.published <= now]
    return sorted(fresh, key=lambda item: item.published, reverse=True)[:NEWS_MAX]


def news_sitemap(items: Iterable[NewsItem], now: datetime, publication: str) -> str:
    """The Google News sitemap of the articles `recent` keeps; a valid, empty urlset when none."""
    root = etree.Element("urlset", {"xmlns": SITEMAP_NS, "xmlns:news": NEWS_NS})
    for item in recent(items, now):
        url = etree.SubElement(root, "url")
        etree.SubElement(url, "loc").text = xml_text(item.url)
        news = etree.SubElement(url, "news:news")
        source = etree.SubElement(news, "news:publication")
        etree.SubElement(source, "news:name").text = xml_text(publication)
        etree.SubElement(source, "news:language").text = item.language
        etree.SubElement(news, "news:publication_date").text = w3c(item.published)
        etree.SubElement(news, "news:title").text = xml_text(item.title)
    return as_xml(root)


def robots(sitemap_urls: Iterable[str], crawl: bool = True) -> str:
    """robots.txt: everything may be crawled (or, `crawl` False, as for a preview, nothing), and
    where the sitemaps are."""
    lines = ["User-agent: *", "Disallow:" if crawl else "Disallow: /", ""]
    lines += [f"Sitemap: {url}" for url in sitemap_urls]
    return "\n".join(lines).rstrip("\n") + "\n"
