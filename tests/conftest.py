"""Shared test configuration.

Optional backends (PostgreSQL, Redis, Chromium) are named by environment variables. Unset, their
tests skip with the reason; `.ci/run` sets them and COMMENTS_TEST_REQUIRE_ALL=1, which turns a
missing backend into a failure so nothing is silently skipped in CI.
"""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def require_backend(env_name: str, what: str) -> str:
    """Return the backend address in `env_name`, or skip (fail in CI) when it is unset."""
    value = os.environ.get(env_name, "").strip()
    if value:
        return value
    message = f"{what} tests need {env_name} (set by .ci/run)"
    if os.environ.get("COMMENTS_TEST_REQUIRE_ALL"):
        pytest.fail(message + " but it is unset while COMMENTS_TEST_REQUIRE_ALL is on")
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
