"""Readers' reactions under /api (contract: docs/api.md, docs/openapi.yaml): votes and reports on
published comments, and the Markdown preview of the comment form.

- POST /api/comments/<id>/vote: JSON {"value": 1 | -1 | 0} (0 withdraws), or the no-JS form's
  value=up|down|none -> 200 {"id", "likes", "dislikes", "vote"}; the form gets a 303 to
  `<article>#comment-<id>`. A vote that changes the counts queues a re-bake of the article (rebake.py).
- POST /api/comments/<id>/report: JSON {"reason": "spam" | "abuse" | "off-topic"}, or the form
  -> 202 {"id", "reported": true}, again for a repeated report (nothing changes); the form gets a
  303 to `<article>#comment-<id>-reported`. The report that reaches REPORT_HOLD_AFTER holds the
  comment for the moderators (core/reactions.py), mails them, and re-bakes the article.
- POST /api/preview: JSON {"text"} -> 200 {"html"}, rendered with the checks a posted comment
  gets (api.verified_fields for the length, api.rendered_text for MAX_LINKS).

A reader is a signed random id in the cookie `comments_reader` (tokens.issue_reader_token; set
with the first vote or report: HttpOnly, SameSite=Lax, Path=/api, a year, Secure over https),
stored as its HMAC (privacy.reader_digest), together with the hash of their address: the same
cookie OR the same address counts as the same reader. Only published comments of an article in
the manifest take votes and reports; anything else is 404. Both are writes: a foreign Origin is
403, a form without Origin needs the thread's form token (security.py), WRITE_RATE_LIMIT applies.
The preview changes nothing: READ_RATE_LIMIT (its own blueprint, for its own limit).
"""

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from flask import Blueprint, Flask, Response, current_app, g, jsonify, redirect, request
from sqlalchemy import Connection

from . import db, rebake, security
from .bodies import rendered_text, request_body, verified_fields
from .core import reactions
from .core.comment import APPROVED, Comment
from .core.limits import ID_MAX, TOKEN_MAX
from .core.manifest import Thread
from .core.privacy import reader_digest
from .core.settings import SettingsError
from .core.storage.comments import get_comment
from .core.storage.reports import REASONS
from .core.storage.votes import DOWN, NONE, UP, VALUES, NotPublished, cast_vote
from .core.tokens import check_reader_token, issue_reader_token
from .core.validation import EDIT_FIELDS
from .errors import APIError, is_form_post
from .notifications import notify
from .threads import find_thread, thread_url

bp = Blueprint("reactions", __name__, url_prefix="/api")
preview_bp = Blueprint("preview", __name__, url_prefix="/api")

READER_COOKIE = "comments_reader"
READER_COOKIE_MAX_AGE = 365 * 24 * 3600
#: The no-JS vote form's buttons (name="value").
FORM_VOTES = {"up": UP, "down": DOWN, "none": NONE}


def init_app(app: Flask) -> None:
    hold_after = app.config["REPORT_HOLD_AFTER"]
    if isinstance(hold_after, bool) or not isinstance(hold_after, int) or hold_after < 1:
        raise SettingsError(f"COMMENTS_REPORT_HOLD_AFTER must be a whole number, 1 or more, not {hold_after!r}")
    app.register_blueprint(bp)
    app.register_blueprint(preview_bp)
    security.limit_blueprint(app, preview_bp, app.config["READ_RATE_LIMIT"])


class Reader(NamedTuple):
    """Who reacts: the digest stored for their cookie, their address's hash, and the cookie
    value to give them when they came without a valid one."""

    digest: str
    ip_hash: str | None
    new_cookie: str | None


def _reader() -> Reader:
    secret_key = current_app.secret_key
    reader_id = check_reader_token(secret_key, request.cookies.get(READER_COOKIE, ""))
    new_cookie = None
    if reader_id is None:
        reader_id, new_cookie = issue_reader_token(secret_key)
    return Reader(reader_digest(secret_key, reader_id), security.client_ip_hash(), new_cookie)


def _answer(reader: Reader, thread: Thread, fragment: str, body: dict[str, Any], status: int,
            landing: str | None = None) -> Response:
    """JSON for the widget, a 303 back to the article (at `fragment`; or to `landing`, the page
    that waits for a queued re-bake) for the no-JS form; either way with the reader's cookie
    when they are new."""
    if is_form_post():
        response = redirect(landing or thread_url(thread) + fragment, 303)
    else:
        response = jsonify(body)
        response.status_code = status
    if reader.new_cookie:
        response.set_cookie(READER_COOKIE, reader.new_cookie, max_age=READER_COOKIE_MAX_AGE,
                            path=request.script_root + bp.url_prefix, secure=request.is_secure,
                            httponly=True, samesite="Lax")
    return response


