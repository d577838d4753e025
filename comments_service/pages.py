"""The thread's HTML pages for readers without JavaScript (blueprint `pages`, under /api; their
templates in templates/pages/, no script, minimal and accessible):

- GET /api/threads/<slug>/reply/<id>: the comment replied to and the comment form with `parent`
  set and a fresh form token, posting to the normal endpoint (POST /api/threads/<slug>/comments),
  whose no-JS flow then lands back on the article at the new comment. 404 for a comment that is
  not published on this thread; 403 (saying so) when the thread is closed or locked.
- GET /api/threads/<slug>/all: the whole thread, rendered by the one section builder
  (core/section.py, no SECTION_TOP_LEVEL_MAX truncation) with a link back to the article: the
  target of the baked page's "Show all N comments". ETag (thread version and day: the page carries
  a form token) + If-None-Match -> 304.
- GET /api/threads/<slug>/posted/<id>?v=<version>: where the no-JS POST sends its reader
  (rebake.py): waits at most REBAKE_WAIT_SECONDS for the bake of `version`, then 303 to the
  article at the comment, or to the whole thread's page when the bake is late or the article's
  page does not show the comment. A `v` that is not a version goes straight to the whole thread.

Errors are small HTML pages, not the API's JSON: the reader followed a link.
"""

import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from markupsafe import Markup

from . import db, rebake
from .api import require_thread
from .core.comment import APPROVED
from .core.limits import ID_MAX
from .core.manifest import Thread
from .core.section import comment_node, render_section, section_context
from .core.storage.comments import get_comment, thread_page
from .core.storage.threads import thread_is_locked, thread_state
from .core.tokens import issue_form_token
from .errors import APIError
from .threads import thread_url

bp = Blueprint("pages", __name__, url_prefix="/api")

_DAY = 24 * 3600
_ERROR_TITLES = {"unknown_comment": "Comment not found", "unknown_thread": "Article not found"}


@bp.after_request
def _protect(response):
    """No script, no framing, forms only to this service (and API_URL's origin, where the
    section's forms post when it names another host)."""
    api_origin = "{0.scheme}://{0.netloc}".format(urlsplit(current_app.config["API_URL"]))
    form_action = "'self'" + (f" {api_origin}" if api_origin != "://" else "")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'unsafe-inline'; form-action {form_action}; "
        "frame-ancestors 'none'; base-uri 'none'")
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(APIError)
def _error_page(error: APIError):
    return _message(error.status, _ERROR_TITLES.get(error.code, "Comments"), error.message)


def _message(status: int, title: str, message: str, thread: Thread | None = None, comment=None):
    thread = thread or _thread_of_request()
    page = render_template("pages/message.html", title=title, message=message, thread=thread,
                           comment=comment, article_url=thread and thread_url(thread))
    return page, status


def _thread_of_request() -> Thread | None:
    try:
        return require_thread((request.view_args or {}).get("slug", ""))
    except APIError:
        return None


@bp.get("/threads/<slug>/reply/<int:comment_id>")
def reply(slug: str, comment_id: int):
    thread = require_thread(slug)
    conn = db.connection()
    parent = get_comment(conn, comment_id) if comment_id <= ID_MAX else None
    if parent is None or parent.thread != slug or parent.state != APPROVED:
        raise APIError(404, "unknown_comment", "There is no published comment to reply to at this address: "
                                               "it may have been removed.")
    comment = comment_node(parent)
    if not thread.open or thread_is_locked(conn, slug):
        return _message(403, "Comments are closed",
                        "Comments on this article are closed: this comment can no longer be replied to.",
                        thread, comment)
    return render_template("pages/reply.html", thread=thread, comment=comment,
                           article_url=thread_url(thread),
                           form_token=issue_form_token(current_app.secret_key, slug))


@bp.get("/threads/<slug>/all")
def whole_thread(slug: str):
    thread = require_thread(slug)
    conn = db.connection()
    state = thread_state(conn, slug)
    version = (f"all.{state.id}.{state.version}.{int(thread.open)}.{thread.references}."
               f"{int(time.time() // _DAY)}")
    if request.if_none_match.contains(version):
        response = current_app.response_class(status=304)
    else:
        page = thread_page(conn, slug)
        config = current_app.config
        context = section_context(config, current_app.secret_key, slug=slug, url=thread.url,
                                  comments=page.comments, is_open=thread.open and not page.locked,
                                  references=thread.references, whole=True)
        section = Markup(render_section(context, config))  # the partial escapes what readers wrote
        response = current_app.make_response(render_template(
            "pages/thread.html", thread=thread, section=section, article_url=thread_url(thread)))
    response.set_etag(version)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/threads/<slug>/posted/<int:comment_id>")
def posted(slug: str, comment_id: int):
    thread = require_thread(slug)
    version = request.args.get("v", "")
    if not (0 < len(version) <= 10 and version.isascii() and version.isdigit()
            and 0 < int(version) <= ID_MAX and comment_id <= ID_MAX):
        return redirect(url_for("pages.whole_thread", slug=slug, _anchor=f"comment-{comment_id}"), 303)
    return redirect(rebake.landing(thread, comment_id, int(version)), 303)
