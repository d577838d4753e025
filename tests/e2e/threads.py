"""Helpers for browser tests that need comments in a thread: posted through the running
service's API (as a reader's browser would, same origin), with the columns no public endpoint
sets (an editor's pick, vote totals of many readers) written to the database directly; and what
the service on this branch can do, so the scenarios that need a server part not built yet are
skipped by name rather than failing (issue 13 is built by three people in parallel)."""

import functools
import json
import re
import time
import urllib.error
import urllib.request

from sqlalchemy import update

from comments_service.core.section import section_context
from comments_service.core.settings import resolve
from comments_service.core.storage import database, rebake_queue, tables
from comments_service.core.validation import COMMENT_FIELDS


def call(server, method: str, path: str, body=None) -> tuple[int, dict]:
    """One JSON request to the service's API from the site's own origin: (status, body)."""
    request = urllib.request.Request(
        f"{server.base_url}/api{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json",
                 "Origin": server.base_url})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def post_comment(server, slug: str, author: str, text: str, **fields) -> int:
    """Post a comment as a reader (published at once on the e2e server): its id, once the
    article's page is re-baked with it (the service bakes off the request path, a moment after
    the POST: wait_for_bakes). Post last what a page must show."""
    status, body = call(server, "POST", f"/threads/{slug}/comments", {"author": author, "text": text, **fields})
    assert status == 201, body
    wait_for_bakes(server)
    return body["comment"]["id"]


def wait_for_bakes(server, seconds: float = 15) -> None:
    """Wait until the service has baked every write it queued into the static pages (the
    rebake_queue has nothing pending): a page loaded now shows the thread as stored."""
    engine = database.engine_from_url(server.database_url)
    deadline = time.monotonic() + seconds
    try:
        while True:
            with database.connect(engine) as conn:
                waiting = rebake_queue.pending(conn)
            if not waiting:
                return
            assert time.monotonic() < deadline, f"bakes still pending: {waiting}"
            time.sleep(0.05)
    finally:
        engine.dispose()


def set_columns(database_url: str, comment_id: int, **values) -> None:
    """Write comment columns no reader's request sets (likes of many readers, picks, ...)."""
    engine = database.engine_from_url(database_url)
    with database.connect(engine, write=True) as conn:
        conn.execute(update(tables.comments).where(tables.comments.c.id == comment_id).values(**values))
        conn.commit()
    engine.dispose()


@functools.cache
def api_rules() -> frozenset[str]:
    from comments_service import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    return frozenset(rule.rule for rule in app.url_map.iter_rules())


def has_route(path: str) -> bool:
    """Whether the service has `path`, each `<...>` matching any converter and name."""
    pattern = re.compile("<[^>]+>".join(map(re.escape, re.split(r"<[^>]*>", path))) + "$")
    return any(pattern.match(rule) for rule in api_rules())


@functools.cache
def section_keys() -> frozenset[str]:
    """The keys the one section builder gives the partial on this branch."""
    try:
        context = section_context(resolve({}), "key", slug="s", url="s.html", comments=[], is_open=True)
    except TypeError:  # its signature grew: whatever it returns is not known here
        return frozenset()
    return frozenset(context)


VOTES = has_route("/api/comments/<id>/vote")
REPORTS = has_route("/api/comments/<id>/report")
PREVIEW = has_route("/api/preview")
REPLY_PAGE = has_route("/api/threads/<slug>/reply/<id>")
ALL_PAGE = has_route("/api/threads/<slug>/all")
PAGING = "truncated" in section_keys()
PICKS = "picks" in section_keys()
SOURCES = {"references", "reference_counts"} <= section_keys()
CORRECTIONS = "kind" in COMMENT_FIELDS
