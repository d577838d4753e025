"""Re-bake an article's static comments section after a write, off the request path.

A write that readers see queues its thread in the database (core/storage/rebake_queue.py), in the
write's own transaction, when re-baking is on: SITE_DIR names the built site on this host, or
REBAKE_QUEUE says another host bakes. A baker where the static root is (baker.py: a thread of
each worker, or `flask --app comments_service rebake-worker`) renders the section with the one
builder (core/section.py, the same the site build uses) and splices it into the article's HTML
file, atomically, under a lock shared by every worker on the host, with the thread read afresh
inside the lock: a bake covers every write queued before it, so N posts cost one bake, not N,
and no post ever waits for one.

The no-JS poster: the POST answers 303 to the service's landing page (`landing_url`, served by
pages.py), which waits at most REBAKE_WAIT_SECONDS for the bake of THEIR version, then sends the
reader to the article at their comment; when the bake is late (or their comment is beyond the
first SECTION_TOP_LEVEL_MAX threads the page shows) it sends them to the service's page of the
whole thread (GET /api/threads/<slug>/all), which shows their comment as stored. Either way the
reader sees their comment, and the POST itself stays O(1).
"""

import logging
import signal
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click
from flask import Flask, after_this_request, current_app, g, has_request_context, url_for
from flask.cli import with_appcontext
from sqlalchemy import Connection

from . import db
from .baker import Baker
from .core.files import exclusive_lock, replace_served_file
from .core.manifest import Thread
from .core.section import article_file, render_section, section_context, splice_section
from .core.storage import rebake_queue
from .core.storage.section_page import section_page
from .core.storage.database import connect
from .threads import find_thread, thread_url

log = logging.getLogger(__name__)
_EXTENSION = "comments_rebake"
_WAKE_AFTER_REQUEST = "comments_rebake_wake"
#: Seconds between two looks of the landing page at the queue while it waits for a bake.
_LANDING_POLL = 0.02


class Rebaking:
    """The app's re-bake settings: whether writes queue bakes, and this process's baker (None
    when the static root is elsewhere or REBAKE_IN_PROCESS is off)."""

    def __init__(self, queueing: bool, baker: Baker | None):
        self.queueing = queueing
        self.baker = baker


def init_app(app: Flask) -> None:
    site_dir = app.config["SITE_DIR"]
    baker = Baker(app, bake_thread) if site_dir and app.config["REBAKE_IN_PROCESS"] else None
    if baker is not None:
        app.before_request(baker.start)
    app.extensions[_EXTENSION] = Rebaking(bool(site_dir or app.config["REBAKE_QUEUE"]), baker)
    app.cli.add_command(rebake_worker_command)


def _state() -> Rebaking:
    return current_app.extensions[_EXTENSION]


def start(app) -> None:
    """Start this process's baker for `app` (no-op when it has none or `app` is not ours)."""
    state = getattr(app, "extensions", {}).get(_EXTENSION)
    if state is not None and state.baker is not None:
        state.baker.start()


def drain(app: Flask) -> tuple[int, int]:
    """Bake, in the caller's thread, every thread of `app`'s queue that is due now, after the
    baker's thread has finished what it had in hand; (baked, failed)."""
    baker = app.extensions[_EXTENSION].baker or Baker(app, bake_thread)
    return baker.drain(ahead=baker.delay_seconds)


def close(app: Flask) -> None:
    """Stop `app`'s baking thread (the queue keeps what it had not baked)."""
    baker = app.extensions[_EXTENSION].baker
    if baker is not None:
        baker.close()


def enqueue(conn: Connection, thread: Thread) -> int | None:
    """Queue a bake of `thread` in the caller's transaction (call it before the commit); the
    version the bake must reach, or None when re-baking is off. Inside a request, this process's
    baker is woken once the request is done (after the view's commit)."""
    state = _state()
    if not state.queueing:
        return None
    version = rebake_queue.enqueue(conn, thread.slug, _delay())
    if state.baker is not None and has_request_context() and _WAKE_AFTER_REQUEST not in g:
        setattr(g, _WAKE_AFTER_REQUEST, True)
        after_this_request(_wake_baker)
    return version


def _delay() -> float:
    return float(current_app.config["REBAKE_DELAY_SECONDS"])


def _wake_baker(response):
    _state().baker.wake()
    return response


def rebake_article(thread: Thread) -> bool:
    """Queue a bake of `thread` after a write that is committed already, in a transaction of its
    own (on the request's connection: on SQLite it holds the writer's turn until the request
    ends); False when re-baking is off."""
    state = _state()
    if not state.queueing:
        return False
    if has_request_context():
        conn = db.connection()
        rebake_queue.enqueue(conn, thread.slug, _delay())
        conn.commit()
    else:
        with connect(db.engine(), write=True) as conn:
            rebake_queue.enqueue(conn, thread.slug, _delay())
            conn.commit()
    if state.baker is not None:
        state.baker.wake()
    return True


