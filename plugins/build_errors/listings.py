"""The files the site writes itself (its listings and their later pages), known before any is written.

`site_listings(generators)` yields one `Listing` per file: every page of the front page and the
other direct templates, of each tag, section and author listing, the period archives, the feeds
(an article that names its file with `Save_as:` silently replaces one: Pelican lets it), and what
a plugin's generator declares with a `listings()` method returning (save_as, what) pairs (the
Corrections page and its feed), the files a plugin writes itself and declares with
`declare_file` when it registers (sitemap.xml, robots.txt, the comments manifest: an article's
`Save_as:` silently replaced them), and every file under the theme's static folder (where the
theme's copy silently won over an article's page). Later pages are named with Pelican's own `Paginator`, as its
writer names them (PAGINATED_TEMPLATES, DEFAULT_PAGINATION, DEFAULT_ORPHANS, PAGINATION_PATTERNS),
so outputs.py can compare them with the articles' and pages' files before Pelican writes the
first one, and name the listing an article would take the place of.

A listing's `source` is the content file an editor changes to rename it (the first article, by
path, that puts itself in that tag, section or author), with the metadata `field` that does it;
None for the pages the settings alone make.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from pelican.generators import ArticlesGenerator
from pelican.paginator import Paginator


class Listing(NamedTuple):
    """A file the site writes: `save_as` (normalised), `what` it is, in words an editor reads."""

    save_as: str
    what: str
    source: object | None = None
    field: str | None = None


#: Files plugins write themselves (normalised save_as: what), from `declare_file`.
PLUGIN_FILES: dict[str, str] = {}


def declare_file(save_as: str, what: str) -> None:
    """A plugin writes `save_as` (relative to the output folder) itself: no content may take it."""
    PLUGIN_FILES[os.path.normpath(save_as)] = what


def theme_file(save_as: str, settings: dict) -> Listing | None:
    """The theme's static folder as a listing, when `save_as` is below it."""
    folder = os.path.normpath(settings.get("THEME_STATIC_DIR") or "theme")
    if os.path.normpath(save_as).startswith(folder + os.sep):
        return Listing(os.path.normpath(save_as), f"the theme's static files ({folder}/)")
    return None


def site_listings(generators: Iterable) -> Iterator[Listing]:
    for save_as, what in PLUGIN_FILES.items():
        yield Listing(save_as, what)
    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            yield from article_listings(generator)
        declared = getattr(generator, "listings", None)
        if callable(declared):
            for save_as, what in declared():
                if save_as:
                    yield Listing(os.path.normpath(save_as), what)


def article_listings(generator: ArticlesGenerator) -> Iterator[Listing]:
    """What Pelican's ArticlesGenerator.generate_pages writes besides the articles themselves."""
    settings = generator.settings
    for template in settings["DIRECT_TEMPLATES"]:
        save_as = settings.get(f"{template.upper()}_SAVE_AS", f"{template}.html")
        url = settings.get(f"{template.upper()}_URL", f"{template}.html")
        if save_as:
            what = "the front page" if template == "index" else f"the {template} page"
            yield from pages(save_as, url, generator.articles, template, settings, what)
    for granularity, periods in getattr(generator, "period_archives", {}).items():
        for period in periods:
            yield from pages(period["save_as"], period["url"], period["articles"],
                             "period_archives", settings, f"the {granularity} archive "
                             + "-".join(str(part) for part in period["period"]))
    for tag, articles in generator.tags.items():
        yield from pages(tag.save_as, tag.url, articles, "tag", settings,
                         f'the listing of tag "{tag}"', first_source(articles), "Tags")
    for category, articles in generator.categories:
        yield from pages(category.save_as, category.url, articles, "category", settings,
                         f'the listing of section "{category}"', first_source(articles), "Category")
    for author, articles in generator.authors:
        yield from pages(author.save_as, author.url, articles, "author", settings,
                         f'the listing of author "{author}"', first_source(articles), "Author")
    yield from feeds(generator)


def feeds(generator: ArticlesGenerator) -> Iterator[Listing]:
    """The feeds ArticlesGenerator.generate_feeds writes (each setting unset or empty: none)."""
    settings = generator.settings
    named = [(kind, "the site's feed", {}) for kind in ("FEED_ATOM", "FEED_RSS", "FEED_ALL_ATOM",
                                                        "FEED_ALL_RSS")]
    for prefix, terms, noun in (("CATEGORY", [c for c, _ in generator.categories], "section"),
                                ("AUTHOR", [a for a, _ in generator.authors], "author"),
                                ("TAG", list(generator.tags), "tag")):
        named += [(f"{prefix}_FEED_{kind}", f'the feed of {noun} "{term}"', {"slug": term.slug})
                  for kind in ("ATOM", "RSS") for term in terms]
    languages = {article.lang for article in [*generator.articles, *generator.translations]}
    named += [(f"TRANSLATION_FEED_{kind}", f'the feed of language "{lang}"', {"lang": lang})
              for kind in ("ATOM", "RSS") for lang in sorted(languages)]
    for setting, what, fields in named:
        if settings.get(setting):
            yield Listing(os.path.normpath(str(settings[setting]).format(**fields)), what)


def pages(save_as: str, url: str, articles, template: str, settings, what: str,
          source=None, field: str | None = None) -> Iterator[Listing]:
    """Each file of one listing: page 1 at `save_as`, later pages where PAGINATION_PATTERNS put
    them when `template` is paginated (Pelican's Writer.write_file decides the same way)."""
    if not save_as:
        return
    paginated = settings.get("PAGINATED_TEMPLATES") or {}
    if template not in paginated:
        yield Listing(os.path.normpath(save_as), what, source, field)
        return
    per_page = paginated[template] or settings.get("DEFAULT_PAGINATION")
    paginator = Paginator(save_as, url, list(articles), settings, per_page)
    for number in paginator.page_range:
        label = what if number == 1 else f"page {number} of {what}"
        yield Listing(os.path.normpath(paginator.page(number).save_as), label, source, field)


def first_source(articles) -> object | None:
    """The article, first by path, of a listing: the file an error about the listing points to."""
    return min(articles, key=lambda article: str(article.source_path), default=None)
