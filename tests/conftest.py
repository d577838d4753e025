"""Shared test configuration.

Optional backends (PostgreSQL, Redis, Chromium, nginx) run when the machine has them: a variable names one
explicitly, and when it is unset the usual local default is tried once per session (`chromium` on
PATH, PostgreSQL and Redis on 127.0.0.1). Tests whose backend is missing skip with a reason naming
exactly what is missing and how to get it; `.ci/run` sets COMMENTS_TEST_REQUIRE_ALL=1, which turns
that skip into a failure so nothing is silently skipped in CI. A variable that is set but does not
answer always fails: the operator asked for that backend.
"""

import functools
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent

POSTGRES_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_DEFAULT = "redis://127.0.0.1:6379/15"
#: Debian names the browser `chromium`; Ubuntu and older Debian `chromium-browser`.
CHROMIUM_NAMES = ("chromium", "chromium-browser")


def probe_postgres(url: str) -> None:
    """Connect to the server the SQLAlchemy URL names and run SELECT 1; raise if that fails."""
    import psycopg
    from sqlalchemy import make_url

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, connect_timeout=2) as conn:
        conn.execute("SELECT 1")


def probe_redis(url: str) -> None:
    """PING the Redis server the URL names; raise if it does not answer."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


def probe_chromium(path: str) -> None:
    """Check that the path is an executable file (launching it is the browser fixture's or the
    test's job); nginx is probed the same way."""
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise FileNotFoundError("not an executable file")


def find_chromium() -> str | None:
    return next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)


def find_nginx() -> str | None:
    """Debian's nginx: on PATH, or in /usr/sbin (not on a normal user's PATH)."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


@dataclass(frozen=True)
class Backend:
    """How to find an optional backend when its variable is unset, and how to tell it answers."""

    find: Callable[[], str | None]  #: the default address, or None when there is none
    probe: Callable[[str], None]  #: raises when nothing usable answers at the address
    absent: str = ""  #: what is missing and how to get it, when `find` finds nothing


BACKENDS = {
    "COMMENTS_TEST_POSTGRES_URL": Backend(lambda: POSTGRES_DEFAULT, probe_postgres),
    "COMMENTS_TEST_REDIS_URL": Backend(lambda: REDIS_DEFAULT, probe_redis),
    "COMMENTS_TEST_CHROMIUM": Backend(
        find_chromium, probe_chromium,
        "no `chromium` on PATH (apt-get install chromium, or set COMMENTS_TEST_CHROMIUM)"),
    # The executable only: each test starts its own nginx with its own configuration.
    "COMMENTS_TEST_NGINX": Backend(
        find_nginx, probe_chromium,
        "no `nginx` on PATH or in /usr/sbin (apt-get install nginx, or set COMMENTS_TEST_NGINX)"),
}


@functools.cache
def probe_problem(probe: Callable[[str], None], address: str) -> str | None:
    """Why nothing answers at `address` (the error's first line), or None when it answers.
    Cached, so each address is probed once per session however many tests need it."""
    try:
        probe(address)
    except Exception as error:  # noqa: BLE001 - any failure means "not usable", reported as such
        first_line = (str(error).strip().splitlines() or [""])[0]
        return f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__
    return None


def shown(address: str) -> str:
    """The address with any password masked, for messages that end up in test reports."""
    parts = urlsplit(address)
    if not parts.password:
        return address
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def require_backend(env_name: str, what: str) -> str:
    """Return the address of the backend `env_name` names, or skip (fail in CI) when it is missing.

    Set, the variable is used as-is and must answer, or the test fails. Unset, the backend's local
    default is probed; when nothing answers the test skips saying what is missing, or fails when
    COMMENTS_TEST_REQUIRE_ALL is on.
    """
    backend = BACKENDS[env_name]
    explicit = os.environ.get(env_name, "").strip()
    if explicit:
        problem = probe_problem(backend.probe, explicit)
        if problem:
            pytest.fail(f"{what} tests: {env_name}={shown(explicit)} does not answer ({problem})",
                        pytrace=False)
        return explicit
    address = backend.find()
    if address is None:
        message = f"{what} tests: {backend.absent}"
    elif problem := probe_problem(backend.probe, address):
        message = f"{what} tests: nothing answers at {shown(address)} (set {env_name}): {problem}"
    else:
        return address
    if os.environ.get("COMMENTS_TEST_REQUIRE_ALL"):
        pytest.fail(f"{message} [a failure because COMMENTS_TEST_REQUIRE_ALL is on]", pytrace=False)
    pytest.skip(message)


#: Headless Debian chromium in a container: no sandbox, no GPU, no background traffic.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def chromium() -> str:
    """The browser's path; asked first, so nothing is built or started when browser tests skip."""
    return require_backend("COMMENTS_TEST_CHROMIUM", "Browser")


@pytest.fixture(scope="session")
def browser(chromium):
    """One Playwright driver and one chromium for the whole session (Playwright's sync API allows
    a single running driver per thread, so every browser test shares this one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
