"""plugins/discovery/feeds.py: the writer of feeds, on its own (the builds: test_site.py)."""

import time
from datetime import datetime, timezone
from types import SimpleNamespace

from pelican.settings import DEFAULT_CONFIG

from plugins.discovery.feeds import EPOCH, AbsoluteFeedWriter

NEWEST = datetime(2025, 7, 19, 8, tzinfo=timezone.utc)


def write_empty_feed(tmp_path, feed_type, articles) -> bytes:
    settings = {**DEFAULT_CONFIG, "FEED_DOMAIN": "https://news.example.org"}
    context = {**settings, "SITENAME": "Newsroom", "SITEURL": "", "articles": articles}
    name = f"corrections.{feed_type}.xml"
    AbsoluteFeedWriter(str(tmp_path), settings).write_feed([], context, name, feed_type=feed_type)
    return (tmp_path / name).read_bytes()


def test_an_empty_feed_is_dated_by_the_site_so_a_rebuild_writes_the_same_bytes(tmp_path):
    articles = [SimpleNamespace(date=NEWEST.replace(day=18)), SimpleNamespace(date=NEWEST)]
    for feed_type in ("atom", "rss"):
        first = write_empty_feed(tmp_path, feed_type, articles)
        time.sleep(1.1)  # feedgenerator's default, the clock, would differ by now (RSS: seconds)
        assert write_empty_feed(tmp_path, feed_type, articles) == first
    assert b"<updated>2025-07-19T08:00:00+00:00</updated>" in write_empty_feed(tmp_path, "atom", articles)


def test_an_empty_feed_of_a_site_without_articles_is_dated_at_the_epoch(tmp_path):
    assert f"<updated>{EPOCH.isoformat()}</updated>".encode() in write_empty_feed(tmp_path, "atom", [])
