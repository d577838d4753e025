"""Pelican plugin: an article's lead image, as responsive variants made at build time.

`register()` hooks `all_generators_finalized`, so it sees the articles every other plugin has
left to publish (drafts included when Pelican writes them: not with an empty DRAFT_SAVE_AS).
For each article with `Image:` it checks the fields (fields.py, BuildError at the field's line),
gets the variants from the content-hash cache or makes them once (cache.py, variants.py), copies
them into `output/images/` and sets `article.lead_image` (lead.py), which the theme renders.
Sources shared by several articles are read and published once per build. The fields on a page
are a build error: page.html shows no lead image.

The original files are not published: Pelican's static copying (`content/images/` is a
STATIC_PATHS default) would put the full-size file, with its EXIF (GPS, camera serial) beside the
variants; a source the text itself links with `{static}` is still copied.

Settings: IMAGES_WIDTHS (default 480, 800, 1200, 1600) and IMAGES_CACHE_PATH (default
`images` inside Pelican's CACHE_PATH; pelican.conf.py puts that at the repository's `cache/`).
"""

from __future__ import annotations

import os
from itertools import chain
from pathlib import Path

from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator, StaticGenerator

from plugins.build_errors import BuildError, display_path, metadata_line

from .cache import ImageCache
from .fields import KEYS, read_fields
from .lead import lead_image
from .rendition import ImageProblem

DEFAULT_WIDTHS = (480, 800, 1200, 1600)
#: Folder of the variants under the output folder (and under SITEURL).
OUTPUT_FOLDER = "images"


def image_cache(settings: dict) -> ImageCache:
    """The cache the site's settings ask for."""
    root = settings.get("IMAGES_CACHE_PATH") or os.path.join(settings.get("CACHE_PATH", "cache"), "images")
    widths = tuple(settings.get("IMAGES_WIDTHS") or DEFAULT_WIDTHS)
    if not all(isinstance(width, int) and width > 0 for width in widths):
        raise ValueError(f"IMAGES_WIDTHS must be positive whole pixel widths, not {widths!r}")
    return ImageCache(root, widths)


def entries(generator: ArticlesGenerator):
    """Every article Pelican has read, in every language, drafts included."""
    return chain(generator.articles, generator.translations, generator.hidden_articles,
                 generator.hidden_translations, generator.drafts, generator.drafts_translations)


def add_lead_images(generator: ArticlesGenerator, cache: ImageCache) -> set[Path]:
    """Set `lead_image` on every article with an `Image:` that Pelican will write; returns the
    source files of every article's fields, written or not (none of them is published as is).

    An empty `save_as` (e.g. DRAFT_SAVE_AS = "") means the article is not written: its fields are
    checked, but its picture is neither made nor published (it could give a story away)."""
    content_root = Path(generator.path)
    output = Path(generator.output_path) / OUTPUT_FOLDER
    made, sources = {}, set()
    for article in entries(generator):
        fields = read_fields(article, content_root)
        if fields is None:
            continue
        sources.add(fields.source)
        if not article.save_as:
            continue
        if fields.source not in made:
            try:
                rendition = cache.rendition(fields.source.read_bytes())
            except (ImageProblem, OSError) as problem:
                reason = problem if isinstance(problem, ImageProblem) else \
                    f"cannot be read ({problem.strerror or problem})"
                raise BuildError(article.source_path, metadata_line(article.source_path, "Image"),
                                 f"Image {display_path(fields.source)} {reason}") from None
            cache.publish(rendition, output)
            made[fields.source] = rendition
        article.lead_image = lead_image(fields, made[fields.source], OUTPUT_FOLDER)
    return sources


def keep_originals_private(generator: StaticGenerator, sources: set[Path]) -> None:
    """Drop the lead images' original files from what Pelican copies, unless the text links them."""
    linked = generator.context.get("static_links", set())
    generator.staticfiles[:] = [
        static for static in generator.staticfiles
        if static.get_relative_source_path() in linked
        or Path(generator.path, static.get_relative_source_path()).resolve() not in sources]


def refuse_on_pages(generator: PagesGenerator) -> None:
    """Pages (page.html) show no lead image: fields there would be silently lost."""
    for page in chain(generator.pages, generator.hidden_pages, generator.draft_pages):
        key = next((key for key in KEYS if key in page.metadata), None)
        if key:
            raise BuildError(page.source_path, metadata_line(page.source_path, KEYS[key]),
                             f"{KEYS[key]}: lead images are shown on articles, not on pages; remove "
                             "the Image lines, or put the picture in the text with "
                             "![what it shows]({static}/images/name.jpg)")


def on_all_generators_finalized(generators) -> None:
    for pages in (g for g in generators if isinstance(g, PagesGenerator)):
        refuse_on_pages(pages)
    articles = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles is None:
        return
    sources = add_lead_images(articles, image_cache(articles.settings))
    if sources:
        for static in (g for g in generators if isinstance(g, StaticGenerator)):
            keep_originals_private(static, sources)


def register():
    signals.all_generators_finalized.connect(on_all_generators_finalized)
