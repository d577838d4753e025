"""The moderator's session and the guard in front of every /admin page.

- Only URLs under URL_PREFIX have a session. AdminSessionInterface is the whole app's session
  interface (init_app installs it) so that the public API neither reads nor signs one: a session
  cookie sent there is ignored.
- The cookie is Flask's signed one, always HttpOnly and SameSite=Strict, Secure on https requests
  (or always: SESSION_COOKIE_SECURE). It carries the CSRF token and a random session id; the
  login itself is a row of the database (core/storage/moderator_sessions.py, keyed by the id's
  SHA-256), so the cookie alone proves nothing: logging out deletes the row, and a copy of the
  cookie is refused after it by every worker on every host.
- A login is void once idle for ADMIN_SESSION_IDLE_SECONDS, once older than
  PERMANENT_SESSION_LIFETIME (however busy), and as soon as its moderator is removed from
  ADMIN_USERS or their password hash changes (the row keeps a fingerprint of the hash it logged in
  with). A request records its session's use at most once a minute (TOUCH_INTERVAL).
- The session rows are read and written on short connections of their own, each closed before
  the next opens (never the request's: on SQLite a POST's connection holds the write lock).
- `guard` runs before every /admin view: with no accounts the page is a 404 saying so; a POST
  without the session's CSRF token is refused (missing -> 400, wrong -> 403, compared in constant
  time), login and logout included; anything but the login page and the stylesheet needs a
  moderator (g.moderator) or redirects to the login page.
- Every response under URL_PREFIX carries SECURITY_HEADERS, error pages and unknown URLs included.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import Flask, current_app, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface

from .. import db
from ..core.storage import moderator_sessions as stored
from ..core.storage.database import connect
from ..core.times import as_utc, utcnow
from ..errors import APIError
from . import accounts

URL_PREFIX = "/admin"
#: No script at all and only the blueprint's own stylesheet; no framing, no referrer, no caching
#: (pages show email addresses).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}
#: What can be reached without logging in: the login page and the stylesheet it needs.
_PUBLIC_ENDPOINTS = frozenset({"admin.login", "admin.static"})
#: A session's last use is written at most this often (a write per page would cost more).
TOUCH_INTERVAL = timedelta(minutes=1)


class AdminSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session (only the moderation pages use it), always HttpOnly and
    SameSite=Strict, and Secure on https requests as well as when SESSION_COOKIE_SECURE says so."""

    def get_cookie_httponly(self, app: Flask) -> bool:
        return True

    def get_cookie_samesite(self, app: Flask) -> str:
        return "Strict"

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or request.is_secure

    def open_session(self, app: Flask, request):
        """Only /admin has a session: elsewhere (the public API) none is read or signed, and a
        session cookie sent there is ignored."""
        if not request.path.startswith(f"{URL_PREFIX}/"):
            return None
        return super().open_session(app, request)


# Login state -------------------------------------------------------------------------------------

def _fingerprint(password_hash: str) -> str:
    """Ties a session to the password hash it logged in with: a new hash ends old sessions."""
    return hmac.new(current_app.secret_key.encode(), password_hash.encode(), hashlib.sha256).hexdigest()


def _hashed(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _lifetimes() -> dict:
    return {"idle": timedelta(seconds=current_app.config["ADMIN_SESSION_IDLE_SECONDS"]),
            "lifetime": current_app.permanent_session_lifetime}


def current_moderator() -> str | None:
    """The moderator this request's session belongs to, if it is still live (recording its use)."""
    session_id = session.get("sid")
    if not isinstance(session_id, str):
        return None
    now = utcnow()
    with connect(db.engine()) as conn:  # closed before the view opens the request's connection
        row = stored.live_session(conn, _hashed(session_id), now=now, **_lifetimes())
    password_hash = accounts.stored_hash(row.moderator) if row is not None else None
    if password_hash is None or not hmac.compare_digest(row.password_key, _fingerprint(password_hash)):
        return None
    if now - as_utc(row.last_seen) >= TOUCH_INTERVAL:
        with connect(db.engine(), write=True) as conn:
            stored.touch_session(conn, row.id_hash, now)
            conn.commit()
    return row.moderator


def start_session(name: str) -> None:
    """A fresh session (nothing carried over from before the login) for moderator `name`, stored
    with a new random id; sessions that have expired meanwhile are cleared away."""
    session.clear()
    session.permanent = True
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    with connect(db.engine(), write=True) as conn:
        stored.purge_expired_sessions(conn, now=now, **_lifetimes())
        stored.start_session(conn, _hashed(session_id), name, _fingerprint(accounts.stored_hash(name)), now)
        conn.commit()
    session["sid"] = session_id
    csrf_token()


def end_session() -> None:
    """Log out: the stored session is deleted (for every worker), and the login, the CSRF token
    and everything else in the cookie go."""
    session_id = session.get("sid")
    if isinstance(session_id, str):
        with connect(db.engine(), write=True) as conn:
            stored.end_session(conn, _hashed(session_id))
            conn.commit()
    session.clear()


# CSRF, access and headers ------------------------------------------------------------------------

def csrf_token() -> str:
    """This session's CSRF token (created on first use); every admin form posts it back."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _check_csrf() -> None:
    sent = request.form.get("csrf_token", "")
    if not sent:
        raise APIError(400, "csrf_missing", "The form has no security token. Reload the page and try again.")
    expected = str(session.get("csrf", ""))
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise APIError(403, "csrf_invalid", "The form's security token is wrong or has expired. "
                                            "Reload the page (with cookies on) and try again.")


def guard():
    """Off without accounts; CSRF check on every POST; log in before anything but the login page.
    The blueprint's before_request hook."""
    if not current_app.config["ADMIN_USERS"]:
        return render_template("admin/disabled.html"), 404
    if request.method == "POST":
        _check_csrf()
    g.moderator = current_moderator()
    if g.moderator is None and request.endpoint not in _PUBLIC_ENDPOINTS:
        return redirect(url_for("admin.login"), 303)
    return None


def security_headers(response):
    """The headers of every response under /admin, error pages and unknown URLs included. An
    after_app_request hook: a URL no route matches never reaches the blueprint's own hooks."""
    if request.path == URL_PREFIX or request.path.startswith(URL_PREFIX + "/"):
        response.headers.update(SECURITY_HEADERS)
    return response
