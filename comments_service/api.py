"""The public JSON API under /api (contract: docs/api.md and docs/openapi.yaml)."""

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, redirect, request
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from . import db, params, posting, rebake, security
from .bodies import checked_first, rendered_text, request_body, verified_fields
from .core.comment import APPROVED, PENDING, REJECTED, Comment, public_view
from .core.limits import ID_MAX, SLUG_MAX
from .core.manifest import Thread
from .core.storage import comments as stored
from .core.storage.database import accepts_writes, ping
from .core.storage.paging import paged_thread_page
from .core.storage.thread_json import thread_json
from .core.storage.threads import thread_is_locked
from .core.times import as_utc, isoformat, stamp
from .core.tokens import TokenRejected, check_edit_token, issue_edit_token, issue_form_token
from .core.validation import EDIT_FIELDS, is_plain_name
from .errors import APIError, is_form_post
from .page_cache import PageCache
from .threads import find_thread

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__, url_prefix="/api")

OPENAPI_SPEC = Path(__file__).resolve().parent / "openapi.yaml"
_PAGE_CACHE = "comments_page_cache"


def require_thread(slug: str) -> Thread:
    thread = find_thread(slug)
    if thread is None:
        raise APIError(404, "unknown_thread", "There is no article with comments at this address.")
    return thread


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.extensions[_PAGE_CACHE] = PageCache(app.config["PAGE_CACHE_BYTES"])


def conditional(response: Response, etag: str | None = None) -> Response:
    """Tag the response with `etag` (default: a hash of its body) and answer If-None-Match
    with 304."""
    if etag is None:
        response.add_etag()
    else:
        response.set_etag(etag)
    return response.make_conditional(request)


def _require_open(conn: Connection, thread: Thread) -> None:
    if not thread.open:
        raise APIError(403, "thread_closed", "Comments are closed for this article.")
    if thread_is_locked(conn, thread.slug):
        raise APIError(403, "thread_locked", "Comments on this article have been locked by a moderator.")


@bp.get("/threads/<slug>/comments")
def list_comments(slug: str):
    """The thread (`since`: only newer comments), or a page of it (`limit` top-level comments
    after `after`, with their replies); the page cache and the ETag name every parameter."""
    thread = require_thread(slug)
    since, after, limit = params.since(), params.after(), params.limit()
    state = db.thread_state(slug)
    generation, variant = (state.id, state.version), f"{since}.{after}.{limit or ''}.{int(thread.open)}"
    version = f"{state.id}.{state.version}.{variant}"
    if request.if_none_match.contains(version):  # the reader has this page: neither read nor build it
        return _thread_response(current_app.response_class(status=304), slug, version)
    cache = current_app.extensions[_PAGE_CACHE]
    body = cache.get(slug, generation, variant)
    if body is None:
        body = _thread_body(db.connection(), thread, since=since, after=after, limit=limit)
        cache.put(slug, generation, variant, body)
    return _thread_response(current_app.response_class(body, mimetype="application/json"), slug, version)


def _thread_body(conn: Connection, thread: Thread, *, since: int, after: int, limit: int | None) -> bytes:
    """The JSON body of a thread page. The whole thread (the hot read: every page view that
    misses the cache) is concatenated by the database from each comment's stored JSON text
    (storage/thread_json.py); a page of top-level comments goes through public_view."""
    dumps = current_app.json.dumps
    if limit is None and not after:
        page = thread_json(conn, thread.slug, since)
        is_open = dumps(thread.open and not page.locked)
        return b"".join((f'{{"thread":{dumps(thread.slug)},"count":{page.count},"open":{is_open},'
                         f'"comments":['.encode(), page.comments, b'],"next":null}'))
    page = paged_thread_page(conn, thread.slug, limit=limit or ID_MAX, after=after, since=since)
    return dumps(dict(thread=thread.slug, count=page.count, open=thread.open and not page.locked,
                      comments=[public_view(comment) for comment in page.comments], next=page.next)).encode()


def _thread_response(response: Response, slug: str, version: str) -> Response:
    """The headers of a thread page, 200 and 304 alike: ETag (the view has answered a matching
    If-None-Match already: werkzeug's make_conditional would only parse it again), a fresh form
    token, and caching that shared caches may use (thread_cache_control): nothing in it is per
    reader."""
    headers = response.headers
    headers["ETag"] = f'"{version}"'  # the version is digits and dots: nothing to quote
    headers["X-Form-Token"] = issue_form_token(current_app.secret_key, slug)
    headers["Cache-Control"] = thread_cache_control(current_app.config)
    return response


def thread_cache_control(config) -> str:
    """`Cache-Control` of a thread page: public for THREAD_CACHE_SECONDS, then stale for
    THREAD_STALE_SECONDS while a cache revalidates; `no-cache` when THREAD_CACHE_SECONDS is 0."""
    fresh, stale = config["THREAD_CACHE_SECONDS"], config["THREAD_STALE_SECONDS"]
    if not fresh:
        return "no-cache"
    return f"public, max-age={fresh}" + (f", stale-while-revalidate={stale}" if stale else "")


@bp.post("/threads/<slug>/comments")
def create_comment(slug: str):
    """Store a comment. On SQLite a write request holds the writer's turn from its first
    statement until its connection goes back to the pool, and every POST of every worker waits
    for it: so the work that needs no database (reading and checking the body, the form proof,
    rendering the Markdown, the IP hash) is done before the first statement, and the connection
    is given back right after the commit, before the response is built."""
    thread = require_thread(slug)
    origin_allowed = security.origin_is_allowed()
    if not thread.open:
        raise APIError(403, "thread_closed", "Comments are closed for this article.")
    checked = checked_first(_checked_post, thread, origin_allowed)
    ip_hash = security.client_ip_hash()
    conn = db.connection()
    _require_open(conn, thread)  # before the body's refusal: a locked thread says so first
    fields, html = checked()
    row = posting.store_comment(conn, thread, fields, html, ip_hash)
    held = row.state == PENDING
    version = None if held else rebake.enqueue(conn, thread)  # baked after the commit, elsewhere
    conn.commit()
    db.release()
    return _created(thread, row, version)


