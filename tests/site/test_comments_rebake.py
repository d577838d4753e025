"""The service re-bakes the static page after writes when it knows the static root (SITE_DIR):
queued with the write, baked off the request path by the worker's baker thread (or
`rebake.drain`, as `flask rebake-worker --once` does), and the no-JS poster lands on a page that
shows their comment."""

import json
import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from comments_service import create_app, rebake
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
        rebake.close(app)
        with app.app_context():
            app_engine().dispose()


def post_form(app, text: str):
    return app.test_client().post(f"/api/threads/{SLUG}/comments", headers={"Origin": ORIGIN},
                                  data={"author": "Ann", "text": text, "homepage": ""})


def page_ids(site) -> list[str]:
    return re.findall(r'<article id="comment-(\d+)"', (site / f"{SLUG}.html").read_text(encoding="utf-8"))


def land(app, response) -> str:
    """Follow the POST's 303 to the landing page (which waits for the bake); where it sends the
    reader."""
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path.startswith(f"/api/threads/{SLUG}/posted/")
    landing = app.test_client().get(location.path, query_string=location.query)
    assert landing.status_code == 303
    return landing.headers["Location"]


def test_form_post_lands_on_the_comment_once_the_page_is_baked(make_app, site):
    app = make_app(SITE_DIR=str(site))
    response = post_form(app, "Seen at once.")
    assert response.headers["Location"] == f"/api/threads/{SLUG}/posted/1?v=1"
    assert land(app, response).endswith(f"/{SLUG}.html#comment-1")
    html = (site / f"{SLUG}.html").read_text(encoding="utf-8")
    assert html.startswith("<main>Story") and html.endswith("</main>") and "Seen at once." in html


def test_a_post_queues_the_bake_and_never_renders_the_page_itself(make_app, site, monkeypatch):
    """The write costs O(1): no section is rendered in the request; the baker does it after."""
    app = make_app(SITE_DIR=str(site), REBAKE_IN_PROCESS=False)
    renders = []
    real_render = rebake.render_section
    monkeypatch.setattr(rebake, "render_section", lambda *a: renders.append(1) or real_render(*a))
    assert post_form(app, "Queued, not baked.").status_code == 303
    assert renders == [] and page_ids(site) == []
    assert rebake.drain(app) == (1, 0)
    assert renders == [1] and page_ids(site) == ["1"]


def test_a_late_bake_lands_the_reader_on_the_whole_thread_which_shows_the_comment(make_app, site):
    app = make_app(SITE_DIR=str(site), REBAKE_IN_PROCESS=False, REBAKE_WAIT_SECONDS=0)
    response = post_form(app, "Nobody bakes this yet.")
    location = land(app, response)
    assert location == f"/api/threads/{SLUG}/all#comment-1"
    assert "Nobody bakes this yet." in app.test_client().get(location).get_data(as_text=True)


def test_a_landing_without_a_version_goes_to_the_whole_thread(make_app, site):
    app = make_app(SITE_DIR=str(site))
    client = app.test_client()
    for query in ("", "v=", "v=abc", "v=0", "v=-1", "v=" + "9" * 5000, "v=%EF%BC%91"):
        response = client.get(f"/api/threads/{SLUG}/posted/1", query_string=query)
        assert response.status_code == 303, query
        assert response.headers["Location"] == f"/api/threads/{SLUG}/all#comment-1"
    assert client.get("/api/threads/nope/posted/1?v=1").status_code == 404


def test_without_a_static_root_the_reader_gets_the_posted_notice(make_app, site):
    app = make_app()
    assert post_form(app, "Seen at the next build.").headers["Location"].endswith("#comment-posted")
    assert rebake.drain(app) == (0, 0)
    assert page_ids(site) == []


def test_concurrent_posts_all_reach_the_page_in_fewer_bakes(make_app, site, monkeypatch):
    app = make_app(SITE_DIR=str(site), REBAKE_IN_PROCESS=False)
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda n: post_form(app, f"Comment number {n}.").status_code, range(12)))
    assert statuses == [303] * 12
    assert rebake.drain(app) == (1, 0)  # twelve writes, one bake
    assert sorted(map(int, page_ids(site))) == list(range(1, 13))


def test_a_failing_bake_keeps_the_comment_and_the_queued_bake(make_app, site, caplog):
    """The page cannot be written (here a folder stands where it should be: file modes would not
    stop a test running as root); the comment is committed and the bake stays queued."""
    page = site / f"{SLUG}.html"
    page.unlink()
    page.mkdir()
    app = make_app(SITE_DIR=str(site), REBAKE_IN_PROCESS=False)
    assert post_form(app, "Kept whatever the disk says.").status_code == 303
    assert rebake.drain(app) == (0, 1)
    assert "re-bake of story failed" in caplog.text
    assert app.test_client().get(f"/api/threads/{SLUG}/comments").get_json()["count"] == 1
    [row] = rebake.Baker(app, rebake.bake_thread).pending()
    assert (row.slug, row.version, row.baked_version, row.failures) == (SLUG, 1, 0, 1)
    assert "IsADirectoryError" in row.last_error


