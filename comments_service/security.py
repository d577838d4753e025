"""Write defences and rate limits.

- Origin: a write whose `Origin` is neither the request's own origin nor in ALLOWED_ORIGINS is
  403, whatever else it carries. A write with no Origin at all must carry a valid form token.
- Form token (tokens.py): when present it must be valid, for this thread, and older than
  MIN_FILL_SECONDS (bots fill forms instantly) but younger than FORM_TOKEN_MAX_AGE.
- Honeypot: the `homepage` field is hidden from people; any value in it rejects the comment.
- Rate limits (per client address and endpoint; request_limits.py): every read (GET, HEAD) gets
  READ_RATE_LIMIT, every write WRITE_RATE_LIMIT; a blueprint with limits of its own
  (limit_blueprint, Flask-Limiter) gets those instead. Storage: RATELIMIT_STORAGE_URI (memory:// or
  Redis); the other RATELIMIT_* keys are Flask-Limiter's own. Counting a request is one storage
  command (fixed window: INCR and EXPIRE in one script); a 429 always says when to come back
  (Retry-After), whether or not RATELIMIT_HEADERS_ENABLED adds the X-RateLimit-* headers.
- Query string: raw bytes over 0x7F are percent-encoded before the app sees them.
"""

import hashlib
import hmac
import time

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from .core.privacy import hash_ip
from .core.tokens import TokenRejected, check_form_token
from .errors import APIError
from .request_limits import RESET_AT, RequestLimits

_LIMITER = "comments_limiter"
_REQUEST_LIMITS = "comments_request_limits"
_LIMITER_HOOKS = "comments_limiter_hooks"
_REDIS_TIMEOUT = 0.5  # seconds


def init_app(app: Flask) -> None:
    proxies = app.config["PROXY_COUNT"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.wsgi_app = _escaping_raw_query_bytes(app.wsgi_app)
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis", "rediss")):
        # A Redis that does not answer must cost a request half a second, not a hang: then the
        # limiter falls back to this worker's memory (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED).
        options = app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {})
        options.setdefault("socket_connect_timeout", _REDIS_TIMEOUT)
        options.setdefault("socket_timeout", _REDIS_TIMEOUT)
    limiter_ = app.extensions[_LIMITER] = _limiter_of_own_limits(app)
    counter = app.extensions[_REQUEST_LIMITS] = RequestLimits(
        app, limiter_.storage if limiter_.enabled else None)
    limiter_.request_filter(counter.counts)  # what the counter counts, Flask-Limiter does not
    app.before_request(counter.check)
    app.after_request(_retry_after)


def _limiter_of_own_limits(app: Flask) -> Limiter:
    """Flask-Limiter, its request hooks taken off the app: limit_blueprint gives them to the
    blueprints with limits of their own, the only requests it counts. On every other request
    (the thread GET above all) its hooks found nothing to do, at a cost of ~20 µs and three
    hook calls each."""
    hooks = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    before = [list(funcs.get(None, ())) for funcs in hooks]
    limiter_ = Limiter(get_remote_address, app=app)
    own = []
    for funcs, had in zip(hooks, before, strict=True):
        own.append([func for func in funcs.get(None, ()) if func not in had])
        funcs[None] = had
    # (before_request, after_request, teardown_request) hooks, plus ours on what they add.
    app.extensions[_LIMITER_HOOKS] = (own[0], [_without_per_reader_headers, *own[1]], own[2])
    return limiter_


def limit_blueprint(app: Flask, blueprint, *limit_args, **limit_options) -> None:
    """Give `blueprint` (registered on `app`) a limit of its own (Flask-Limiter's `limit`, same
    arguments) instead of READ_RATE_LIMIT / WRITE_RATE_LIMIT; call once per limit."""
    own_limits = app.extensions[_REQUEST_LIMITS].own_limits
    if blueprint.name not in own_limits:
        own_limits.add(blueprint.name)
        before, after, teardown = app.extensions[_LIMITER_HOOKS]
        # In the order they ran as the app's: before the blueprint's own before_request hooks (a
        # refused request is refused before its guard runs), after its own after_request hooks
        # (Flask runs those last-registered first, so they go first in the list).
        name = blueprint.name
        app.before_request_funcs[name] = [*before, *app.before_request_funcs.get(name, ())]
        app.after_request_funcs[name] = [*after, *app.after_request_funcs.get(name, ())]
        app.teardown_request_funcs[name] = [*teardown, *app.teardown_request_funcs.get(name, ())]
    limiter(app).limit(*limit_args, **limit_options)(blueprint)


