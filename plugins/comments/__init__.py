"""Pelican plugin: bake approved comments into the article pages.

`register()` hooks one signal, `article_generator_finalized`, which (before any page is written)
* resolves the comments settings with the service's own resolver
  (`comments_service.core.settings`: COMMENTS_* variables, then the Pelican settings named
  COMMENTS_*), so the build and the service agree on the database, the key and the API URL;
* reads every thread's published comments in ONE query through `comments_service.core.storage`
  (never HTTP, never Flask). No database yet -> no comments, and the build goes on;
* gives each article `comments_section` (the section, built by the one builder the service's
  re-bake uses too, rendered when the article's page prints it: `BakedSection`) and
  `comments_thread` (its context), and, for other templates, `comments`, `comment_count`,
  `comments_last_id` and `comments_open`;
* gives each unpublished article (a draft, or dated in the future: Pelican makes those drafts),
  which only a build with a DRAFT_SAVE_AS writes (`make preview`), a whole section of its own:
  `comments_section` says comments open on publication, `comments_thread` is None (no thread
  exists, nothing may post to one), `comments_open` False; no comments are shown, even ones
  stored under its slug, and it is not in the manifest;
* writes the thread manifest `<output>/comments/threads.json` that the service reads, with each
  article's number of source references (`reference_count`, set by plugins/references; 0 without
  it), which bounds `about_reference` in the service and lists the references in the section.

An article closes its thread with `Comments: closed`; COMMENTS_CLOSE_AFTER_DAYS closes all after
that many days. A production build (COMMENTS_PRODUCTION = True, set by publish.conf.py) stops
when COMMENTS_SECRET_KEY is unset, in the words the service uses: its baked form tokens would be
signed with the development key and every no-JavaScript comment refused.
"""

import logging
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from markupsafe import Markup
from pelican import signals

from comments_service.core import settings
from comments_service.core.manifest import Thread, write_manifest
from comments_service.core.section import render_section, section_context
from comments_service.core.storage.location import missing_sqlite_file

logger = logging.getLogger(__name__)

MANIFEST = Path("comments") / "threads.json"
#: What an unpublished article shows instead of a thread: the service knows no thread for it, so
#: a form would post to nothing (or, on a preview, to the live service).
UNPUBLISHED_SECTION = Markup(
    '<section id="comments" class="comments comments-unpublished"'
    ' aria-labelledby="comments-title">\n'
    '  <h2 id="comments-title">Comments</h2>\n'
    '  <p class="comments-closed">Comments open when the article is published.</p>\n'
    '</section>\n')


def load_comments(database_url: str) -> dict[str, list]:
    """{slug: published comments in display order}, read in one query; {} without a database.
    SQLAlchemy is imported only when there may be one (`missing_sqlite_file`)."""
    if missing_sqlite_file(database_url):
        return {}
    from comments_service.core.storage.comments import published_by_thread
    from comments_service.core.storage.database import engine_from_url, schema_exists

    engine = engine_from_url(database_url)
    try:
        if not schema_exists(engine):
            return {}
        with engine.connect() as conn:
            return published_by_thread(conn)
    finally:
        engine.dispose()


def thread_is_open(article, close_after_days: int | None, now: datetime) -> bool:
    """Closed by `Comments: closed` metadata, or COMMENTS_CLOSE_AFTER_DAYS after publication."""
    if str(article.metadata.get("comments", "")).strip().lower() == "closed":
        return False
    if close_after_days is None:
        return True
    return now < article.date + timedelta(days=close_after_days)


def commentable_articles(generator) -> list:
    """Every article page the build writes (published, hidden and translations), drafts excluded."""
    return [*generator.articles, *generator.hidden_articles, *generator.translations,
            *generator.hidden_translations]


def unpublished_articles(generator) -> list:
    """Drafts and their translations, future-dated articles included."""
    return [*generator.drafts, *generator.drafts_translations]


def attach_unpublished(article) -> None:
    article.comments_thread = None
    article.comments_section = UNPUBLISHED_SECTION
    article.comments_open = False


def attach_thread(article, context: dict[str, Any], section) -> None:
    """`section`: Markup, or a BakedSection rendered when printed."""
    article.comments_thread = context
    article.comments_section = section
    article.comments = context["comments"]
    article.comment_count = context["count"]
    article.comments_last_id = context["last_id"]
    article.comments_open = context["open"]


