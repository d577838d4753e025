"""The one settings resolver: precedence, environment parsing, derived paths, the secret key."""

from pathlib import Path

import pytest

from comments_service.core import defaults, settings
from comments_service.core.settings import SettingsError, resolve, secret_key

ROOT = Path(__file__).resolve().parents[3]


def test_defaults_then_environment_then_overrides():
    environ = {"COMMENTS_MAX_LINKS": "5", "COMMENTS_EDIT_WINDOW": "60", "OTHER_MAX_LINKS": "9"}
    values = resolve({"EDIT_WINDOW": 120}, environ=environ)
    assert values["MAX_LINKS"] == 5 and values["EDIT_WINDOW"] == 120
    assert values["MIN_FILL_SECONDS"] == defaults.MIN_FILL_SECONDS


def test_environment_values_are_json_where_they_can_be():
    values = resolve(environ={"COMMENTS_RATELIMIT_ENABLED": "false", "COMMENTS_MODERATION": "all",
                              "COMMENTS_ALLOWED_ORIGINS": '["https://a.example"]'})
    assert values["RATELIMIT_ENABLED"] is False and values["MODERATION"] == "all"
    assert values["ALLOWED_ORIGINS"] == ["https://a.example"]


def test_double_underscore_sets_one_key_of_a_dict_without_touching_the_defaults():
    values = resolve(environ={"COMMENTS_ADMIN_USERS__alice": "hash-a", "COMMENTS_ADMIN_USERS__bob": "hash-b"})
    assert values["ADMIN_USERS"] == {"alice": "hash-a", "bob": "hash-b"}
    assert defaults.ADMIN_USERS == {} and resolve(environ={})["ADMIN_USERS"] == {}


def test_paths_derive_from_the_instance_folder(tmp_path):
    values = resolve({"INSTANCE_PATH": str(tmp_path)}, environ={})
    assert values["DATABASE_URL"] == f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    explicit = resolve({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "postgresql+psycopg://db/x"}, environ={})
    assert explicit["DATABASE_URL"] == "postgresql+psycopg://db/x"


def test_a_checkout_keeps_its_instance_and_output_folders():
    values = resolve(environ={})
    assert values["INSTANCE_PATH"] == str(ROOT / "instance")
    assert values["THREADS_MANIFEST"] == str(ROOT / "output" / "comments" / "threads.json")


def test_an_installed_package_uses_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "PACKAGE_DIR", tmp_path / "site-packages" / "comments_service")
    monkeypatch.chdir(tmp_path)
    assert resolve(environ={})["INSTANCE_PATH"] == str(tmp_path / "instance")


def test_api_url_is_one_setting_without_a_trailing_slash():
    assert resolve(environ={})["API_URL"] == "/api"
    assert resolve(environ={"COMMENTS_API_URL": "https://c.example/api/"})["API_URL"] == "https://c.example/api"


def test_pelican_settings_named_comments_are_overrides():
    overrides = settings.pelican_overrides({"COMMENTS_API_URL": "/c", "SITEURL": "x", "COMMENTS_PRODUCTION": True})
    assert overrides == {"API_URL": "/c", "PRODUCTION": True}


def test_production_without_a_key_is_refused_naming_the_variable(tmp_path):
    values = resolve({"INSTANCE_PATH": str(tmp_path)}, environ={})
    with pytest.raises(SettingsError, match="COMMENTS_SECRET_KEY is not set"):
        secret_key(values, development=False)
    assert not (tmp_path / "secret_key").exists()


def test_development_without_a_key_keeps_one_in_the_instance_folder(tmp_path):
    values = resolve({"INSTANCE_PATH": str(tmp_path / "instance")}, environ={})
    first, second = secret_key(values, development=True), secret_key(values, development=True)
    assert len(first) == 64 and first == second
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_an_explicit_key_wins_everywhere(tmp_path):
    values = resolve({"INSTANCE_PATH": str(tmp_path)}, environ={"COMMENTS_SECRET_KEY": "k" * 40})
    assert secret_key(values, development=False) == secret_key(values, development=True) == "k" * 40


def test_settings_are_resolved_only_in_the_resolver():
    """No module reads COMMENTS_* variables itself: os.environ appears in settings.py only."""
    readers = []
    for folder in ("comments_service", "plugins"):
        for path in (ROOT / folder).rglob("*.py"):
            if "tests" in path.parts or path.name == "settings.py" and path.parent.name == "core":
                continue
            if "os.environ" in path.read_text(encoding="utf-8"):
                readers.append(str(path.relative_to(ROOT)))
    # devserver.py hands the resolved settings to the reloader's child; core/malloc.py reads glibc's
    # own variables (MALLOC_*, GLIBC_TUNABLES), which glibc reads too and which are not ours.
    assert sorted(readers) == ["comments_service/core/malloc.py", "comments_service/devserver.py"], readers
