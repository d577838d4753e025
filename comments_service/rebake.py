"""Re-bake an article's static comments section after a write (same-host static root).

When COMMENTS_SITE_DIR names the built site, every write renders the comments section again with
the one builder (core/section.py, the same the site build uses) and splices it into the
article's HTML file, so a reader who posted without JavaScript lands on a page that already
shows their comment. The file is replaced atomically, under a lock shared by every worker on the
host, with the thread re-read inside the lock, so concurrent posts never drop one another's
comment. A long thread's page shows only its first SECTION_TOP_LEVEL_MAX top-level comments
(core/section.py): `rebake_showing` says whether the page shows a given comment, so a reader
whose comment is not on it lands on the whole thread's page instead.
"""

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flask import current_app

from . import db
from .core.files import exclusive_lock, replace_file
from .core.manifest import Thread
from .core.section import article_file, render_section, section_context, splice_section
from .core.storage.comments import thread_page
from .core.storage.database import connect

log = logging.getLogger(__name__)


def _current_section(thread: Thread) -> tuple[str, dict[str, Any]]:
    """The section as the database has it now, and its context, read on a connection of its own
    (the request's transaction is committed; this one sees the latest writes of every worker)."""
    with connect(db.engine()) as conn:
        page = thread_page(conn, thread.slug)
    config = current_app.config
    context = section_context(config, current_app.secret_key, slug=thread.slug, url=thread.url,
                              comments=page.comments, is_open=thread.open and not page.locked,
                              references=thread.references)
    return render_section(context, config), context


def _rebake(thread: Thread) -> dict[str, Any] | None:
    """Re-bake the page; the section's context, or None when there is no page to update."""
    site_dir = current_app.config["SITE_DIR"]
    if not site_dir:
        return None
    try:
        page_path = article_file(Path(site_dir), thread.url)
        with exclusive_lock(Path(current_app.instance_path) / "rebake.lock"):
            rendered, context = _current_section(thread)
            page = page_path.read_text(encoding="utf-8")
            replace_file(page_path, splice_section(page, rendered))
    except (OSError, ValueError) as problem:
        log.error("could not re-bake the comments of %s: %s", thread.slug, problem)
        return None
    except Exception:  # the write is committed: whatever fails here must not fail the request
        log.exception("could not re-bake the comments of %s", thread.slug)
        return None
    return context


def rebake_article(thread: Thread) -> bool:
    """Re-bake the comments section of `thread`'s static page when SITE_DIR is configured.
    True when the page now shows the thread as stored; False when there is no static root to
    update (or the page cannot be updated: logged), so the reader gets the generic notice."""
    return _rebake(thread) is not None


def rebake_showing(thread: Thread, comment_id: int) -> bool | None:
    """Re-bake as rebake_article does; None when the page was not updated, else whether it
    shows the comment `comment_id` (False: beyond the first SECTION_TOP_LEVEL_MAX threads)."""
    context = _rebake(thread)
    return None if context is None else comment_id in _ids(context["comments"])


def _ids(nodes: Iterable[dict[str, Any]]) -> set[int]:
    """Every comment id of a comment tree (iteratively: trees are deep)."""
    found, stack = set(), list(nodes)
    while stack:
        node = stack.pop()
        found.add(node["id"])
        stack.extend(node["replies"])
    return found


def landing_fragment(comment_id: int, *, held: bool, baked: bool) -> str:
    """Where a reader who posted with the no-JS form lands on the article: their comment when the
    page was re-baked, else the `:target` notice the partial carries (#comment-held when the
    comment awaits moderation, #comment-posted when it appears at the next build)."""
    if held:
        return "#comment-held"
    return f"#comment-{comment_id}" if baked else "#comment-posted"
