"""Discovery (issue 15): sitemap.xml, a Google News sitemap, robots.txt, and feeds with absolute
URLs in every build.

`register()` hooks two signals:

- `get_writer`: Pelican writes with `feeds.AbsoluteFeedWriter`, so the feeds' links and ids are
  absolute even while the development build's pages are root-relative (SITEURL ""): they use
  FEED_DOMAIN, the `make serve` origin the Makefile passes as SITE_ORIGIN (pelican.conf.py).
- `all_generators_finalized`: once every article, page and section is known (and after Pelican
  emptied the output folder, when it does), writes into the output folder
  `sitemap.xml` (the front page, every article, page and section; lastmod = the article's last
  update, its `Modified:` or its date; a section's and the front page's = their newest article's),
  `news-sitemap.xml` (the articles published in the two days before the build,
  `sitemaps.NEWS_WINDOW`; "now" is DISCOVERY_NOW when set, an ISO 8601 string or datetime, for
  tests) and `robots.txt` naming both with absolute URLs. A preview build (PREVIEW) writes a
  robots.txt that forbids crawling, and no sitemap.

Without an absolute SITEURL or FEED_DOMAIN nothing is written, with a warning: a sitemap cannot
name the site's pages without it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from markupsafe import Markup
from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator

from comments_service.core.files import replace_file_if_changed
from plugins.build_errors.listings import declare_file

from .feeds import AbsoluteFeedWriter, absolute_base
from .sitemaps import Location, NewsItem, news_sitemap, robots, sitemap

log = logging.getLogger(__name__)

SITEMAP = "sitemap.xml"
NEWS_SITEMAP = "news-sitemap.xml"
ROBOTS = "robots.txt"


def build_now(settings) -> datetime:
    """The build's "now": DISCOVERY_NOW (tests) when set, else the clock; always with an offset
    (a naive value is in TIMEZONE)."""
    value = settings.get("DISCOVERY_NOW")
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value or datetime.now(timezone.utc)
    return aware(moment, settings)


def aware(moment: datetime, settings) -> datetime:
    """`moment` with an offset: a naive one is in TIMEZONE, as Pelican reads dates."""
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(settings.get("TIMEZONE") or "UTC"))


def last_update(entry, settings) -> datetime | None:
    """An entry's last change: plugins/corrections' `last_updated` (the latest of `Modified:` and
    the corrections), else `Modified:`, else its date; None for a page without a date."""
    moment = (getattr(entry, "last_updated", None) or getattr(entry, "modified", None)
              or getattr(entry, "date", None))
    return aware(moment, settings) if moment else None


def plain(html: str) -> str:
    """Titles and the site name are HTML in Pelican; sitemaps want their text."""
    return Markup(html).striptags()


def locations(base: str, articles, pages, categories, settings) -> list[Location]:
    """sitemap.xml's entries: the front page, articles (newest first), sections, pages."""
    dated = [(article, last_update(article, settings)) for article in articles]
    newest = max((moment for _, moment in dated), default=None)
    entries = [Location(f"{base}/", newest)]
    entries += [Location(f"{base}/{article.url}", moment) for article, moment in dated]
    for category, members in categories:
        moments = [last_update(article, settings) for article in members]
        entries.append(Location(f"{base}/{category.url}", max(moments, default=None)))
    entries += [Location(f"{base}/{page.url}", last_update(page, settings)) for page in pages]
    return entries


def news_items(base: str, articles, settings) -> list[NewsItem]:
    language = settings.get("DEFAULT_LANG") or "en"
    return [NewsItem(f"{base}/{article.url}", aware(article.date, settings), plain(article.title),
                     getattr(article, "lang", None) or language) for article in articles]


def write_discovery_files(generators) -> None:
    """`all_generators_finalized` handler: sitemap.xml, news-sitemap.xml and robots.txt."""
    articles_generator = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles_generator is None:
        return
    pages_generator = next((g for g in generators if isinstance(g, PagesGenerator)), None)
    settings = articles_generator.settings
    output = Path(articles_generator.output_path)
    base = absolute_base(settings)
    if base is None:
        log.warning("discovery: no sitemap.xml or robots.txt: neither SITEURL nor FEED_DOMAIN "
                    "is an absolute URL (pelican.conf.py sets FEED_DOMAIN from SITE_ORIGIN)")
        return
    output.mkdir(parents=True, exist_ok=True)
    if settings.get("PREVIEW"):
        replace_file_if_changed(output / ROBOTS, robots([], crawl=False))
        return
    articles = articles_generator.articles
    pages = pages_generator.pages if pages_generator else []
    replace_file_if_changed(output / SITEMAP, sitemap(locations(base, articles, pages,
                                                                articles_generator.categories, settings)))
    replace_file_if_changed(output / NEWS_SITEMAP, news_sitemap(news_items(base, articles, settings),
                                                                build_now(settings),
                                                                plain(settings["SITENAME"])))
    replace_file_if_changed(output / ROBOTS, robots([f"{base}/{SITEMAP}", f"{base}/{NEWS_SITEMAP}"]))


def feed_writer(pelican):
    return AbsoluteFeedWriter


def register():
    declare_file(SITEMAP, "the sitemap")
    declare_file(NEWS_SITEMAP, "the news sitemap")
    declare_file(ROBOTS, "robots.txt")
    signals.get_writer.connect(feed_writer)
    signals.all_generators_finalized.connect(write_discovery_files)
