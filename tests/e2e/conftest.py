"""Browser tests: the fixture site (plus one article per scenario, so tests never see each other's
comments) built with the real pelican.conf.py and a temp database, served by `make serve`'s
devserver in a subprocess, read and used through Debian's chromium driven by Playwright.

The browser is `chromium` on PATH (or COMMENTS_TEST_CHROMIUM): without one these tests skip,
naming what is missing, and fail in CI. A second devserver on the same site and database holds every comment for
moderation, for the "held" scenarios.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.site.conftest import FIXTURE_CONTENT, run_pelican

pytestmark = pytest.mark.browser

SEED_SLUG = "wsj-trump-administration-reorganizes-delivery-of-patriot-systems-to-allies-prioritizing-ukraine"
SECRET_KEY = "browser-test-secret"
#: One article per scenario; `closed` has `Comments: closed`; `index-*` are the newest articles,
#: so the first index page lists them.
SCENARIOS = ("js-post", "since", "nojs-post", "reply", "edit-delete", "invalid-js", "invalid-nojs",
             "hostile", "keyboard", "axe", "requests", "held-js", "held-nojs", "closed", "notify",
             "times", "feed", "nojs-reply", "sort", "undo", "leave", "votes-js", "votes-nojs",
             "report-js", "report-nojs", "preview", "paging-js", "paging-nojs", "picks",
             "correction", "own-post", "since-deleted", "index-counts", "ops-error", "ops-admin")
#: The seed article again under its own slug, for scenarios that need a full-length page (with
#: its reference [1]).
SEED_COPY_SLUG = "scenario-seed-copy"
BUSY_SEED_SLUG = "scenario-busy-seed"
SEED_COPIES = (SEED_COPY_SLUG, BUSY_SEED_SLUG, "scenario-about-seed")
SERVER_START_SECONDS = 30


@dataclass(frozen=True)
class Server:
    base_url: str
    process: subprocess.Popen
    #: Its database, where tests wait for the re-bakes it has queued (threads.wait_for_bakes).
    database_url: str = ""

    def url(self, slug: str) -> str:
        return f"{self.base_url}/{slug}.html"


def scenario_article(name: str) -> str:
    closed = "Comments: closed\n" if name == "closed" else ""
    day = "03" if name.startswith("index") else "02"
    return (f"Title: Scenario {name}\nDate: 2026-01-{day} 09:00\nCategory: Tests\n{closed}\n"
            f"An article for the {name} scenario of the browser tests.\n")


def write_content(content: Path, scenarios=SCENARIOS) -> None:
    shutil.copytree(FIXTURE_CONTENT, content)
    for name in scenarios:
        (content / f"scenario-{name}.md").write_text(scenario_article(name), encoding="utf-8")
    seed = (FIXTURE_CONTENT / f"{SEED_SLUG}.md").read_text(encoding="utf-8")
    for slug in SEED_COPIES:
        (content / f"{slug}.md").write_text(seed.replace(f"Slug: {SEED_SLUG}", f"Slug: {slug}"),
                                            encoding="utf-8")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(server: Server, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"devserver exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/api/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"devserver did not answer within {SERVER_START_SECONDS}s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def backend_env(chromium, tmp_path_factory) -> dict[str, str]:
    database = tmp_path_factory.mktemp("e2e-db") / "comments.sqlite3"
    return {"COMMENTS_DATABASE_URL": f"sqlite:///{database}", "COMMENTS_SECRET_KEY": SECRET_KEY}


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory, backend_env) -> Path:
    """The site built before any comment exists (so every page starts with "No comments yet")."""
    root = tmp_path_factory.mktemp("e2e-site")
    write_content(root / "content")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in backend_env.items():
            patch.setenv(name, value)
        result = run_pelican(root / "content", root / "output")
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "output"


def launch(site_dir: Path, log: Path, settings: dict[str, str]) -> Server:
    """A devserver for `site_dir` on a free port, answering once healthy (its output in `log`)."""
    port = free_port()
    env = {**os.environ, "COMMENTS_RATELIMIT_ENABLED": "false", "COMMENTS_MIN_FILL_SECONDS": "0",
           **settings}
    with open(log, "w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "comments_service.devserver", "--site", str(site_dir),
             "--port", str(port)], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, env.get("COMMENTS_DATABASE_URL", ""))
    try:
        wait_until_healthy(server, log)
    except BaseException:
        process.terminate()
        process.wait(timeout=10)
        raise
    return server


@pytest.fixture(scope="session")
def start_server(tmp_path_factory, site_dir, backend_env):
    """Start devservers on free ports (extra COMMENTS_* settings per server); stopped at the end."""
    servers = []

    def start(**settings: str) -> Server:
        log = tmp_path_factory.mktemp("devserver") / "log.txt"
        server = launch(site_dir, log, {**backend_env, **settings})
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.process.terminate()
        server.process.wait(timeout=10)


@pytest.fixture(scope="session")
def server(start_server) -> Server:
    """Publishes at once and re-bakes the static page after each write."""
    return start_server()


@pytest.fixture(scope="session")
def moderated_server(start_server) -> Server:
    """Holds every comment for moderation."""
    return start_server(COMMENTS_MODERATION="all")


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def static_page(browser):
    """A page with JavaScript disabled: the no-JS reader."""
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()
