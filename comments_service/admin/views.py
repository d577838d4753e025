"""The pages of the moderation UI and the blueprint they hang on (`bp`, named "admin").

Each view reads its input through forms.py (bad input -> APIError 400), acts through
core/moderation.py in one transaction, commits, and only then has effects outside the database:
re-baking the article's static page when readers would see the change (rebake.py, a no-op
without SITE_DIR) and, for approvals, mailing reply notifications and address confirmations
(MODERATION=first). A successful action answers with a 303 redirect and a flashed message saying
what was done. Errors are admin/error.html pages, not the API's JSON.

The guard and headers come from sessions.py, the password check from accounts.py: this module
imports them, never the reverse.
"""

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from .. import db, rebake
from ..core import moderation
from ..core.comment import APPROVED, STATES
from ..core.limits import ID_MAX, MODERATOR_NAME_MAX
from ..core.render import render
from ..core.section import display_time
from ..core.storage.comments import get_comment
from ..core.storage.moderation_log import log_entries
from ..core.storage.reports import reports_of
from ..core.storage.threads import thread_is_locked
from ..core.times import isoformat
from ..core.validation import EDIT_FIELDS, InvalidInput, verify
from ..errors import APIError
from ..notifications import notify
from ..threads import Thread, find_thread, thread_url
from . import accounts, forms, sessions

# The stylesheet stays in comments_service/static/admin/ (package data); "admin" as the folder's
# name keeps its URL at /admin/admin/<file>.
bp = Blueprint("admin", __name__, url_prefix=sessions.URL_PREFIX, static_folder="../static/admin")

#: Messages for the HTTP errors an admin page can meet (others use Werkzeug's description).
_HTTP_MESSAGES = {
    404: "There is nothing here.",
    405: "This page does not accept that method.",
    413: "The form is too large to be sent.",
    429: "Too many requests or login attempts. Please wait a minute and try again.",
}

# Every /admin request passes the guard (accounts on, CSRF token, login) before its view runs;
# the headers hook is app-wide so that /admin URLs no route matches get the headers too.
bp.before_request(sessions.guard)
bp.after_app_request(sessions.security_headers)


@bp.context_processor
def _template_helpers() -> dict[str, Any]:
    """What the admin templates use: `csrf_token` for every form, `here` for the forms' `next`,
    times, flags and states in words (core/moderation.py), and, once logged in, `held`: how many
    comments the Held page lists (shown in the navigation)."""
    logged_in = bool(g.get("moderator"))
    return {"csrf_token": sessions.csrf_token, "find_thread": find_thread, "thread_url": thread_url,
            "isoformat": isoformat, "display_time": display_time,
            "here": request.script_root + request.full_path.rstrip("?"),
            "states": STATES, "approved": APPROVED, "flag_words": moderation.flag_words,
            "state_words": moderation.STATE_WORDS,
            "held": _held_count() if logged_in else None}


def _held_count() -> int | None:
    """The Held page's count, or None (the link shows no number) when storage fails: the page
    being rendered may be the one saying so."""
    try:
        return moderation.held_count(db.connection())
    except SQLAlchemyError:
        return None


@bp.errorhandler(APIError)
def _api_error(error: APIError):
    return render_template("admin/error.html", status=error.status, message=error.message), error.status


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:  # routing redirects are not errors
        return error
    message = _HTTP_MESSAGES.get(error.code, error.description)
    return render_template("admin/error.html", status=error.code, message=message), error.code


# Pages -------------------------------------------------------------------------------------------

def _known_thread(slug: str) -> Thread:
    thread = find_thread(slug)
    if thread is None:
        raise APIError(404, "unknown_thread", "There is no article with comments at this address.")
    return thread


def _rebake(slugs: Iterable[str]) -> None:
    """Update the static pages of these articles (each once)."""
    for slug in set(slugs):
        thread = find_thread(slug)
        if thread is not None:
            rebake.rebake_article(thread)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if g.moderator:
            return redirect(url_for("admin.queue"), 303)
        return render_template("admin/login.html", name="")
    name = request.form.get("name", "")  # ADMIN_LOGIN_RATE_LIMIT was checked before (__init__.py)
    moderator = accounts.authenticate(name, request.form.get("password", ""))
    if moderator is None:
        return render_template("admin/login.html", name=name[:MODERATOR_NAME_MAX],
                               error="Wrong name or password."), 403
    sessions.start_session(moderator)
    return redirect(url_for("admin.queue"), 303)


