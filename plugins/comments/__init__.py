"""Pelican plugin: bake approved comments into the article pages.

`register()` hooks `content_written` (`forget_written_thread`) and `article_generator_finalized`,
which (before any page is written)
* resolves the comments settings with the service's own resolver
  (`comments_service.core.settings`: COMMENTS_* variables, then the Pelican settings named
  COMMENTS_*), so the build and the service agree on the database, the key and the API URL;
* reads every thread's published comments in ONE query through `comments_service.core.storage`
  (never HTTP, never Flask). No database yet -> no comments, and the build goes on;
* gives each article `comments_section` (the section, built by the one builder the service's
  re-bake uses too, rendered when the article's page prints it: `BakedSection`) and
  `comments_thread` (its context, a `LazyThread`: made again when read, let go once the
  article's page is written), and, for other templates, `comments`, `comment_count`,
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
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from markupsafe import Markup
from pelican import signals

from comments_service.core import settings
from comments_service.core.manifest import Thread, write_manifest
from comments_service.core.section import (comments_about, reference_counts, render_section,
                                           section_context)
from comments_service.core.storage.location import missing_sqlite_file
from plugins.build_errors.listings import declare_file

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


def attach_thread(article, context: Mapping[str, Any], section, thread: Mapping[str, Any] | None = None) -> None:
    """`section`: Markup, or a BakedSection rendered when printed; `thread`: what
    `comments_thread` holds (default: `context` itself, else a LazyThread making it again)."""
    article.comments_thread = context if thread is None else thread
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


#: The keys of a thread context that LazyThread answers without making the context.
CHEAP_KEYS = frozenset({"slug", "url", "open", "api_url", "reference_counts"})


class LazyThread(Mapping):
    """An article's thread context (`comments_thread`), as `section_context` makes it, made when
    read instead of held: held for every article from the bake to the end of the build, the
    contexts (~1.6 KB each without a comment: the dict, a form token, three URLs, the reference
    numbers) were 16 MiB of a 10,000-article build's peak. The inputs are fixed at the bake
    (comments, open or not, the bake's date), so every making is the same context.

    What list pages read (`slug`, `url`, `open`, `api_url`: a card's comment count) and what the
    comment links read (`reference_counts`: plugins/references, for every article, its page
    rendered or not, plugins/memo/pages.py) is answered without making it, as section_context
    makes it; the article's page reads the rest many times, so the first read keeps it
    until `forget()` (`forget_written_thread`, once that page is written). Attribute names start
    with `_`: Jinja reads `thread.comments` as an attribute before it tries the key."""

    __slots__ = ("_article", "_bake", "_comments", "_is_open", "_made")

    def __init__(self, article, bake: Bake, comments: list, is_open: bool):
        self._article, self._bake, self._comments, self._is_open = article, bake, comments, is_open
        self._made: dict[str, Any] | None = None

    def context(self) -> dict[str, Any]:
        if self._made is None:
            self._made = thread_context(self._article, self._bake, self._comments, self._is_open)
        return self._made

    def forget(self) -> None:
        self._made = None

    def __getitem__(self, key: str) -> Any:
        if self._made is None and key in CHEAP_KEYS:  # the values section_context gives these keys
            if key == "reference_counts":
                return reference_counts(comments_about(self._comments), reference_count(self._article))
            return {"slug": self._article.slug, "url": self._article.url, "open": self._is_open,
                    "api_url": self._bake.values["API_URL"]}[key]
        return self.context()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.context())

    def __len__(self) -> int:
        return len(self.context())

    def __bool__(self) -> bool:  # a context is never empty; truth must not make one
        return True


def context_of(thread: Mapping[str, Any]) -> dict[str, Any]:
    return thread.context() if isinstance(thread, LazyThread) else thread


def forget_written_thread(path, context) -> None:
    """`content_written` handler: the page of an article was written; let its thread context go."""
    thread = getattr(context.get("article"), "comments_thread", None)
    if isinstance(thread, LazyThread):
        thread.forget()


class BakedSection:
    """An article's comments section, rendered when a template prints it (article.html, once per
    page) and not kept: held for every article from the bake to the end of the build, the
    sections (5.5 KB each without a comment, stored two bytes a character for their ▲ and ▼) were
    the largest part of the build's memory over bare Pelican (~10 MiB per 1,000 articles).
    A section that fails to render is logged and rendered without its comments (`without_comments`),
    as a thread whose context could not be built is. `thread`: the context, or a LazyThread."""

    __slots__ = ("article", "bake", "thread")

    def __init__(self, article, bake: Bake, thread: Mapping[str, Any]):
        self.article, self.bake, self.thread = article, bake, thread

    def __html__(self) -> str:
        try:
            return render_section(context_of(self.thread), self.bake.values)
        except Exception as error:  # noqa: BLE001 - readers wrote this data: it must never stop publishing
            return without_comments(self.article, self.bake, error, len(self.thread["comments"]))

    __str__ = __html__


def is_open_now(article, bake: Bake) -> bool:
    return thread_is_open(article, bake.close_after_days, datetime.now(article.date.tzinfo))


def thread_context(article, bake: Bake, comments: list, is_open: bool | None = None) -> dict[str, Any]:
    """`is_open`: None decides it now (`thread_is_open`)."""
    return section_context(bake.values, bake.key, slug=article.slug, url=article.url, comments=comments,
                           is_open=is_open_now(article, bake) if is_open is None else is_open,
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
        thread = LazyThread(article, bake, comments, is_open_now(article, bake))
        try:
            context = thread.context()
        except Exception as error:  # noqa: BLE001 - readers wrote this data: it must never stop publishing
            without_comments(article, bake, error, len(comments))
            continue
        attach_thread(article, context, BakedSection(article, bake, thread), thread)
        thread.forget()
    for article in unpublished_articles(generator):
        attach_unpublished(article)
    write_manifest(Path(generator.output_path) / MANIFEST, map(manifest_thread, articles))
    logger.info("comments: %d approved comments baked into %d articles",
                sum(map(len, by_thread.values())), len(articles))


def register():
    declare_file(str(MANIFEST), "the comments service's thread manifest")
    signals.article_generator_finalized.connect(bake_comments)
    signals.content_written.connect(forget_written_thread)