def _checked_post(thread: Thread, origin_allowed: bool) -> tuple[dict[str, Any], str]:
    """The POST's fields, checked (400, 403 for a bad form proof, 415), and the comment's HTML."""
    fields = verified_fields(request_body(form_allowed=True), references=thread.references)
    security.reject_honeypot(fields["homepage"])
    security.require_form_proof(fields["form_token"], thread.slug, origin_allowed)
    return fields, rendered_text(fields["text"])


def _created(thread: Thread, row: Comment, version: int | None):
    """201 (published) or 202 (held) with the edit token; the no-JS form gets a 303 instead, to
    the page that shows the reader their comment (rebake.landing_url)."""
    held = row.state == PENDING
    if is_form_post():
        return redirect(rebake.landing_url(thread, row.id, held=held, version=version), 303)
    editable_until = as_utc(row.created) + timedelta(seconds=current_app.config["EDIT_WINDOW"])
    body = {"status": row.state, "comment": public_view(row),
            "edit_token": issue_edit_token(current_app.secret_key, row.id, stamp(row.created)),
            "editable_until": isoformat(editable_until)}
    return jsonify(body), 202 if held else 201


def _owned_comment(conn: Connection, comment_id: int) -> Comment:
    """The comment the request's `Authorization: Bearer <edit token>` grants; 403 / 404 else."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise APIError(403, "bad_token", "Editing needs the comment's edit token.")
    try:
        created = check_edit_token(current_app.secret_key, token.strip(), comment_id,
                                   current_app.config["EDIT_WINDOW"])
    except TokenRejected as problem:
        raise APIError(403, "bad_token", str(problem)) from None
    row = stored.get_comment(conn, comment_id)
    if row is None or row.deleted or stamp(row.created) != created:
        raise APIError(404, "unknown_comment", "This comment does not exist (any more).")
    if row.state == REJECTED:  # kept for the moderation record: its author can no longer change it
        raise APIError(403, "moderated", "A moderator has removed this comment; it can no longer be "
                                         "edited or deleted.")
    return row


@bp.patch("/comments/<int:comment_id>")
def edit_comment(comment_id: int):
    """200 with the edited comment; 202 "pending" when the edit of a published comment waits for
    a moderator (the mode holds this author): the published version stays, and is returned.
    The body is checked and rendered before the first statement, as create_comment's is."""
    security.origin_is_allowed()
    checked = checked_first(_checked_edit)
    conn = db.connection()
    row = _owned_comment(conn, comment_id)
    thread = require_thread(row.thread)
    _require_open(conn, thread)
    fields, html = checked()
    if row.state == APPROVED and posting.held_by_mode(conn, row.email):
        row = stored.propose_edit(conn, comment_id, text=fields["text"], html=html)
        conn.commit()
        return jsonify(status=PENDING, comment=public_view(row)), 202
    row = stored.edit_comment(conn, comment_id, text=fields["text"], html=html)
    if row.state == APPROVED:
        rebake.enqueue(conn, thread)
    conn.commit()
    return jsonify(status=row.state, comment=public_view(row))


def _checked_edit() -> tuple[dict[str, Any], str]:
    fields = verified_fields(request_body(form_allowed=False), EDIT_FIELDS)
    return fields, rendered_text(fields["text"])


@bp.delete("/comments/<int:comment_id>")
def delete_comment(comment_id: int):
    security.origin_is_allowed()
    conn = db.connection()
    owned = _owned_comment(conn, comment_id)
    placeholder = stored.delete_comment(conn, comment_id)
    thread = find_thread(owned.thread)
    if thread is not None and owned.state == APPROVED:
        rebake.enqueue(conn, thread)
    conn.commit()
    return jsonify(deleted=comment_id, comment=public_view(placeholder) if placeholder else None)


@bp.get("/counts")
def counts():
    slugs = request.args.getlist("thread")
    limit = current_app.config["MAX_COUNT_THREADS"]
    if len(slugs) > limit:
        raise APIError(400, "invalid", f"Ask for at most {limit} threads at once.",
                       {"thread": f"at most {limit} values"})
    if not all(is_plain_name(slug, SLUG_MAX) for slug in slugs):
        raise APIError(400, "invalid", "A `thread` is the slug of an article.",
                       {"thread": f"1-{SLUG_MAX} characters, no control characters"})
    return jsonify(stored.approved_counts(db.connection(), slugs) if slugs else {})


@bp.get("/health")
def health():
    """The truth about what the service can do: 503 when comments cannot be stored (database
    unreachable or read-only), 200 "degraded" when rate limits have fallen back to each worker's
    memory (their shared storage does not answer), else 200 "ok"."""
    try:
        ping(db.connection())
    except SQLAlchemyError:
        log.exception("health check: the database does not answer")
        return jsonify(status="unavailable", database="unreachable"), 503
    if not accepts_writes(db.engine()):
        log.error("health check: the database refuses writes (read-only)")
        return jsonify(status="unavailable", database="read-only"), 503
    if not security.rate_limit_storage_answers():
        return jsonify(status="degraded", rate_limits="per-worker memory: the shared storage does not answer")
    return jsonify(status="ok")


@bp.get("/openapi.yaml")
def openapi():
    return current_app.response_class(OPENAPI_SPEC.read_bytes(), mimetype="application/yaml")
