"""create_app: configuration order and the secret key rules."""

import pytest

from comments_service import create_app
from comments_service.core import defaults
from comments_service.db import engine as app_engine


@pytest.fixture
def make_app(app_config):
    apps = []

    def _make(**overrides):
        app = create_app({key: value for key, value in (app_config | overrides).items() if value is not None})
        apps.append(app)
        return app

    yield _make
    for app in apps:
        with app.app_context():
            app_engine().dispose()


def test_missing_secret_key_outside_testing_is_a_clear_error(make_app):
    with pytest.raises(RuntimeError, match="COMMENTS_SECRET_KEY is not set"):
        make_app(SECRET_KEY=None, TESTING=False)


def test_testing_without_key_generates_one_and_keeps_it(make_app, tmp_path):
    instance = str(tmp_path / "instance")
    first = make_app(SECRET_KEY=None, INSTANCE_PATH=instance)
    second = make_app(SECRET_KEY=None, INSTANCE_PATH=instance)
    assert len(first.secret_key) == 64 and first.secret_key == second.secret_key
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_environment_overrides_defaults_and_test_config_overrides_environment(make_app, monkeypatch):
    monkeypatch.setenv("COMMENTS_MODERATION", "all")
    monkeypatch.setenv("COMMENTS_MAX_LINKS", "5")
    monkeypatch.setenv("COMMENTS_RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("COMMENTS_RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setenv("COMMENTS_EDIT_WINDOW", "60")
    app = make_app(EDIT_WINDOW=120)
    assert app.config["MODERATION"] == "all" and app.config["MAX_LINKS"] == 5
    assert app.config["RATELIMIT_ENABLED"] is False and app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert app.config["EDIT_WINDOW"] == 120
    assert app.config["MIN_FILL_SECONDS"] == defaults.MIN_FILL_SECONDS


def test_unknown_moderation_mode_is_refused(make_app):
    with pytest.raises(RuntimeError, match="COMMENTS_MODERATION must be one of none, first, all"):
        make_app(MODERATION="sometimes")

