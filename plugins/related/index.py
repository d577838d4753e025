"""The site's published articles indexed once by section and by tag; each article's lists from it."""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from .ranking import mask_of, ranked_by_shared_tags


@dataclass(frozen=True, slots=True)
class Link:
    """What a list shows of an article, computed once per build (Pelican recomputes `url` on
    every access, and each article appears in many lists)."""
    url: str
    title: str  # HTML, as Pelican's titles are
    datetime: str  # ISO 8601, for <time datetime>
    date: str  # the article's date as the site prints it


@dataclass(frozen=True, slots=True)
class RelatedReading:
    """An article's related reading: `more` are the latest other articles of its `section`
    (category), `related` those sharing the most tags with it, not already in `more`."""
    section: Any  # Pelican's Category, printed in "More in <section>"
    more: tuple[Link, ...]
    related: tuple[Link, ...]


def link_of(article) -> Link:
    return Link(url=article.url, title=article.title, datetime=article.date.isoformat(),
                date=article.locale_date)


def distinct_tags(article) -> list:
    """The article's tags, each once (Tag objects compare by slug), in the order written."""
    return list(dict.fromkeys(getattr(article, "tags", None) or ()))


class RelatedIndex:
    """`articles` (the ones a list may show) newest first, same date and time by slug; their
    ranks by section and their tag masks (see `ranking`)."""

    def __init__(self, articles):
        ordered = sorted(sorted(articles, key=attrgetter("slug")), key=attrgetter("date"), reverse=True)
        self._rank = {id(article): rank for rank, article in enumerate(ordered)}
        self._links = [link_of(article) for article in ordered]
        self._everyone = (1 << len(ordered)) - 1
        self._sections: dict[Any, list[int]] = {}
        tag_ranks: dict[Any, list[int]] = {}
        for rank, article in enumerate(ordered):
            section = getattr(article, "category", None)
            if section is not None:
                self._sections.setdefault(section, []).append(rank)
            for tag in distinct_tags(article):
                tag_ranks.setdefault(tag, []).append(rank)
        self._tags = {tag: mask_of(ranks) for tag, ranks in tag_ranks.items()}

    def reading_for(self, article, section_max: int, related_max: int) -> RelatedReading:
        """`article`'s lists; it need not be one of the indexed articles (a draft, a hidden one)."""
        own = self._rank.get(id(article))
        section = getattr(article, "category", None)
        more: list[int] = []
        if section_max > 0:
            for rank in self._sections.get(section, ()):
                if rank != own:
                    more.append(rank)
                    if len(more) == section_max:
                        break
        taken = mask_of(more if own is None else [own, *more])
        masks = [self._tags[tag] for tag in distinct_tags(article) if tag in self._tags]
        related = ranked_by_shared_tags(masks, self._everyone & ~taken, related_max)
        return RelatedReading(section=section, more=tuple(self._links[rank] for rank in more),
                              related=tuple(self._links[rank] for rank in related))
