"""Every error as `{"error": {"code", "message", "fields"?}}` JSON, or, for a form posted by the
no-JS comment form, as an HTML page in the site's look (templates/site_page.html) that says what
went wrong and what to do about it in plain words (`_ADVICE`), shows the messages next to the
fields, keeps what the reader typed and carries a fresh form token. Never a stack trace."""

import logging

from flask import Flask, current_app, g, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from .core.limits import TEXT_MAX
from .core.tokens import issue_form_token
from .threads import current_thread, site_link, thread_url

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait after a storage failure.
STORAGE_RETRY_AFTER = 30
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
_KEPT_FIELDS = ("author", "email", "website", "text", "parent", "notify", "about_reference",
                "about_paragraph", "kind")
#: The error page's heading for the no-JS forms other than the comment form (reactions.py).
_FORM_HEADINGS = {"reactions.vote": "Your vote was not counted",
                  "reactions.report": "Your report was not sent"}

#: What the reader of the no-JS error page can do, by error code (the message says what went wrong).
#: The page's form keeps their text and carries a fresh form token, so posting again works.
_ADVICE = {
    "invalid": "Correct the fields marked below, then post your comment again.",
    "too_many_links": "Remove some of the web addresses from your comment, then post it again.",
    "bad_token": "Your text is kept below in a fresh form: post it again.",
    "missing_token": "Your text is kept below in a fresh form: post it again.",
    "bad_origin": "Post your comment from the article's own page on this site.",
    "rejected": "If you filled in the form by hand, post it again from the article's page.",
    "unknown_parent": "The comment you replied to may have been removed: post yours as a new comment.",
    "rate_limited": "Wait a minute, then post again: your text is kept below.",
    "too_large": f"Your comment is far too long to be sent: shorten it to at most {TEXT_MAX:,} "
                 f"characters and post it again from the article's page.",
    "unavailable": "Nothing was saved. Try again in a minute: your text is kept below.",
    "thread_closed": "No new comments can be posted on this article.",
    "thread_locked": "No new comments can be posted on this article for now.",
}

#: (code, message) for the HTTP errors raised by Flask, Werkzeug and Flask-Limiter.
_HTTP_ERRORS = {
    400: ("bad_request", "The request could not be understood."),
    403: ("forbidden", "This action is not allowed."),
    404: ("not_found", "There is nothing here."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("too_large", "The comment is too long to be sent (64 KiB at most)."),
    415: ("unsupported_media_type", "Send JSON or a submitted form."),
    429: ("rate_limited", "Too many requests. Please wait a little and try again."),
    503: ("unavailable", "The service is not available right now."),
}


class APIError(Exception):
    """An error meant for the client: HTTP status, stable machine code, human message."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields


def init_app(app: Flask) -> None:
    app.register_error_handler(APIError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _storage_error)
    app.register_error_handler(PoolTimeout, _storage_error)  # every pooled connection busy too long
    app.register_error_handler(Exception, _unexpected_error)


def _api_error(error: APIError):
    return error_response(error)


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:  # routing redirects are not errors
        return error
    code, message = _HTTP_ERRORS.get(error.code, ("error", error.description or "Error."))
    response = error_response(APIError(error.code, code, message))
    if getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _storage_error(error: OperationalError | PoolTimeout):
    """The database failed under the request (disk full, read-only, unreachable, locked too
    long, or no pooled connection freed in time): nothing was stored, and trying again later
    may work, so 503 with Retry-After."""
    log.error("storage failed on %s %s: %s", request.method, request.path, getattr(error, "orig", error))
    response = error_response(APIError(503, "unavailable", "Comments cannot be saved or shown right "
                                                           "now. Please try again in a minute."))
    response.headers["Retry-After"] = str(STORAGE_RETRY_AFTER)
    return response


def _unexpected_error(error: Exception):
    log.exception("unexpected error on %s %s", request.method, request.path, exc_info=error)
    return error_response(APIError(500, "internal_error", "Something went wrong on our side."))


def is_form_post() -> bool:
    """True for the no-JS comment form, which must get HTML back rather than JSON."""
    return request.method == "POST" and request.mimetype in _FORM_TYPES


def error_response(error: APIError):
    if is_form_post():
        response = current_app.make_response((_form_error_page(error), error.status))
    else:
        body = {"code": error.code, "message": error.message}
        if error.fields:
            body["fields"] = error.fields
        response = jsonify(error=body)
        response.status_code = error.status
    return response


def _kept_input() -> dict[str, str]:
    """What the reader typed, or nothing when the body itself was the problem (e.g. too large)."""
    try:
        form = request.form
    except HTTPException:
        return {}
    return {name: form.get(name, "") for name in _KEPT_FIELDS}


def _form_error_page(error: APIError) -> str:
    thread = current_thread()
    form_token = issue_form_token(current_app.secret_key, thread.slug) if thread else ""
    heading = _FORM_HEADINGS.get(request.endpoint or "", "Your comment was not posted")
    return render_template("comment_error.html", error=error, fields=error.fields or {},
                           values=_kept_input(), thread=thread, thread_url=thread_url,
                           form_token=form_token, heading=heading, advice=_ADVICE.get(error.code, ""),
                           back_url=g.get("comments_back_url"), site_link=site_link)