@bp.post("/logout")
def logout():
    sessions.end_session()
    flash("You are logged out.")
    return redirect(url_for("admin.login"), 303)


@bp.get("/")
def queue():
    """Comments in one state (held by default), newest first, with the per-comment and bulk forms,
    and what readers reported of them (count and reasons)."""
    state, kind = forms.state(), forms.kind()
    conn = db.connection()
    page = moderation.comments_in_state(conn, state, page=forms.page_number(),
                                        size=current_app.config["ADMIN_PAGE_SIZE"], kind=kind)
    reports = reports_of(conn, [row.id for row in page.rows])
    return render_template("admin/queue.html", state=state, kind=kind, page=page, reports=reports)


@bp.post("/moderate")
def moderate():
    """Approve, reject, delete, pick or unpick one comment or many (the bulk form posts several
    `ids`), or approve or reject the edits their authors proposed. A pick's `reason` is its
    public note."""
    action = forms.action()
    comment_ids = forms.comment_ids()
    reason = forms.reason()
    public = forms.show_publicly(action, reason)
    conn = db.connection()
    changed = moderation.moderate(conn, g.moderator, action, comment_ids, reason=reason, public=public)
    if action == moderation.APPROVE:
        # In the approval's transaction: a rolled-back approval mails nobody, and a worker dying
        # after the commit loses no mail.
        for row in changed:
            notify.notify_reply_published(row, conn)
        notify.ask_to_confirm_addresses(changed, conn)
    conn.commit()
    _rebake(row.thread for row in changed if moderation.readers_see(action, row))
    flash(f"{action.capitalize()}: {len(changed)} of {len(comment_ids)} selected comments "
          f"(the others were already in that state or gone).")
    return redirect(forms.next_url(), 303)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit(comment_id: int):
    """Correct a comment's text; it is rendered and sanitised like a reader's."""
    conn = db.connection()
    row = get_comment(conn, comment_id) if comment_id <= ID_MAX else None  # no bigger id binds
    if row is None or row.deleted:
        raise APIError(404, "unknown_comment", "This comment does not exist (any more).")
    if request.method == "GET":
        return render_template("admin/edit.html", comment=row, text=row.text)
    try:
        text = verify({"text": request.form.get("text", "")}, EDIT_FIELDS)["text"]
    except InvalidInput as problem:
        return render_template("admin/edit.html", comment=row, text=request.form.get("text", ""),
                               error=f"The text {problem.fields['text']}."), 400
    moderation.edit(conn, g.moderator, row, text=text, html=render(text), reason=forms.reason())
    conn.commit()
    if row.state == APPROVED:
        _rebake([row.thread])
    flash(f"Comment #{row.id} edited.")
    return redirect(forms.next_url(), 303)


@bp.get("/threads/<slug>")
def thread(slug: str):
    """One article's comments in every state, a page at a time, its editors' picks and its lock
    switch."""
    article = _known_thread(slug)
    conn = db.connection()
    page = moderation.thread_comments(conn, slug, page=forms.page_number(),
                                      size=current_app.config["ADMIN_PAGE_SIZE"])
    return render_template("admin/thread.html", thread=article, page=page,
                           picks=moderation.thread_picks(conn, slug), locked=thread_is_locked(conn, slug))


@bp.post("/threads/<slug>/lock")
def lock(slug: str):
    """Lock (no new comments or edits by readers) or unlock a thread."""
    article = _known_thread(slug)
    locked = forms.locked()
    conn = db.connection()
    moderation.set_thread_locked(conn, g.moderator, slug, locked, forms.reason())
    conn.commit()
    rebake.rebake_article(article)
    flash(f"Comments on “{article.title}” are now {'locked' if locked else 'open'}.")
    return redirect(url_for("admin.thread", slug=slug), 303)


@bp.get("/log")
def log():
    page = log_entries(db.connection(), page=forms.page_number(),
                                  size=current_app.config["ADMIN_PAGE_SIZE"])
    return render_template("admin/log.html", page=page)
