"""Re-bake an article's static comments section after a write (same-host static root).

When COMMENTS_SITE_DIR names the built site, every write renders the comments partial again
(bake.py) and splices it into the article's HTML file, so a reader who posted without JavaScript
lands on a page that already shows their comment. The file is replaced atomically, under a lock
shared by every worker on the host, with the thread re-read inside the lock, so concurrent posts
never drop one another's comment.
"""

import fcntl
import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from flask import current_app, request

from . import db, storage
from .bake import article_file, render_section, replace_file, section_context, splice_section
from .threads import Thread
from .tokens import issue_form_token

log = logging.getLogger(__name__)


@contextmanager
def exclusive_lock(lock_path: Path) -> Iterator[None]:
    """An advisory lock shared by every thread and process of the service on this host."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _current_section_context(thread: Thread) -> dict[str, Any]:
    """The thread as it is in the database now, on a connection of its own (the request's
    transaction is committed, this one sees the latest writes of every worker)."""
    with storage.connect(db.engine()) as conn:
        page = storage.thread_page(conn, thread.slug)
    return section_context(slug=thread.slug, url=thread.url, comments=page.comments,
                           is_open=thread.open and not page.locked,
                           form_token=issue_form_token(current_app.secret_key, thread.slug),
                           api_url=request.script_root + "/api")


def rebake_article(thread: Thread) -> bool:
    """Re-bake the comments section of `thread`'s static page when SITE_DIR is configured.
    True when the page now shows the thread as stored; False when there is no static root to
    update (or the page cannot be updated: logged), so the reader gets the generic notice."""
    site_dir = current_app.config["SITE_DIR"]
    if not site_dir:
        return False
    try:
        page_path = article_file(Path(site_dir), thread.url)
        with exclusive_lock(Path(current_app.instance_path) / "rebake.lock"):
            rendered = render_section(_current_section_context(thread),
                                      Path(current_app.config["THEME_TEMPLATES"]))
            page = page_path.read_text(encoding="utf-8")
            replace_file(page_path, splice_section(page, rendered))
    except (OSError, ValueError) as problem:
        log.error("could not re-bake the comments of %s: %s", thread.slug, problem)
        return False
    return True


def landing_fragment(comment_id: int, *, held: bool, baked: bool) -> str:
    """Where a reader who posted with the no-JS form lands on the article: their comment when the
    page was re-baked, else the `:target` notice the partial carries (#comment-held when the
    comment awaits moderation, #comment-posted when it appears at the next build)."""
    if held:
        return "#comment-held"
    return f"#comment-{comment_id}" if baked else "#comment-posted"
