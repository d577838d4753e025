"""`flask set-password` (admin/cli.py): the hash and the COMMENTS_ADMIN_USERS line it prints,
and the messages for a bad name or password."""

import json
import os
import shlex
import subprocess
import sys

import pytest
from werkzeug.security import check_password_hash

from tests.conftest import ROOT

from ..conftest import PASSWORD


def test_set_password_prints_a_hash_and_the_environment_line(app):
    result = app.test_cli_runner().invoke(args=["set-password", "bob"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    line = result.output.strip().splitlines()[-1]
    name, _, quoted = line.partition("=")
    users = json.loads(quoted.strip("'"))
    assert name == "COMMENTS_ADMIN_USERS" and set(users) == {"ann", "bob"}
    assert check_password_hash(users["bob"], PASSWORD) and users["bob"] in result.output
    assert PASSWORD not in result.output


@pytest.mark.parametrize("args, text, problem", [
    (["set-password", "bob"], "short\n", "12 to 1024 characters"),
    (["set-password", " bob"], PASSWORD + "\n", "moderator name"),
])
def test_set_password_names_the_problem(app, args, text, problem):
    result = app.test_cli_runner().invoke(args=args, input=text)
    assert result.exit_code != 0 and problem in result.output


# Through the real command line, as a newcomer types it in a checkout (issue 15): the app is
# loaded by `flask --app comments_service`, not handed to a test runner.

def flask_command(tmp_path, *args, stdin=PASSWORD + "\n", **settings):
    """`flask --app comments_service ARGS` in a fresh folder, with no COMMENTS_* variable but
    `settings` (and an instance folder of its own)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("COMMENTS_")}
    env.update(PYTHONPATH=str(ROOT), COMMENTS_INSTANCE_PATH=str(tmp_path / "instance"),
               COMMENTS_THREADS_MANIFEST=str(tmp_path / "threads.json"), **settings)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "comments_service", *args],
                          input=stdin, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)


def test_set_password_works_in_development_with_the_instance_key_of_make_serve(tmp_path):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "secret_key").write_text("k" * 64)  # as `make serve` left it
    result = flask_command(tmp_path, "set-password", "alice")
    assert result.returncode == 0, result.stderr
    users = json.loads(shlex.split(result.stdout.strip().splitlines()[-1].partition("=")[2])[0])
    assert set(users) == {"alice"} and check_password_hash(users["alice"], PASSWORD)
    assert "development" in result.stderr.lower() and "make serve" in result.stderr
    assert (tmp_path / "instance" / "secret_key").read_text() == "k" * 64


def test_set_password_in_production_without_the_key_is_still_a_clear_error(tmp_path):
    """A host that says it is production (COMMENTS_SITE_URL) but lacks the key gets the refusal,
    never the development key."""
    result = flask_command(tmp_path, "set-password", "alice", COMMENTS_SITE_URL="https://news.example.org")
    assert result.returncode != 0
    assert "COMMENTS_SECRET_KEY is not set" in result.stderr
    assert not (tmp_path / "instance" / "secret_key").exists()


@pytest.mark.parametrize("command", [["set-password", "alice"], ["export"], ["import", "--help"]])
def test_a_missing_setting_is_one_line_at_the_prompt_not_a_traceback(tmp_path, command):
    """Half-configured production (the key but no COMMENTS_SITE_URL): every command says what
    to set in one line."""
    result = flask_command(tmp_path, *command, COMMENTS_SECRET_KEY="k" * 64)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: COMMENTS_SITE_URL is not set: set it to the public address of the site "
        "(e.g. https://news.example.org). Links in mails, feeds and redirects are built from it, "
        "never from a request's Host header."]


def test_the_factory_outside_the_command_line_still_requires_the_key(tmp_path, monkeypatch):
    """gunicorn calls create_app() with no click context: production rules, whatever is set."""
    from comments_service import create_app
    from comments_service.core.settings import SettingsError

    for name in [name for name in os.environ if name.startswith("COMMENTS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("COMMENTS_INSTANCE_PATH", str(tmp_path / "instance"))
    with pytest.raises(SettingsError, match="COMMENTS_SECRET_KEY is not set"):
        create_app()
