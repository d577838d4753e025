"""The comments service: a Flask app (flaskr shape) that stores, moderates and serves comments.

Run it with `flask --app comments_service run` or `gunicorn 'comments_service:create_app()'`.
Settings: comments_service/config.py, overridden by COMMENTS_* environment variables.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from . import config
from .tokens import development_secret_key

if TYPE_CHECKING:
    from flask import Flask

_MODERATION_MODES = ("none", "first", "all")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults from config.py, then COMMENTS_* variables, then `test_config`.

    Flask and the app's modules are imported here, not at the top: the site build imports
    `comments_service.storage`, `.bake` and `.tokens`, and should not pay for the web app."""
    from flask import Flask

    from . import (admin, api, db, errors, feeds, mail, privacy, security, subscriptions, threads,
                   transfer)

    app = Flask(__name__, instance_path=str(config.INSTANCE_PATH))
    app.json.sort_keys = False  # responses are built in a fixed key order; sorting only costs
    app.config.from_object(config)
    app.config.from_prefixed_env("COMMENTS")
    if test_config is not None:
        app.config.from_mapping(test_config)
    _check_settings(app)
    _ensure_secret_key(app)
    errors.init_app(app)
    db.init_app(app)
    threads.init_app(app)
    security.init_app(app)
    mail.init_app(app)
    api.init_app(app)
    app.register_blueprint(feeds.bp)
    subscriptions.init_app(app)
    admin.init_app(app)
    transfer.init_app(app)
    privacy.init_app(app)
    return app


def _check_settings(app: Flask) -> None:
    if app.config["MODERATION"] not in _MODERATION_MODES:
        raise RuntimeError(f"COMMENTS_MODERATION must be one of {', '.join(_MODERATION_MODES)}, "
                           f"not {app.config['MODERATION']!r}")


def _ensure_secret_key(app: Flask) -> None:
    """Production needs COMMENTS_SECRET_KEY; debug and testing get one kept in the instance folder
    so edit and form tokens survive restarts."""
    if app.config.get("SECRET_KEY"):
        return
    if not (app.debug or app.testing):
        raise RuntimeError("COMMENTS_SECRET_KEY is not set: set it to a long random string "
                           "(e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`), "
                           "the same for every worker of the service.")
    app.config["SECRET_KEY"] = development_secret_key(Path(app.instance_path))

