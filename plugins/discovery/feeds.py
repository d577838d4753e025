"""Feeds with absolute URLs while the pages keep root-relative ones.

Pelican's writer takes an entry's link, its id and the base of the links in its content from
SITEURL. The development build keeps SITEURL empty (root-relative pages that work on any origin),
which would give Atom entries relative links and ids; Atom needs them absolute. This writer
lends the feeds the site's absolute base (`absolute_base`: SITEURL when absolute, else
FEED_DOMAIN, the `make serve` origin) and leaves every other file to the writer it extends.

A feed with no entries (the Corrections feed of a site with none yet) says it was updated at the
site's newest article's date, not at the moment of the build (feedgenerator's default): its bytes
then change only when the site does, so a rebuild leaves it and its .gz/.br copies unwritten.
"""

from __future__ import annotations

from datetime import datetime, timezone

from plugins.memo.writer import UnchangedFilesWriter

#: `updated` of an empty feed on a site without articles.
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def is_absolute(url: str | None) -> bool:
    return bool(url) and url.lower().startswith(("http://", "https://"))


def absolute_base(settings) -> str | None:
    """The site's absolute URL without a trailing slash: SITEURL when it is absolute, else
    FEED_DOMAIN when that is; None when neither is (no feed, sitemap or robots.txt can name
    the site then)."""
    for name in ("SITEURL", "FEED_DOMAIN"):
        value = settings.get(name) or ""
        if is_absolute(value):
            return value.rstrip("/")
    return None


class AbsoluteFeedWriter(UnchangedFilesWriter):
    """Pelican's writer, writing only files whose bytes change (plugins/memo/writer.py: Pelican
    takes one writer class); feeds get `absolute_base` as SITEURL when the build's is not absolute."""

    def write_feed(self, elements, context, *args, **kwargs):
        base = absolute_base(context) or absolute_base(self.settings)
        if base and not is_absolute(context.get("SITEURL")):
            context = {**context, "SITEURL": base}
        return super().write_feed(elements, context, *args, **kwargs)

    def _create_new_feed(self, feed_type, feed_title, context):
        feed = super()._create_new_feed(feed_type, feed_title, context)
        latest = feed.latest_post_date
        quiet = site_updated(context.get("articles") or ())
        feed.latest_post_date = lambda: latest() if feed.items else quiet
        return feed


def site_updated(articles) -> datetime:
    """The newest date among `articles` (Pelican's, with their offsets), EPOCH without any."""
    return max((article.date for article in articles if getattr(article, "date", None)), default=EPOCH)
