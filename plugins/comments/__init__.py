"""Pelican plugin: bake approved comments into the article pages.

`register()` hooks one signal, `article_generator_finalized`, which (before any page is written)
* reads every thread's approved comments in ONE query through `comments_service.storage` (the
  service's own storage layer and database, `COMMENTS_DATABASE_URL` or the default SQLite file
  under instance/; never HTTP). No database yet -> no comments, and the build goes on;
* gives each article `comments_thread` (the context of theme/templates/comments.html, see
  `comments_service.bake.section_context`), and, for other templates, `comments` (threaded),
  `comment_count`, `comments_last_id` and `comments_open`;
* writes the thread manifest `<output>/comments/threads.json` that the service reads.

Settings: COMMENTS_API_URL (where the form posts, default "/api"), COMMENTS_CLOSE_AFTER_DAYS
(None = threads never close by age). An article closes its thread with `Comments: closed`.
The baked form token is signed with the service's key (COMMENTS_SECRET_KEY, or in development
the key the service keeps in instance/), so the no-JS form works with the page as built.
"""

import json
import logging
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from markupsafe import Markup
from pelican import signals

from comments_service import config
from comments_service.bake import replace_file, section_context
from comments_service.storage import approved_comments_by_thread, engine_from_url
from comments_service.tokens import development_secret_key, issue_form_token

logger = logging.getLogger(__name__)

MANIFEST = Path("comments") / "threads.json"
DEFAULT_API_URL = "/api"


def database_url() -> str:
    """The service's database: the same variable and default as comments_service.config."""
    return os.environ.get("COMMENTS_DATABASE_URL") or config.DEFAULT_DATABASE_URL


def secret_key() -> str:
    """The key the service checks form tokens with."""
    return os.environ.get("COMMENTS_SECRET_KEY") or development_secret_key(config.INSTANCE_PATH)


def load_comments() -> dict[str, list[dict[str, Any]]]:
    """{slug: approved public comments in display order}, read in one query."""
    engine = engine_from_url(database_url())
    try:
        return approved_comments_by_thread(engine)
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


def attach_thread(article, context: dict[str, Any]) -> None:
    article.comments_thread = context
    article.comments = context["comments"]
    article.comment_count = context["count"]
    article.comments_last_id = context["last_id"]
    article.comments_open = context["open"]


def manifest_entry(article) -> dict[str, Any]:
    """The article's thread as the service knows it (the URL as computed once by attach_thread:
    Pelican recomputes `article.url` on every access)."""
    return {"slug": article.slug, "url": article.comments_thread["url"],
            "title": Markup(article.title).striptags(), "published": article.date.isoformat(),
            "open": article.comments_open}


def write_manifest(output_path: str, articles: list) -> None:
    """threads.json: one entry per slug (a translation shares its original's thread)."""
    entries = {}
    for article in articles:
        entries.setdefault(article.slug, manifest_entry(article))
    path = Path(output_path) / MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, json.dumps(list(entries.values()), ensure_ascii=False, indent=1))


def bake_comments(generator) -> None:
    """`article_generator_finalized` handler."""
    settings = generator.settings
    by_thread = load_comments()
    key = secret_key()
    close_after_days = settings.get("COMMENTS_CLOSE_AFTER_DAYS")
    api_url = settings.get("COMMENTS_API_URL", DEFAULT_API_URL)
    articles = commentable_articles(generator)
    for article in articles:
        now = datetime.now(article.date.tzinfo)
        attach_thread(article, section_context(
            slug=article.slug, url=article.url, comments=by_thread.get(article.slug, []),
            is_open=thread_is_open(article, close_after_days, now),
            form_token=issue_form_token(key, article.slug), api_url=api_url))
    write_manifest(generator.output_path, articles)
    logger.info("comments: %d approved comments baked into %d articles",
                sum(map(len, by_thread.values())), len(articles))


def register():
    signals.article_generator_finalized.connect(bake_comments)
