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


def test_a_comment_beyond_the_baked_threads_lands_on_the_whole_thread(make_app, site):
    """The page shows the first SECTION_TOP_LEVEL_MAX top-level comments: a no-JS reader whose
    new comment is not among them lands on the /all page at their comment, not on a missing
    anchor."""
    app = make_app(SITE_DIR=str(site), SECTION_TOP_LEVEL_MAX=1)
    assert post_form(app, "The first one.").headers["Location"].endswith(f"/{SLUG}.html#comment-1")
    response = post_form(app, "The second one.")
    assert response.headers["Location"] == f"/api/threads/{SLUG}/all#comment-2"
    assert page_ids(site) == ["1"]
    reply = app.test_client().post(f"/api/threads/{SLUG}/comments", headers={"Origin": ORIGIN},
                                   data={"author": "Bob", "text": "A reply to the first.", "parent": "1"})
    assert reply.headers["Location"].endswith(f"/{SLUG}.html#comment-3")
    assert page_ids(site) == ["1", "3"]
    assert app.test_client().get(response.headers["Location"]).status_code == 200


def test_the_rebake_knows_the_articles_references(make_app, site, tmp_path):
    """The re-bake passes the manifest's count to the one builder (a TEMPLATES partial shows it)."""
    manifest = site / "comments" / "threads.json"
    entries = json.loads(manifest.read_text())
    entries[0]["references"] = 3
    manifest.write_text(json.dumps(entries))
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "comments.html").write_text(
        f"{START_MARKER}refs={{{{ thread.references }}}} about={{{{ thread.reference_counts }}}}{END_MARKER}",
        encoding="utf-8")
    app = make_app(SITE_DIR=str(site), TEMPLATES=str(partial))
    response = app.test_client().post(f"/api/threads/{SLUG}/comments", headers={"Origin": ORIGIN},
                                      data={"author": "Ann", "text": "About the second source.",
                                            "about_reference": "2"})
    assert response.status_code == 303
    html = (site / f"{SLUG}.html").read_text(encoding="utf-8")
    assert "refs=[1, 2, 3] about={1: 0, 2: 1, 3: 0}" in html
