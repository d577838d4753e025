"""The comments service: a Flask app (flaskr shape) on top of the Flask-free core (core/) that
stores, moderates and serves comments.

Run it with `flask --app comments_service run` or `gunicorn 'comments_service:create_app()'`.
Settings: core/defaults.py, resolved with COMMENTS_* variables by core/settings.py.
"""

from __future__ import annotations

import functools
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

    try:
        values = settings.resolve(test_config)
        app = Flask(__name__, instance_path=values["INSTANCE_PATH"])
        # Flask asks inspect.iscoroutinefunction of every hook and view on every request, and
        # the answer per function never changes: 2.4% of a cached GET's instructions (callgrind).
        app.ensure_sync = functools.cache(app.ensure_sync)
        app.json.sort_keys = False  # responses are built in a fixed key order; sorting only costs
        app.config.update(values)
        development = app.debug or app.testing or _development_command_line(values)
        app.config["SECRET_KEY"] = settings.secret_key(values, development=development)
        _check_settings(app, development)
    except settings.SettingsError as problem:
        if _in_flask_command_line():  # one line for an operator at a prompt, not a traceback
            import click

            raise click.ClickException(str(problem)) from None
        raise
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


def _development_command_line(values: dict) -> bool:
    """True when `flask --app comments_service <command>` loads the app and nothing says
    production (neither COMMENTS_SECRET_KEY nor COMMENTS_SITE_URL is set): the command then runs
    with the development settings of `make serve` (the key kept in the instance folder), and says
    so on stderr, so that `set-password` works in a fresh checkout.

    Only the flask command line: gunicorn (or any other server) calls create_app() outside a
    click context and keeps the production refusal. A production host sets both variables
    (docs/deploy.md), so a missing key there is still the clear SettingsError."""
    import click

    if not _in_flask_command_line() or values["SECRET_KEY"] or values["SITE_URL"]:
        return False
    click.echo(f"Development: no COMMENTS_SECRET_KEY or COMMENTS_SITE_URL is set, so this command "
               f"uses the development settings of `make serve` (its key in {values['INSTANCE_PATH']}).",
               err=True)
    return True


def _in_flask_command_line() -> bool:
    """Whether the `flask` command line is loading the app (not gunicorn, not a test)."""
    import click
    from flask.cli import ScriptInfo

    context = click.get_current_context(silent=True)
    return context is not None and context.find_object(ScriptInfo) is not None


def _check_settings(app: Flask, development: bool) -> None:
    if app.config["MODERATION"] not in _MODERATION_MODES:
        raise settings.SettingsError(f"COMMENTS_MODERATION must be one of {', '.join(_MODERATION_MODES)}, "
                                     f"not {app.config['MODERATION']!r}")
    settings.check_public_urls(app.config, development=development)
