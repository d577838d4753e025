"""The moderation UI at /admin/: server-rendered pages, no JavaScript (docs/moderation.md).

Contract: with no ADMIN_USERS configured every /admin page is a 404 saying so. Otherwise only a
logged-in moderator gets past the login page; every form carries the session's CSRF token; every
/admin response carries headers allowing no script and no framing; all /admin pages share
ADMIN_RATE_LIMIT instead of the API's read/write limits, and login attempts are also throttled
per client (ADMIN_LOGIN_RATE_LIMIT) before the password is looked at. Every action a moderator
takes is logged (core/moderation.py) and re-bakes the article when readers would see it.

- accounts.py: who may log in (ADMIN_USERS, password checks);
- sessions.py: the session cookie, the guard before every page, CSRF, security headers;
- forms.py: the pages' input, parsed into clean values or a 400;
- views.py: the blueprint `bp` and its pages;
- cli.py: `flask --app comments_service set-password NAME`.
"""

from flask import Flask, request

from .. import security
from . import accounts, cli, sessions
from .views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """Check ADMIN_USERS (a bad value stops the start), install the /admin-only session, register
    the pages with their rate limits, and add the set-password command.

    Both limits are the blueprint's, checked before any view or guard runs: ADMIN_RATE_LIMIT on
    every page, ADMIN_LOGIN_RATE_LIMIT on login POSTs too (its own counter). A limit used as a
    context manager inside the view would, after its first use, make Flask-Limiter skip the
    blueprint's limit on that endpoint for GET as well."""
    app.config["ADMIN_USERS"] = accounts.checked_users(app.config["ADMIN_USERS"])
    app.session_interface = sessions.AdminSessionInterface()
    app.register_blueprint(bp)
    security.limit_blueprint(app, bp, app.config["ADMIN_RATE_LIMIT"])
    security.limit_blueprint(app, bp, app.config["ADMIN_LOGIN_RATE_LIMIT"], methods=["POST"],
                             scope="admin-login", exempt_when=_not_a_login)
    app.cli.add_command(cli.set_password_command)


def _not_a_login() -> bool:
    return request.endpoint != "admin.login"
