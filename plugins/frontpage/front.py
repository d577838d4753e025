"""The front page's hierarchy, computed once per build: the lead story and a block per section.

`front_page(articles, shown, section_max)` takes the published articles in the order the index
lists them (Pelican's ARTICLE_ORDER_BY, newest first by default) and returns a `FrontPage`:
`lead`, the newest article marked `Featured: true`, else the newest article; `sections`, one
`Section` per category (in the order given, Pelican's: by name) holding up to `section_max` of
its latest articles that the top of the page does not already show (`shown`: the lead and the
first page of the index). A category left with nothing to show has no block.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

#: What an editor may write after `Featured:` (any case), and what it means.
FEATURED_VALUES = {"true": True, "yes": True, "false": False, "no": False}


@dataclass(frozen=True, slots=True)
class Section:
    """A section block: its category (Pelican's Category: name, url) and latest headlines."""

    category: Any
    articles: tuple


@dataclass(frozen=True, slots=True)
class FrontPage:
    """What theme/templates/index.html shows on page 1 above the plain list's pagination."""

    lead: Any  # an article, or None when the site has none
    sections: tuple[Section, ...]


def featured_value(value: object) -> bool | None:
    """`Featured:` as a bool: True for true/yes, False for false/no (any case, spaces around
    ignored, and a value Pelican already made a bool); None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return FEATURED_VALUES.get(value.strip().lower())
    return None


def newest(articles: Iterable) -> Any:
    """The article with the latest date (the first of equals, in the order given), or None."""
    best = None
    for article in articles:
        if best is None or article.date > best.date:
            best = article
    return best


def front_page(articles: Sequence, categories: Iterable[tuple[Any, Sequence]], shown_count: int | None,
               section_max: int) -> FrontPage:
    """The front page of `articles` (the index's order). `categories` are (category, its articles
    in the index's order) pairs; `shown_count` is how many articles the index's first page holds
    (None: all of them); `section_max` caps each section's headlines."""
    lead = newest(article for article in articles if getattr(article, "featured", False) is True)
    if lead is None:
        lead = newest(articles)
    shown = {id(article) for article in (articles if shown_count is None else articles[:shown_count])}
    if lead is not None:
        shown.add(id(lead))
    sections = []
    if section_max > 0:
        for category, listed in categories:
            latest = []
            for article in listed:
                if id(article) not in shown:
                    latest.append(article)
                    if len(latest) == section_max:
                        break
            if latest:
                sections.append(Section(category=category, articles=tuple(latest)))
    return FrontPage(lead=lead, sections=tuple(sections))
