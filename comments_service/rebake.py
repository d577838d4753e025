"""Re-bake an article's static comments section after a write (same-host static root).

When COMMENTS_SITE_DIR names the built site, every write renders the comments section again with
the one builder (core/section.py, the same the site build uses) and splices it into the
article's HTML file, so a reader who posted without JavaScript lands on a page that already
shows their comment. The file is replaced atomically, under a lock shared by every worker on the
host, with the thread re-read inside the lock, so concurrent posts never drop one another's
comment.
"""

import logging
from pathlib import Path

from flask import current_app

from . import db
from .core.files import exclusive_lock, replace_file
from .core.manifest import Thread
from .core.section import article_file, render_section, section_context, splice_section
from .core.storage.comments import thread_page
from .core.storage.database import connect

log = logging.getLogger(__name__)


def _current_section(thread: Thread) -> str:
    """The section as the database has it now, read on a connection of its own (the request's
    transaction is committed; this one sees the latest writes of every worker)."""
    with connect(db.engine()) as conn:
        page = thread_page(conn, thread.slug)
    config = current_app.config
    context = section_context(config, current_app.secret_key, slug=thread.slug, url=thread.url,
                              comments=page.comments, is_open=thread.open and not page.locked)
    return render_section(context, config)


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
            rendered = _current_section(thread)
            page = page_path.read_text(encoding="utf-8")
            replace_file(page_path, splice_section(page, rendered))
    except (OSError, ValueError) as problem:
        log.error("could not re-bake the comments of %s: %s", thread.slug, problem)
        return False
    except Exception:  # the write is committed: whatever fails here must not fail the request
        log.exception("could not re-bake the comments of %s", thread.slug)
        return False
    return True


def landing_fragment(comment_id: int, *, held: bool, baked: bool) -> str:
    """Where a reader who posted with the no-JS form lands on the article: their comment when the
    page was re-baked, else the `:target` notice the partial carries (#comment-held when the
    comment awaits moderation, #comment-posted when it appears at the next build)."""
    if held:
        return "#comment-held"
    return f"#comment-{comment_id}" if baked else "#comment-posted"
