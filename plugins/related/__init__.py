"""Pelican plugin: reading time, "More in <section>" and related articles by shared tags.

`register()` hooks `article_generator_finalized`, once every article is read, and
* gives every article (drafts, hidden ones and translations too) `reading_time`: whole minutes
  at 230 words a minute, at least 1 (`reading_time.py`), from its HTML without citation markers,
  references section and markup;
* gives every article, draft and hidden article of the default language `related_reading`, a
  `RelatedReading` (`index.py`): `more`, up to RELATED_SECTION_MAX (default 4) latest other
  articles of its category, and `related`, up to RELATED_MAX (default 4) articles sharing the
  most tags with it (ties: newer first), excluding itself and those in `more`. Both lists
  hold `Link`s (url, title, datetime, date) and only published articles dated up to the build's
  time: never a draft, a hidden article or one scheduled for later.

The published articles are indexed once per build (`RelatedIndex`); tag overlap is counted with
bit masks (`ranking.py`). A setting that is not a whole number ≥ 0 is a `BuildError` naming
pelican.conf.py.
"""

from __future__ import annotations

from datetime import datetime, timezone
from itertools import chain

from pelican import signals

from plugins.build_errors import BuildError

from .index import Link, RelatedIndex, RelatedReading
from .reading_time import reading_time

__all__ = ["Link", "RelatedReading", "add_related_reading", "register"]

#: Settings (name → default): how many articles each list shows at most.
LIMITS = {"RELATED_SECTION_MAX": 4, "RELATED_MAX": 4}
SETTINGS_FILE = "pelican.conf.py"


def limit(settings: dict, name: str) -> int:
    """The setting `name` as a count of articles; a BuildError unless a whole number ≥ 0."""
    value = settings.get(name, LIMITS[name])
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BuildError(SETTINGS_FILE, None,
                         f"{name} must be a whole number of articles (0 hides the list), "
                         f"not {value!r}: for example {name} = {LIMITS[name]}")
    return value


def is_listed(article, now: datetime) -> bool:
    """Published and not dated after `now` (Pelican publishes future dates unless told not to)."""
    date = article.date
    return getattr(article, "status", "published") == "published" and \
        date <= (now if date.tzinfo else now.replace(tzinfo=None))


def add_related_reading(generator) -> None:
    """`article_generator_finalized` handler: set `reading_time` and `related_reading`."""
    section_max = limit(generator.settings, "RELATED_SECTION_MAX")
    related_max = limit(generator.settings, "RELATED_MAX")
    now = datetime.now(timezone.utc)
    index = RelatedIndex(article for article in generator.articles if is_listed(article, now))
    for article in chain(generator.articles, generator.drafts, generator.hidden_articles):
        article.related_reading = index.reading_for(article, section_max, related_max)
    for article in chain(generator.articles, generator.translations, generator.drafts,
                         generator.drafts_translations, generator.hidden_articles,
                         generator.hidden_translations):
        article.reading_time = reading_time(getattr(article, "_content", None) or "")


def register():
    signals.article_generator_finalized.connect(add_related_reading)
