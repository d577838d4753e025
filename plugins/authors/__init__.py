"""Pelican plugin: author files (bio, photo, links, role) behind every byline and author page.

`register()` hooks `article_generator_finalized`, once per build, which
* reads every file under content/AUTHOR_FILES_PATH (default "authors") that a Pelican reader
  handles, with that reader (`profiles.read_profile`; problems are `BuildError`s with file:line,
  as is a second file for an author another file already describes);
* keeps each author of an article once (by slug: "Jane Doe, jane doe" is one person, one page)
  and raises a `BuildError` at `Authors:` for a name without letters or digits (no page address)
  or with an invisible control character (as for an author file's name, role and bio);
* gives every `Author` of every article (published, hidden, draft and their translations) the
  attribute `profile`: the matching `AuthorProfile`, or None. A file matches an author whose
  slug (Pelican's, with the site's slug settings) is the slug of the file's `Name:` or the file
  name without extension. Cost: one pass over the author files, one over the articles' authors;
* adds each photo to the files Pelican copies to output/ (`context["static_links"]`).

The site's settings must keep the author files out of the articles and pages (pelican.conf.py
puts AUTHOR_FILES_PATH in ARTICLE_EXCLUDES and PAGE_EXCLUDES).
"""

from __future__ import annotations

import os
from itertools import chain
from pathlib import Path

from pelican import signals
from pelican.urlwrappers import Author

from plugins.build_errors import CONTROL, CONTROL_MESSAGE, BuildError, display_path, metadata_line

from .profiles import AuthorProfile, Link, Photo, file_slug, plain, read_profile

__all__ = ["AuthorProfile", "Link", "Photo", "attach_profiles", "read_profiles", "register"]

DEFAULT_PATH = "authors"


def read_profiles(generator) -> dict[str, AuthorProfile]:
    """Every author file of the site, by each slug it matches."""
    settings = generator.settings
    folder = settings.get("AUTHOR_FILES_PATH", DEFAULT_PATH)
    readers = generator.readers.readers
    by_slug: dict[str, AuthorProfile] = {}
    for relative in sorted(generator.get_files([folder])):
        path = os.path.join(generator.path, relative)
        reader = readers.get(os.path.splitext(path)[1][1:])
        if reader is None:  # a reader disabled since get_files listed its extension
            continue
        html, metadata = reader.read(path)
        profile = read_profile(path, html, metadata, Path(generator.path),
                               lambda name: Author(name, settings).slug)
        for slug in sorted({profile.slug, file_slug(path)} - {""}):
            first = by_slug.setdefault(slug, profile)
            if first is not profile:
                raise BuildError(path, metadata_line(path, "Name") or 1,
                                 f'a second author file for "{plain(profile.name)}": '
                                 f"{display_path(first.source_path)} already describes this author (slug {slug}); "
                                 "keep one of the two files.")
    return by_slug


def attach_profiles(generator) -> None:
    """`article_generator_finalized` handler: every article's authors get `profile`."""
    profiles = read_profiles(generator)
    static_links = generator.context.setdefault("static_links", set())
    static_links.update(profile.photo.path for profile in profiles.values() if profile.photo)
    for article in chain(generator.articles, generator.translations, generator.hidden_articles,
                         generator.hidden_translations, generator.drafts, generator.drafts_translations):
        if getattr(article, "authors", None):
            article.authors = distinct_authors(article)
        for author in chain(getattr(article, "authors", ()), [getattr(article, "author", None)]):
            if author is not None:
                author.profile = profiles.get(author.slug)
    # Pelican listed an article once per time its Authors named someone ("Jane Doe, jane doe").
    for _author, articles in getattr(generator, "authors", ()):
        articles[:] = list({id(article): article for article in articles}.values())


def distinct_authors(article) -> list[Author]:
    """The article's authors, each once (the first spelling of a slug named twice); `BuildError`
    at `Authors:` for a name with no slug (no letters or digits: it had no page to link to) or
    with a control character."""
    distinct: dict[str, Author] = {}
    for author in article.authors:
        path = article.source_path
        if CONTROL.search(author.name):
            raise BuildError(path, metadata_line(path, "Authors") or metadata_line(path, "Author"),
                             CONTROL_MESSAGE)
        if not author.slug:
            raise BuildError(path, metadata_line(path, "Authors") or metadata_line(path, "Author"),
                             f'the author "{author.name}" has no letters or digits to make the '
                             "author's page address from: write each name in full, separated by commas")
        distinct.setdefault(author.slug, author)
    return list(distinct.values())


def register():
    signals.article_generator_finalized.connect(attach_profiles)