def reference_count(article) -> int:
    """The article's number of source references (plugins/references stores it as metadata);
    0 without that plugin, for an article without references, or for a value that is no count."""
    count = getattr(article, "reference_count", 0)
    return count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else 0


def manifest_thread(article) -> Thread:
    """The article's thread as the service knows it (the URL as computed once by attach_thread:
    Pelican recomputes `article.url` on every access)."""
    return Thread(slug=article.slug, url=article.comments_thread["url"],
                  title=Markup(article.title).striptags(), published=article.date.isoformat(),
                  open=article.comments_open, references=reference_count(article))


#: Baked form tokens are dated to the start of the build's UTC day: a rebuild on the same day bakes
#: the same bytes, so unchanged pages are not rewritten (plugins/memo/writer.py). A token is
#: valid FORM_TOKEN_MAX_AGE (30 days) from that date, so for 29 to 30 days after the build; a
#: token only older than MIN_FILL_SECONDS is no weaker, every baked page being older than that.
TOKEN_DATE_STEP = 24 * 3600


def token_date(now: float) -> float:
    """The date baked form tokens carry for a build at `now` (unix time)."""
    return now - now % TOKEN_DATE_STEP


class Bake(NamedTuple):
    """What every section of one build is made with."""
    values: dict
    key: str
    issued_at: float
    close_after_days: int | None


class BakedSection:
    """An article's comments section, rendered when a template prints it (article.html, once per
    page) and not kept: held for every article from the bake to the end of the build, the
    sections (5.5 KB each without a comment, stored two bytes a character for their ▲ and ▼) were
    the largest part of the build's memory over bare Pelican (~10 MiB per 1,000 articles).
    A section that fails to render is logged and rendered without its comments (`without_comments`),
    as a thread whose context could not be built is."""

    __slots__ = ("article", "bake", "context")

    def __init__(self, article, bake: Bake, context: dict[str, Any]):
        self.article, self.bake, self.context = article, bake, context

    def __html__(self) -> str:
        try:
            return render_section(self.context, self.bake.values)
        except Exception as error:  # noqa: BLE001 - readers wrote this data: it must never stop publishing
            return without_comments(self.article, self.bake, error, len(self.context["comments"]))

    __str__ = __html__


def thread_context(article, bake: Bake, comments: list) -> dict[str, Any]:
    now = datetime.now(article.date.tzinfo)
    return section_context(bake.values, bake.key, slug=article.slug, url=article.url, comments=comments,
                           is_open=thread_is_open(article, bake.close_after_days, now),
                           references=reference_count(article), issued_at=bake.issued_at)


def without_comments(article, bake: Bake, error: Exception, count: int) -> Markup:
    """Attach (and return) the article's section without its comments, the failure logged."""
    # A warning, not an error: `make html` runs with --fatal errors, which would stop it.
    logger.warning("comments: the thread of %s could not be rendered (%s: %s); its %d "
                   "comments are left out of this build", article.source_path,
                   type(error).__name__, error, count)
    context = thread_context(article, bake, [])
    section = Markup(render_section(context, bake.values))
    attach_thread(article, context, section)
    return section


def bake_comments(generator) -> None:
    """`article_generator_finalized` handler."""
    values = settings.resolve(settings.pelican_overrides(generator.settings))
    bake = Bake(values, settings.secret_key(values, development=not values["PRODUCTION"]),
                token_date(time.time()), values["CLOSE_AFTER_DAYS"])
    by_thread = load_comments(values["DATABASE_URL"])
    articles = commentable_articles(generator)
    for article in articles:
        comments = by_thread.get(article.slug, [])
        try:
            context = thread_context(article, bake, comments)
        except Exception as error:  # noqa: BLE001 - readers wrote this data: it must never stop publishing
            without_comments(article, bake, error, len(comments))
            continue
        attach_thread(article, context, BakedSection(article, bake, context))
    for article in unpublished_articles(generator):
        attach_unpublished(article)
    write_manifest(Path(generator.output_path) / MANIFEST, map(manifest_thread, articles))
    logger.info("comments: %d approved comments baked into %d articles",
                sum(map(len, by_thread.values())), len(articles))


def register():
    signals.article_generator_finalized.connect(bake_comments)
