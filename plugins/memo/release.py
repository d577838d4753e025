"""An article's HTML let go once its page is written (issue 16, target 5: build memory).

Pelican holds every article's HTML (`_content`, and its memoized `get_content`) from the reading
to the end of the build: ~6 KB per article of ours (plugins/references adds paragraph anchors and
comment links), the largest thing the build keeps per article. Its page is its last use:
Pelican writes the feeds before the article pages (`ArticlesGenerator.generate_output`), list
pages print an article's summary and card, not its HTML, and the plugins that read the HTML
(reading time, the comments bake, the comment links) run before its page is written.

Contract of `release_content` (`content_written`):
* it acts only on the page of an article written at the article's own `save_as` (the local
  context's `article` and `output_file`); any other page releases nothing;
* the summary is made first (Pelican memoizes it per site URL), so list pages still print it;
* with RELATIVE_URLS each page has a site URL of its own, and a summary for another one would be
  made from the HTML: nothing is released then;
* afterwards reading the article's HTML raises `ContentReleased`, naming the article: a template
  or plugin that needs it later fails the build instead of printing nothing.
"""

from __future__ import annotations

from plugins.references.comment_links import RENDERED


class ContentReleased(RuntimeError):
    """An article's HTML was read after its page was written (see the module docstring)."""


def _released(article):
    def get_content():
        raise ContentReleased(
            f"the HTML of {article.source_path or article.slug} was released once its page was "
            "written (plugins/memo/release.py); whatever reads it must run before that page")
    return get_content


def release_content(path, context) -> None:
    """`content_written` handler: drop the HTML of the article whose page was just written."""
    article = context.get("article")
    if article is None or context.get("output_file") != getattr(article, "save_as", None):
        return
    if article.settings.get("RELATIVE_URLS") or not hasattr(article, "_content"):
        return
    article.summary  # noqa: B018 - made and memoized while the HTML is there
    # Pelican's get_content reads `_get_content` first when an object has one.
    article._get_content = _released(article)
    del article._content
    RENDERED.forget(article)