def _unknown_comment() -> APIError:
    return APIError(404, "unknown_comment", "This comment does not exist (any more).")


def _published(conn: Connection, comment_id: int) -> tuple[Comment, Thread]:
    """The published comment `comment_id` and its article; 404 for anything else."""
    row = get_comment(conn, comment_id) if comment_id <= ID_MAX else None
    thread = find_thread(row.thread) if row is not None else None
    if row is None or row.deleted or row.state != APPROVED or thread is None:
        raise _unknown_comment()
    g.comments_back_url = thread_url(thread) + f"#comment-{comment_id}"  # for a form's error page
    return row, thread


def _fields(name: str) -> tuple[Any, str]:
    """The body's field `name` and its optional `form_token`; 400 for any other field."""
    data = request_body(form_allowed=True)
    if not isinstance(data, Mapping):
        raise APIError(400, "invalid", "Please correct the marked fields.",
                       {"body": "must be an object of named fields"})
    problems = {key: "is not a known field" for key in data if key not in (name, "form_token")}
    if name not in data:
        problems[name] = "is required"
    token = data.get("form_token", "")
    if not isinstance(token, str) or len(token) > TOKEN_MAX:
        problems["form_token"] = f"must be text of at most {TOKEN_MAX} characters"
    if problems:
        raise APIError(400, "invalid", "Please correct the marked fields.", problems)
    return data[name], token.strip()


def _vote_value() -> tuple[int, str]:
    value, token = _fields("value")
    if is_form_post():
        if value in FORM_VOTES:
            return FORM_VOTES[value], token
        expected = "up, down or none"
    elif type(value) is int and value in VALUES:  # not True / False, which equal 1 / 0
        return value, token
    else:
        expected = "1, -1 or 0"
    raise APIError(400, "invalid", "A vote is up, down or none.", {"value": f"must be {expected}"})


def _report_reason() -> tuple[str, str]:
    reason, token = _fields("reason")
    if reason not in REASONS:
        raise APIError(400, "invalid", "Please say why you report this comment.",
                       {"reason": f"must be one of {', '.join(REASONS)}"})
    return reason, token


def _reaction(comment_id: int, read_field: Callable[[], tuple[Any, str]]):
    """What a vote and a report both start with: the origin and form checks, the published
    comment and its article, the body's one field (`read_field`), and who the reader is."""
    origin_allowed = security.origin_is_allowed()
    conn = db.connection()
    row, thread = _published(conn, comment_id)
    value, form_token = read_field()
    security.require_form_proof(form_token, thread.slug, origin_allowed)
    return conn, row, thread, value, _reader()


@bp.post("/comments/<int:comment_id>/vote")
def vote(comment_id: int):
    conn, row, thread, value, reader = _reaction(comment_id, _vote_value)
    try:
        votes = cast_vote(conn, row.id, voter=reader.digest, ip_hash=reader.ip_hash, value=value)
    except NotPublished:  # held or deleted by a request that committed since _published
        conn.rollback()
        raise _unknown_comment() from None
    version = rebake.enqueue(conn, thread) if votes.changed else None
    conn.commit()
    body = {"id": row.id, "likes": votes.likes, "dislikes": votes.dislikes, "vote": votes.vote}
    # The no-JS voter lands, like a poster, where the page shows the new counts.
    landing = None if version is None else rebake.landing_url(thread, row.id, held=False, version=version)
    return _answer(reader, thread, f"#comment-{row.id}", body, 200, landing)


@bp.post("/comments/<int:comment_id>/report")
def report(comment_id: int):
    conn, row, thread, reason, reader = _reaction(comment_id, _report_reason)
    try:
        held = reactions.report(conn, row, reporter=reader.digest, ip_hash=reader.ip_hash, reason=reason,
                                hold_after=current_app.config["REPORT_HOLD_AFTER"])
    except NotPublished:
        conn.rollback()
        raise _unknown_comment() from None
    if held:
        notify.comment_held(conn, row.id)  # queued in this transaction, sent after the commit
        rebake.enqueue(conn, thread)
    conn.commit()
    return _answer(reader, thread, f"#comment-{row.id}-reported", {"id": row.id, "reported": True}, 202)


@preview_bp.post("/preview")
def preview():
    """The comment's HTML as it would be posted; the same 400s as posting it."""
    security.origin_is_allowed()
    text = verified_fields(request_body(form_allowed=False), EDIT_FIELDS)["text"]
    return jsonify(html=rendered_text(text))