def test_a_comment_beyond_the_baked_threads_lands_on_the_whole_thread(make_app, site):
    """The page shows the first SECTION_TOP_LEVEL_MAX top-level comments: a no-JS reader whose
    new comment is not among them lands on the /all page at their comment, not on a missing
    anchor."""
    app = make_app(SITE_DIR=str(site), SECTION_TOP_LEVEL_MAX=1)
    assert land(app, post_form(app, "The first one.")).endswith(f"/{SLUG}.html#comment-1")
    second = land(app, post_form(app, "The second one."))
    assert second == f"/api/threads/{SLUG}/all#comment-2"
    assert page_ids(site) == ["1"]
    reply = app.test_client().post(f"/api/threads/{SLUG}/comments", headers={"Origin": ORIGIN},
                                   data={"author": "Bob", "text": "A reply to the first.", "parent": "1"})
    assert land(app, reply).endswith(f"/{SLUG}.html#comment-3")
    assert page_ids(site) == ["1", "3"]
    assert app.test_client().get(second).status_code == 200


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
    rebake.drain(app)
    html = (site / f"{SLUG}.html").read_text(encoding="utf-8")
    assert "refs=[1, 2, 3] about={1: 0, 2: 1, 3: 0}" in html


def test_another_hosts_rebake_worker_bakes_what_this_instance_queued(make_app, site):
    """Two hosts, one database: the instance that takes the POST has no static root
    (REBAKE_QUEUE); `flask rebake-worker --once` where the static root is bakes the page."""
    service = make_app(REBAKE_QUEUE=True)
    static_host = make_app(SITE_DIR=str(site), REBAKE_IN_PROCESS=False)
    response = post_form(service, "Posted on host A.")
    assert response.headers["Location"] == f"/api/threads/{SLUG}/posted/1?v=1"
    assert page_ids(site) == []
    result = static_host.test_cli_runner().invoke(args=["rebake-worker", "--once"])
    assert result.exit_code == 0, result.output
    assert result.output == "Baked 1; failed, still queued: 0. Pending: 0.\n"
    assert page_ids(site) == ["1"]
    assert land(service, response).endswith(f"/{SLUG}.html#comment-1")


def test_the_rebake_worker_needs_the_static_root_and_fails_loudly_when_a_bake_fails(make_app, site):
    assert "COMMENTS_SITE_DIR" in make_app().test_cli_runner().invoke(args=["rebake-worker", "--once"]).output
    (site / f"{SLUG}.html").unlink()  # no page to splice into: the bake fails and stays queued
    app = make_app(SITE_DIR=str(site), REBAKE_IN_PROCESS=False)
    post_form(app, "A page that is not there.")
    result = app.test_cli_runner().invoke(args=["rebake-worker", "--once"])
    assert result.exit_code == 1 and "failed, still queued: 1. Pending: 1." in result.output


@pytest.mark.postgres
def test_concurrent_posts_on_postgresql_coalesce_and_all_reach_the_page(make_app, site):
    from tests.comments_service.conftest import postgres_schema_url

    with postgres_schema_url() as url:
        app = make_app(SITE_DIR=str(site), REBAKE_IN_PROCESS=False, DATABASE_URL=url)
        try:
            with ThreadPoolExecutor(max_workers=6) as pool:
                statuses = list(pool.map(lambda n: post_form(app, f"Comment number {n}.").status_code,
                                         range(12)))
            assert statuses == [303] * 12
            assert rebake.drain(app) == (1, 0)
            assert len(page_ids(site)) == 12
            assert rebake.Baker(app, rebake.bake_thread).pending() == []
        finally:
            with app.app_context():
                app_engine().dispose()


def test_the_baked_page_is_the_full_render_of_the_whole_thread(make_app, site):
    """The bake reads only the comments the page shows (and the thread's totals): its page is
    byte for byte the one the whole thread renders, as the site build renders it."""
    from comments_service.core.section import render_section, section_context, splice_section
    from comments_service.core.storage.comments import thread_page

    app = make_app(SITE_DIR=str(site), REBAKE_IN_PROCESS=False, SECTION_TOP_LEVEL_MAX=2)
    before = (site / f"{SLUG}.html").read_text(encoding="utf-8")
    client = app.test_client()
    ids = []
    for n in range(5):
        body = {"author": f"R{n}", "text": f"Comment {n}.", "parent": ids[0] if n == 3 else None}
        response = client.post(f"/api/threads/{SLUG}/comments", json=body, headers={"Origin": ORIGIN})
        assert response.status_code == 201
        ids.append(response.get_json()["comment"]["id"])
    assert rebake.drain(app) == (1, 0)
    with app.app_context():
        with app_engine().connect() as conn:
            whole = thread_page(conn, SLUG)
        context = section_context(app.config, app.secret_key, slug=SLUG, url=f"{SLUG}.html",
                                  comments=whole.comments, is_open=True)
        expected = splice_section(before, render_section(context, app.config))
    baked = (site / f"{SLUG}.html").read_text(encoding="utf-8")
    token = re.compile(r'name="form_token" value="[^"]*"')  # dated to the second it was made
    assert token.sub("", baked) == token.sub("", expected) and token.search(baked)
    assert page_ids(site) == [str(ids[0]), str(ids[3]), str(ids[1])]  # two threads shown of four
