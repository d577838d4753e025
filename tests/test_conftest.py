"""How tests find their optional backends (tests/conftest.py `require_backend`): an explicit
variable must answer, an unset one falls back to the local default, and a missing backend skips
naming what is missing, or fails when COMMENTS_TEST_REQUIRE_ALL is on."""

import dataclasses
import socket
import stat

import pytest

import tests.conftest as conftest
from tests.conftest import require_backend

VARIABLES = ("COMMENTS_TEST_POSTGRES_URL", "COMMENTS_TEST_REDIS_URL", "COMMENTS_TEST_CHROMIUM",
             "COMMENTS_TEST_NGINX", "COMMENTS_TEST_REQUIRE_ALL")
BROWSER_ABSENT = ("Browser tests: no `chromium` on PATH "
                  "(apt-get install chromium, or set COMMENTS_TEST_CHROMIUM)")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """Every test starts as a developer's `make test` does: no variable set (CI sets them all)."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def closed_port() -> int:
    """A local TCP port nothing listens on (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def default_at(monkeypatch, env_name: str, address: str | None, probe=None) -> None:
    """Make `address` the backend's local default (and `probe` its probe, when given)."""
    backend = conftest.BACKENDS[env_name]
    changes = {"find": lambda: address} | ({"probe": probe} if probe else {})
    monkeypatch.setitem(conftest.BACKENDS, env_name, dataclasses.replace(backend, **changes))


def outcome(env_name: str, what: str) -> tuple[str, str]:
    """("returned", address), ("skipped", reason) or ("failed", message): a skip where a failure is
    expected is then a failed assertion here, not a skipped test."""
    try:
        return "returned", require_backend(env_name, what)
    except pytest.skip.Exception as skipped:
        return "skipped", skipped.msg
    except pytest.fail.Exception as failed:
        return "failed", failed.msg


def refusing(address: str) -> None:
    raise ConnectionRefusedError("[Errno 111] Connection refused\nsecond line")


def answering(address: str) -> None:
    pass


@pytest.mark.parametrize(("variable", "what", "url", "error"), [
    ("COMMENTS_TEST_POSTGRES_URL", "PostgreSQL", "postgresql+psycopg://postgres@127.0.0.1:{port}/test",
     "OperationalError"),
    ("COMMENTS_TEST_REDIS_URL", "Redis", "redis://127.0.0.1:{port}/15", "ConnectionError"),
])
def test_an_explicit_url_that_does_not_answer_fails_even_when_not_required(monkeypatch, variable, what, url,
                                                                            error):
    url = url.format(port=closed_port())
    monkeypatch.setenv(variable, url)
    kind, message = outcome(variable, what)
    assert kind == "failed"
    assert message.startswith(f"{what} tests: {variable}={url} does not answer ({error}: ")


def test_an_explicit_chromium_that_is_not_an_executable_fails(monkeypatch, tmp_path):
    monkeypatch.setenv("COMMENTS_TEST_CHROMIUM", str(tmp_path / "chromium"))
    assert outcome("COMMENTS_TEST_CHROMIUM", "Browser") == (
        "failed", f"Browser tests: COMMENTS_TEST_CHROMIUM={tmp_path / 'chromium'} "
                  "does not answer (FileNotFoundError: not an executable file)")


def test_an_explicit_variable_that_answers_is_used_as_is(monkeypatch):
    monkeypatch.setenv("COMMENTS_TEST_REDIS_URL", " redis://elsewhere:6379/3 ")
    default_at(monkeypatch, "COMMENTS_TEST_REDIS_URL", "redis://unused", probe=answering)
    assert outcome("COMMENTS_TEST_REDIS_URL", "Redis") == ("returned", "redis://elsewhere:6379/3")


def test_unset_and_nothing_answering_at_the_default_skips_naming_it(monkeypatch):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/test"
    default_at(monkeypatch, "COMMENTS_TEST_POSTGRES_URL", url)
    kind, message = outcome("COMMENTS_TEST_POSTGRES_URL", "PostgreSQL")
    assert kind == "skipped"
    assert message.startswith(
        f"PostgreSQL tests: nothing answers at {url} (set COMMENTS_TEST_POSTGRES_URL): "
        "OperationalError: ")


REDIS_REFUSED = ("Redis tests: nothing answers at redis://127.0.0.1:1/15 "
                 "(set COMMENTS_TEST_REDIS_URL): ConnectionRefusedError: [Errno 111] Connection refused")


def test_the_skip_reason_is_exact(monkeypatch):
    default_at(monkeypatch, "COMMENTS_TEST_REDIS_URL", "redis://127.0.0.1:1/15", probe=refusing)
    assert outcome("COMMENTS_TEST_REDIS_URL", "Redis") == ("skipped", REDIS_REFUSED)


def test_unset_and_missing_fails_with_the_same_message_when_everything_is_required(monkeypatch):
    monkeypatch.setenv("COMMENTS_TEST_REQUIRE_ALL", "1")
    default_at(monkeypatch, "COMMENTS_TEST_REDIS_URL", "redis://127.0.0.1:1/15", probe=refusing)
    assert outcome("COMMENTS_TEST_REDIS_URL", "Redis") == (
        "failed", f"{REDIS_REFUSED} [a failure because COMMENTS_TEST_REQUIRE_ALL is on]")


def test_no_chromium_on_path_skips_saying_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert outcome("COMMENTS_TEST_CHROMIUM", "Browser") == ("skipped", BROWSER_ABSENT)


def test_no_chromium_on_path_fails_when_everything_is_required(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("COMMENTS_TEST_REQUIRE_ALL", "1")
    assert outcome("COMMENTS_TEST_CHROMIUM", "Browser") == (
        "failed", f"{BROWSER_ABSENT} [a failure because COMMENTS_TEST_REQUIRE_ALL is on]")


@pytest.mark.parametrize("name", ["chromium", "chromium-browser"])
def test_chromium_on_path_is_found_without_a_variable(monkeypatch, tmp_path, name):
    browser = tmp_path / name
    browser.write_text("#!/bin/sh\n")
    browser.chmod(browser.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert outcome("COMMENTS_TEST_CHROMIUM", "Browser") == ("returned", str(browser))


def test_a_default_that_answers_is_used_and_probed_once(monkeypatch):
    probed = []
    default_at(monkeypatch, "COMMENTS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15",
               probe=probed.append)
    for _ in range(3):
        assert outcome("COMMENTS_TEST_REDIS_URL", "Redis") == ("returned", "redis://127.0.0.1:6379/15")
    assert probed == ["redis://127.0.0.1:6379/15"]


def test_passwords_are_masked_in_messages(monkeypatch):
    monkeypatch.setenv("COMMENTS_TEST_POSTGRES_URL", "postgresql+psycopg://app:s3cret@db:5432/test")
    default_at(monkeypatch, "COMMENTS_TEST_POSTGRES_URL", None, probe=refusing)
    kind, message = outcome("COMMENTS_TEST_POSTGRES_URL", "PostgreSQL")
    assert kind == "failed"
    assert "s3cret" not in message
    assert "COMMENTS_TEST_POSTGRES_URL=postgresql+psycopg://app:***@db:5432/test" in message
