"""The links in readers' mails (notify.py), under /api/subscriptions:

- GET  confirm?token=...      a page with a "Confirm" button; POST confirms reply notifications
  (double opt-in).
- GET  unsubscribe?token=...  a page with an "Unsubscribe" button; POST unsubscribes.
- GET  confirm-address?token=...  a page with a "Confirm" button; POST confirms the address of
  the approved comment the token names (MODERATION=first then publishes its comments at once).

A GET never changes anything: mail scanners and link previews fetch links, and must not
subscribe, unsubscribe or confirm anybody. The POST to the unsubscribe URL is also RFC 8058's
one-click unsubscribe, which mail providers send from their own servers with the body
`List-Unsubscribe=One-Click` and no Origin or cookies; so no POST asks for an Origin or a CSRF
token: the signed token in the URL is the credential (only the mailbox that received it has it),
and it names one subscription or comment. The only input read is `token`. Answers are small HTML
pages, errors too (400 bad or expired link, 404 subscription or comment gone, 429 too many
requests), sent with no-referrer (the token must not leak) and no-store. Rate limit:
SUBSCRIPTION_RATE_LIMIT.
"""

from flask import Blueprint, Flask, current_app, render_template, request
from werkzeug.exceptions import TooManyRequests

from . import db, security
from .core.comment import APPROVED
from .core.limits import TOKEN_MAX
from .core.storage.addresses import confirm_address as confirm_address_row
from .core.storage.comments import get_comment
from .core.storage.subscriptions import confirm_subscription, find_subscription, remove_subscription
from .core.times import stamp
from .core.tokens import TokenRejected, check_address_token, check_confirm_token, check_unsubscribe_token
from .errors import APIError

bp = Blueprint("subscriptions", __name__, url_prefix="/api/subscriptions")

_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    security.limit_blueprint(app, bp, app.config["SUBSCRIPTION_RATE_LIMIT"])


@bp.after_request
def _protect(response):
    response.headers.update(_SECURITY_HEADERS)
    return response


@bp.errorhandler(APIError)
def _api_error_page(error: APIError):
    return _page("This link does not work", error.message), error.status


@bp.errorhandler(TooManyRequests)
def _rate_limited_page(_error: TooManyRequests):
    return _page("Too many requests", "Please wait a little and try again."), 429


def _page(title: str, message: str, button: str = "") -> str:
    return render_template("subscription.html", title=title, message=message, button=button,
                           action=request.script_root + request.full_path)


def _token() -> str:
    token = request.args.get("token", "")
    if not token or len(token) > TOKEN_MAX:
        raise APIError(400, "bad_token", "This link is incomplete. Please open the whole link "
                                         "from the email.")
    return token


def _named_row(check) -> tuple[int, str]:
    """The (row id, creation stamp) the request's token names (`check`: the token check of its
    kind); 400 for a bad or expired token."""
    try:
        return check(_token())
    except TokenRejected as problem:
        raise APIError(400, "bad_token", str(problem)) from None


def _written(write, *args, title: str, message: str) -> str:
    """Do one write (`write(conn, *args)`) on the request's connection, commit, answer a page."""
    conn = db.connection()
    write(conn, *args)
    conn.commit()
    return _page(title, message)


def _subscription(check):
    """The subscription the request's token names (`check`: the token check of its kind)."""
    subscription = find_subscription(db.connection(), *_named_row(check))
    if subscription is None:
        raise APIError(404, "unknown_subscription",
                       "This subscription does not exist any more: it was cancelled, or its "
                       "comment was deleted.")
    return subscription


def _confirmable():
    return _subscription(lambda token: check_confirm_token(
        current_app.secret_key, token, current_app.config["SUBSCRIPTION_CONFIRM_MAX_AGE"]))


def _cancellable():
    return _subscription(lambda token: check_unsubscribe_token(current_app.secret_key, token))


@bp.get("/confirm")
def confirm_page():
    _confirmable()
    return _page("Confirm reply notifications",
                 "Press the button to get an email whenever someone replies to your comment.",
                 button="Confirm")


@bp.post("/confirm")
def confirm():
    """Idempotent: confirming twice is fine; after unsubscribing the old link gives 404."""
    return _written(confirm_subscription, _confirmable().id, title="Reply notifications are on",
                    message="You will get an email when someone replies to your comment. Each "
                            "one has a link to stop them.")


@bp.get("/unsubscribe")
def unsubscribe_page():
    _cancellable()
    return _page("Stop reply notifications",
                 "Press the button to stop the emails about replies to your comment.",
                 button="Unsubscribe")


@bp.post("/unsubscribe")
def unsubscribe():
    return _written(remove_subscription, _cancellable().id, title="Unsubscribed",
                    message="You will get no more emails about replies to your comment.")


def _approved_comment():
    """The published comment the request's address token names (404 once it was removed)."""
    comment_id, created = _named_row(lambda token: check_address_token(
        current_app.secret_key, token, current_app.config["SUBSCRIPTION_CONFIRM_MAX_AGE"]))
    comment = get_comment(db.connection(), comment_id)
    if (comment is None or comment.deleted or comment.state != APPROVED or not comment.email
            or stamp(comment.created) != created):
        raise APIError(404, "unknown_comment", "The comment this link was sent for is no longer "
                                               "published, so the link confirms nothing.")
    return comment


@bp.get("/confirm-address")
def confirm_address_page():
    _approved_comment()
    return _page("Confirm your email address",
                 "Press the button to have your next comments published without waiting for a "
                 "moderator.", button="Confirm")


@bp.post("/confirm-address")
def confirm_address():
    """Idempotent: confirming twice is fine."""
    return _written(confirm_address_row, _approved_comment().email, title="Your address is confirmed",
                    message="Your next comments with this address will be published at once.")