def _retry_after(response):
    """Retry-After on a 429 the limiter refused, from its window (only a refusal reads it: the
    headers Flask-Limiter would add to every response cost two storage round trips each)."""
    if response.status_code == 429 and "Retry-After" not in response.headers:
        refused = current_app.extensions[_LIMITER].current_limit
        reset_at = g.get(RESET_AT) or (refused.reset_at if refused is not None else time.time() + 60)
        response.headers["Retry-After"] = str(max(1, int(reset_at - time.time())))
    return response


def _without_per_reader_headers(response):
    """A response that shared caches may keep (`Cache-Control: public`: the thread page) is served
    to every reader, so it carries no one reader's rate-limit counts (X-RateLimit-*)."""
    names = [name for name in response.headers.keys() if name.lower().startswith("x-ratelimit-")]
    if names and response.cache_control.public:
        for name in names:
            del response.headers[name]
    return response


def _escaping_raw_query_bytes(wsgi_app):
    """A query string is ASCII on the wire, but only gunicorn refuses one that is not: the
    development server passes raw bytes on, and Werkzeug's request.args and request.full_path
    raise UnicodeDecodeError on those that are not UTF-8 (a 500 on every page reading them).
    Percent-encoded, as a browser sends them, they reach each view as any bad value does."""
    def app(environ, start_response):
        query = environ.get("QUERY_STRING", "")
        if not query.isascii():  # PEP 3333: the raw bytes, decoded as latin-1
            environ["QUERY_STRING"] = "".join(char if char.isascii() else f"%{ord(char):02X}"
                                              for char in query)
        return wsgi_app(environ, start_response)
    return app


def rate_limit_storage_answers() -> bool:
    """False while the shared rate-limit storage does not answer (limits then count per worker)."""
    limiter_ = current_app.extensions[_LIMITER]
    if not limiter_.enabled:
        return True
    try:
        return bool(limiter_.storage.check())
    except Exception:  # noqa: BLE001 - any failure of the storage client means it does not answer
        return False


def limiter(app: Flask) -> Limiter:
    """The app's Flask-Limiter (one per app, so several apps never share one)."""
    return app.extensions[_LIMITER]


def origin_is_allowed() -> bool:
    """True when the request carries an allowed Origin, False when it carries none; a foreign
    Origin is a 403 at once."""
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    allowed = {request.host_url.rstrip("/"), *(o.rstrip("/") for o in current_app.config["ALLOWED_ORIGINS"])}
    if origin.rstrip("/") in allowed:
        return True
    raise APIError(403, "bad_origin", "Comments can only be sent from this site.")


def require_form_proof(form_token: str, slug: str, origin_allowed: bool) -> None:
    """Enforce the form token rules above (403 with a message the reader can act on)."""
    if not form_token:
        if origin_allowed:
            return
        raise APIError(403, "missing_token", "The form is incomplete. Please reload the page.")
    config = current_app.config
    try:
        check_form_token(current_app.secret_key, form_token, slug,
                         min_age=config["MIN_FILL_SECONDS"], max_age=config["FORM_TOKEN_MAX_AGE"])
    except TokenRejected as problem:
        raise APIError(403, "bad_token", str(problem)) from None


def reject_honeypot(homepage: str) -> None:
    if homepage:
        raise APIError(400, "rejected", "Your comment could not be accepted.")


def ip_hash_salt() -> str:
    """The salt of every stored IP hash: IP_HASH_SALT, else derived from SECRET_KEY."""
    return current_app.config["IP_HASH_SALT"] or hmac.new(
        current_app.secret_key.encode(), b"ip-hash-salt", hashlib.sha256).hexdigest()


def client_ip_hash() -> str | None:
    """The client address as stored: a salted hash (see ip_hash_salt)."""
    return hash_ip(ip_hash_salt(), request.remote_addr)
