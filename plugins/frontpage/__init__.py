"""Pelican plugin: the front page's hierarchy (lead story, section blocks) and card timestamps.

`register()` hooks `article_generator_finalized`, once every article is read and before any page
is written, and, once per build:
* checks `Featured:` on every article (drafts, hidden ones and translations too): true/yes or
  false/no, any case; anything else is a `BuildError` naming `content/x.md:LINE`. Each article's
  `featured` becomes a bool (False without the field);
* gives every published article `locale_date_time`, its date and time as the site prints them
  ("19 July 2025, 08:00 UTC", the corrections plugin's `local_text`), for the cards of list pages;
* puts `front_page` in the templates' context: a `FrontPage` (front.py) with `lead`, the newest
  published article marked featured, else the newest, and `sections`, per category the latest
  FRONTPAGE_SECTION_MAX (default 4) articles not already at the top of the front page (the lead
  and the index's first page).
theme/templates/index.html shows it on page 1 of the index; without this plugin the index is a
plain list. A FRONTPAGE_SECTION_MAX that is not a whole number ≥ 0 is a `BuildError` naming
pelican.conf.py.
"""

from __future__ import annotations

from itertools import chain

from pelican import signals

from plugins.build_errors import BuildError, metadata_line
from plugins.corrections.entries import local_text

from .front import FrontPage, Section, featured_value, front_page

__all__ = ["FrontPage", "Section", "prepare_front_page", "register"]

SETTINGS_FILE = "pelican.conf.py"
SECTION_MAX = "FRONTPAGE_SECTION_MAX"
SECTION_MAX_DEFAULT = 4
#: How much of a wrong value a message quotes (the rest is the editor's own file).
QUOTED = 40


def section_max(settings: dict) -> int:
    value = settings.get(SECTION_MAX, SECTION_MAX_DEFAULT)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BuildError(SETTINGS_FILE, None,
                         f"{SECTION_MAX} must be a whole number of headlines (0 hides the section "
                         f"blocks), not {value!r}: for example {SECTION_MAX} = {SECTION_MAX_DEFAULT}")
    return value


def index_page_size(settings: dict) -> int | None:
    """How many articles page 1 of the index holds, as Pelican's writer decides (None: all)."""
    paginated = settings.get("PAGINATED_TEMPLATES") or {}
    if "index" not in paginated:
        return None
    return paginated["index"] or settings.get("DEFAULT_PAGINATION") or None


def check_featured(article) -> None:
    """Make `article.featured` a bool, or raise a BuildError at its `Featured:` line."""
    raw = article.metadata.get("featured") if hasattr(article, "metadata") else None
    if raw is None:
        article.featured = False
        return
    value = featured_value(raw)
    if value is None:
        shown = str(raw)
        shown = shown if len(shown) <= QUOTED else shown[:QUOTED] + "…"
        path = article.source_path
        raise BuildError(path, metadata_line(path, "Featured"),
                         f"Featured must be true or false, not {shown!r}: write `Featured: true` to "
                         f"make this article the front page's lead story, or leave the field out")
    article.featured = value


def prepare_front_page(generator) -> None:
    """`article_generator_finalized` handler: see the module docstring."""
    limit = section_max(generator.settings)
    for article in chain(generator.articles, generator.translations, generator.drafts,
                         generator.drafts_translations, generator.hidden_articles,
                         generator.hidden_translations):
        check_featured(article)
    for article in generator.articles:
        article.locale_date_time = local_text(article.date)
    generator.context["front_page"] = front_page(
        generator.articles, generator.categories, index_page_size(generator.settings), limit)


def register():
    signals.article_generator_finalized.connect(prepare_front_page)