def bake_thread(app: Flask, slug: str) -> None:
    """Re-bake the static page of the thread `slug` into SITE_DIR as the database has it now;
    raises when the page cannot be written (the baker keeps the row queued). A thread no longer
    in the manifest has no page to update."""
    with app.app_context():
        thread = find_thread(slug)
        if thread is None:
            log.warning("re-bake: %s is not in the thread manifest; no page to update", slug)
            return
        page_path = article_file(Path(app.config["SITE_DIR"]), thread.url)
        with exclusive_lock(Path(app.instance_path) / "rebake.lock"):
            rendered = render_section(_current_context(thread), app.config)
            page = page_path.read_text(encoding="utf-8")
            replace_served_file(page_path, splice_section(page, rendered))  # and its .gz, .br


def _current_context(thread: Thread) -> dict[str, Any]:
    """The section's context as the database has it now, read on a connection of its own (this
    one sees the latest writes of every worker): only the comments the page shows, with the
    thread's totals counted by the database (storage/section_page.py), so a bake reads
    O(page), not O(thread)."""
    config = current_app.config
    with connect(db.engine()) as conn:
        page = section_page(conn, thread.slug, config["SECTION_TOP_LEVEL_MAX"])
    return section_context(config, current_app.secret_key, slug=thread.slug, url=thread.url,
                           comments=page.comments, totals=page.totals,
                           is_open=thread.open and not page.locked, references=thread.references)


def landing_url(thread: Thread, comment_id: int, *, held: bool, version: int | None) -> str:
    """Where the no-JS POST sends its reader: the `:target` notice the partial carries
    (#comment-held when the comment awaits moderation, #comment-posted when pages change at the
    next build only), else the landing page that waits for the bake of `version`."""
    if held:
        return thread_url(thread) + "#comment-held"
    if version is None:
        return thread_url(thread) + "#comment-posted"
    return url_for("pages.posted", slug=thread.slug, comment_id=comment_id, v=version)


def landing(thread: Thread, comment_id: int, version: int) -> str:
    """The landing page's answer: the article at the comment once the bake of `version` is done
    and the page shows the comment, else (late bake, or a comment beyond the page's first
    SECTION_TOP_LEVEL_MAX threads) the whole thread's service page at the comment."""
    deadline = time.monotonic() + float(current_app.config["REBAKE_WAIT_SECONDS"])
    conn = db.connection()
    while True:
        queued = rebake_queue.baked_version(conn, thread.slug)
        conn.rollback()  # the next look needs a new snapshot (SQLite)
        baked = queued or 0
        # Nothing ever queued for this thread (or re-baking off): no bake is coming.
        if baked >= version or queued is None or not _state().queueing or time.monotonic() >= deadline:
            break
        time.sleep(_LANDING_POLL)
    if baked >= version and comment_id in _ids(_current_context(thread)["comments"]):
        return thread_url(thread) + f"#comment-{comment_id}"
    return url_for("pages.whole_thread", slug=thread.slug, _anchor=f"comment-{comment_id}")


def _ids(nodes: Iterable[dict[str, Any]]) -> set[int]:
    """Every comment id of a comment tree (iteratively: trees are deep)."""
    found, stack = set(), list(nodes)
    while stack:
        node = stack.pop()
        found.add(node["id"])
        stack.extend(node["replies"])
    return found


@click.command("rebake-worker")
@click.option("--once", is_flag=True, help="Bake what is due now, then exit (cron, tests).")
@click.option("--poll", type=click.FloatRange(min=0.05), default=None,
              help="Seconds between looks at the queue (default: REBAKE_POLL_SECONDS).")
@with_appcontext
def rebake_worker_command(once: bool, poll: float | None) -> None:
    """Bake the threads the service instances queued into this host's static root (SITE_DIR)."""
    app = current_app._get_current_object()
    if not app.config["SITE_DIR"]:
        raise click.ClickException("COMMENTS_SITE_DIR must name the built site on this host.")
    baker = Baker(app, bake_thread)
    if poll is not None:
        baker.poll_seconds = poll
    if once:
        baked, failed = baker.drain(ahead=baker.delay_seconds)
        click.echo(f"Baked {baked}; failed, still queued: {failed}. Pending: {len(baker.pending())}.")
        if failed:
            raise SystemExit(1)
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: (stop.set(), baker.wake()))
    click.echo(f"Baking queued threads into {app.config['SITE_DIR']} (every {baker.poll_seconds:g} s); "
               "Ctrl-C stops.")
    baker.run_forever(stop)
