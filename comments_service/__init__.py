"""The comments service: a Flask app (flaskr shape) on top of the Flask-free core (core/) that
stores, moderates and serves comments.

Run it with `flask --app comments_service run` or `gunicorn 'comments_service:create_app()'`.
Settings: core/defaults.py, resolved with COMMENTS_* variables by core/settings.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .core import settings

if TYPE_CHECKING:
    from flask import Flask

_MODERATION_MODES = ("none", "first", "all")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app from `settings.resolve(test_config)`: defaults, COMMENTS_* variables, then
    `test_config`.

    Flask and the app's modules are imported here, not at the top: the site build imports
    `comments_service.core`, and must not pay for (or depend on) the web app."""
    from flask import Flask

    from . import admin, api, db, errors, feeds, pages, privacy, reactions, rebake, security
    from . import subscriptions, threads
    from .notifications import mail
    from .transfer import cli as transfer_cli

    values = settings.resolve(test_config)
    app = Flask(__name__, instance_path=values["INSTANCE_PATH"])
    app.json.sort_keys = False  # responses are built in a fixed key order; sorting only costs
    app.config.update(values)
    app.config["SECRET_KEY"] = settings.secret_key(values, development=app.debug or app.testing)
    _check_settings(app)
    errors.init_app(app)
    db.init_app(app)
    threads.init_app(app)
    security.init_app(app)
    mail.init_app(app)
    rebake.init_app(app)
    api.init_app(app)
    reactions.init_app(app)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(pages.bp)
    subscriptions.init_app(app)
    admin.init_app(app)
    transfer_cli.init_app(app)
    privacy.init_app(app)
    return app


def _check_settings(app: Flask) -> None:
    if app.config["MODERATION"] not in _MODERATION_MODES:
        raise settings.SettingsError(f"COMMENTS_MODERATION must be one of {', '.join(_MODERATION_MODES)}, "
                                     f"not {app.config['MODERATION']!r}")
    settings.check_public_urls(app.config, development=app.debug or app.testing)
