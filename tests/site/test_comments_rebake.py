"""The service re-bakes the static page after writes when it knows the static root (SITE_DIR)."""

import json
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from comments_service import create_app
from comments_service.core.section import END_MARKER, START_MARKER
from comments_service.db import engine as app_engine

SLUG = "story"
ORIGIN = "http://localhost"


@pytest.fixture
def site(tmp_path):
    site = tmp_path / "site"
    (site / "comments").mkdir(parents=True)
    (site / "comments" / "threads.json").write_text(json.dumps([
        {"slug": SLUG, "url": f"{SLUG}.html", "title": "Story", "published": "2026-01-01", "open": True}]))
    (site / f"{SLUG}.html").write_text(f"<main>Story{START_MARKER}old{END_MARKER}</main>", encoding="utf-8")
    return site


@pytest.fixture
def make_app(tmp_path, site):
    """create_app for the site (extra settings per test); engines disposed afterwards."""
    apps = []

    def make(**settings):
        apps.append(create_app({"TESTING": True, "SECRET_KEY": "k", "RATELIMIT_ENABLED": False,
                                "DATABASE_URL": f"sqlite:///{tmp_path / 'comments.sqlite3'}",
                                "THREADS_MANIFEST": str(site / "comments" / "threads.json"), **settings}))
        return apps[-1]

    yield make
    for app in apps:
        with app.app_context():
            app_engine().dispose()


def post_form(app, text: str):
    return app.test_client().post(f"/api/threads/{SLUG}/comments", headers={"Origin": ORIGIN},
                                  data={"author": "Ann", "text": text, "homepage": ""})


def page_ids(site) -> list[str]:
    return re.findall(r'<article id="comment-(\d+)"', (site / f"{SLUG}.html").read_text(encoding="utf-8"))


def test_form_post_rebakes_the_page_and_lands_on_the_comment(make_app, site):
    app = make_app(SITE_DIR=str(site))
    response = post_form(app, "Seen at once.")
    assert response.status_code == 303 and response.headers["Location"].endswith("#comment-1")
    html = (site / f"{SLUG}.html").read_text(encoding="utf-8")
    assert html.startswith("<main>Story") and html.endswith("</main>") and "Seen at once." in html


def test_without_a_static_root_the_reader_gets_the_posted_notice(make_app, site):
    app = make_app()
    assert post_form(app, "Seen at the next build.").headers["Location"].endswith("#comment-posted")
    assert page_ids(site) == []


def test_concurrent_posts_all_reach_the_page(make_app, site):
    app = make_app(SITE_DIR=str(site))
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda n: post_form(app, f"Comment number {n}.").status_code, range(12)))
    assert statuses == [303] * 12
    assert sorted(map(int, page_ids(site))) == list(range(1, 13))
