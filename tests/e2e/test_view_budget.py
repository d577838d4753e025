"""What one article view costs in the browser (issues 5 and 13): at most one request to the
comments API, none to another origin, and no layout shift at all from the widget.

The page is the seed article (full length, like a real story) with a comment stored after the
build, so the widget really fetches something: it announces it on a line whose height the page
reserves ("1 new comment since this page was published", "Show") and inserts it only when the
reader asks. Layout shifts are held to exactly 0, not "small": Chromium reports a layout-shift
entry only when an element on screen actually moves between two frames, so there is no
measurement noise to allow for. The theme uses system fonts, and images and the widget's
insertions sit below the article text, so nothing a reader sees should ever move: any entry at
all is a regression (late CSS, a font swap, a widget banner on top). The viewport is scrolled to
the comments section, so a shift there would be on screen and counted. What follows the reader's
own click is input-driven (`hadRecentInput`) and not a shift by definition.
"""

from playwright.sync_api import expect

from comments_service.core.comment import APPROVED
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database

from .conftest import SEED_COPY_SLUG

FETCHED_TEXT = "Stored after the build: only the widget can show it."
#: Installed before any page script runs; `buffered` also delivers shifts from before it started.
RECORD_LAYOUT_SHIFTS = """
window.layoutShifts = [];
window.layoutShiftObserver = new PerformanceObserver(list => window.layoutShifts.push(...list.getEntries()));
window.layoutShiftObserver.observe({type: "layout-shift", buffered: true});
"""
#: Two animation frames later (the last DOM change is laid out and painted), with the entries
#: not yet delivered to the observer taken as well.
LAYOUT_SHIFT_VALUES = """
() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(() => {
  const entries = window.layoutShifts.concat(window.layoutShiftObserver.takeRecords());
  resolve(entries.filter(entry => !entry.hadRecentInput).map(entry => entry.value));
})))
"""


def store_newer_comment(database_url: str, slug: str, text: str) -> None:
    """An approved comment the built page does not have (as another service worker stores it)."""
    engine = database.engine_from_url(database_url)
    with database.connect(engine, write=True) as conn:
        stored.create_comment(conn, slug=slug, parent=None, author="Late Reader", email=None,
                               website=None, text=text, html=f"<p>{text}</p>", ip_hash=None,
                               state=APPROVED)
        conn.commit()
    engine.dispose()


def test_a_full_article_view_makes_one_api_request_and_moves_nothing(page, server, backend_env):
    store_newer_comment(backend_env["COMMENTS_DATABASE_URL"], SEED_COPY_SLUG, FETCHED_TEXT)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.add_init_script(RECORD_LAYOUT_SHIFTS)
    page.goto(server.url(SEED_COPY_SLUG) + "#comments")
    page.wait_for_load_state("networkidle")
    news = page.locator("#comments .comment-news")
    expect(news).to_have_text("1 new comment since this page was published Show")
    assert page.evaluate("PerformanceObserver.supportedEntryTypes.includes('layout-shift')")
    assert news.is_visible() and news.bounding_box()["y"] < page.viewport_size["height"]  # on screen
    shifts = page.evaluate(LAYOUT_SHIFT_VALUES)
    api = [url for url in requests if url.startswith(f"{server.base_url}/api/")]
    foreign = [url for url in requests if not url.startswith((server.base_url + "/", "data:"))]
    assert len(api) <= 1, api
    assert foreign == []
    assert sum(shifts) == 0, f"layout shifts while loading the article and its comments: {shifts}"
    news.get_by_role("button", name="Show").click()
    expect(page.locator("#comments article.comment .comment-body")).to_have_text([FETCHED_TEXT])
    assert len([url for url in requests if url.startswith(f"{server.base_url}/api/")]) == 1
