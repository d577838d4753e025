"""What a reader sees of a thread, with and without JavaScript (issue 13): date and time, the
"edited" mark, the count in the heading, the thread's feed, the formatting hint, a reply link on
every comment, sorting without a request, and fresh counts on the index."""

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from comments_service.core.comment import APPROVED
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database

from .test_comments_browser import comment_bodies, fill, open_article, wait_for_widget
from .test_view_budget import LAYOUT_SHIFT_VALUES, RECORD_LAYOUT_SHIFTS, store_newer_comment
from .threads import REPLY_PAGE, post_comment, set_columns

UTC_TIME = r"\d{1,2} [A-Z][a-z]+ 20\d\d, \d\d:\d\d UTC"
LOCALE_TIME = "iso => new Date(iso).toLocaleString(undefined, {dateStyle: 'long', timeStyle: 'short'})"


def test_times_edited_mark_count_and_feed_without_javascript(static_page, server, backend_env):
    first = post_comment(server, "scenario-feed", "Ann", "Said first, then edited.")
    set_columns(backend_env["COMMENTS_DATABASE_URL"], first, edited=datetime(2026, 1, 5, 10, 30))
    post_comment(server, "scenario-feed", "Ben", "Said second.")  # re-bakes the page with both
    section = open_article(static_page, server, "feed")
    expect(section.locator("h2#comments-title")).to_have_text("Comments (2)")
    meta = section.locator(f"#comment-{first} .comment-meta")
    expect(meta).to_have_text(re.compile(rf"^\s*Ann · {UTC_TIME} · edited 5 January 2026, 10:30 UTC\s*$"))
    expect(meta.locator("time.dt-published")).to_have_attribute("datetime", re.compile(r"^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ$"))
    expect(meta.locator(".comment-edited time")).to_have_attribute("datetime", "2026-01-05T10:30:00Z")
    feed = "/api/threads/scenario-feed/feed.atom"
    # The thread's feed, after the site's and the section's (issue 15).
    head = static_page.locator('head link[rel="alternate"][type="application/atom+xml"][title^="Comments on"]')
    expect(head).to_have_attribute("href", feed)
    expect(head).to_have_attribute("title", "Comments on Scenario feed")
    expect(section.get_by_role("link", name="Follow this discussion (Atom feed)")).to_have_attribute("href", feed)
    answer = static_page.request.get(server.base_url + feed)
    assert answer.ok and answer.headers["content-type"].startswith("application/atom+xml")
    assert "Said first, then edited." in answer.text()


def test_the_heading_says_comments_without_a_count_when_there_are_none(static_page, server):
    section = open_article(static_page, server, "closed")
    expect(section.locator("h2")).to_have_text("Comments")


def test_the_widget_shows_times_in_the_readers_locale(browser, server, backend_env):
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
    page = context.new_page()
    try:
        post_comment(server, "scenario-times", "Ann", "Baked into the page.")
        store_newer_comment(backend_env["COMMENTS_DATABASE_URL"], "scenario-times", "Fetched later.")
        section = open_article(page, server, "times")
        baked = section.locator("article.comment time").first
        expect(baked).to_have_text(re.compile(UTC_TIME))  # the text stays: rewriting it could move lines
        expect(baked).to_have_attribute("title", page.evaluate(LOCALE_TIME, baked.get_attribute("datetime")))
        section.get_by_role("button", name="Show").click()
        fetched = section.locator("article.comment").nth(1).locator("time")
        text = page.evaluate(LOCALE_TIME, fetched.get_attribute("datetime"))
        expect(fetched).to_have_text(text)
        assert "UTC" not in text and re.search(r"\d{1,2}\. [A-Z][a-z]+ 20\d\d", text), text
    finally:
        context.close()


def test_the_formatting_hint_shows_what_markdown_gives(static_page, server):
    open_article(static_page, server, "feed")
    hint = static_page.locator("#comment-form table.comment-md")
    expect(hint.locator("caption")).to_contain_text("Line breaks are kept")
    rows = hint.locator("tr")
    expect(rows.first.locator("td").first.locator("code").first).to_have_text("*emphasis*")
    expect(rows.first.locator("td").nth(1).locator("em")).to_have_text("emphasis")
    expect(rows.first.locator("td").nth(1).locator("strong")).to_have_text("strong")
    expect(hint.locator("td code", has_text="```")).to_have_count(1)


def test_every_comment_has_a_reply_link_that_needs_no_javascript(static_page, server):
    parent = post_comment(server, "scenario-nojs-reply", "Ann", "Reply to me.")
    section = open_article(static_page, server, "nojs-reply")
    expect(section.locator(f"#comment-{parent}").get_by_role("link", name="Reply")).to_have_attribute(
        "href", f"/api/threads/scenario-nojs-reply/reply/{parent}")


@pytest.mark.skipif(not REPLY_PAGE, reason="needs GET /api/threads/<slug>/reply/<id> (server-threads)")
def test_replying_without_javascript_lands_back_on_the_thread(static_page, server):
    parent = post_comment(server, "scenario-nojs-reply", "Ann", "Reply to me, without a script.")
    section = open_article(static_page, server, "nojs-reply")
    section.locator(f"#comment-{parent}").get_by_role("link", name="Reply").click()
    expect(static_page.locator("body")).to_contain_text("Reply to me, without a script.")
    static_page.fill("input[name=author]", "Ben")
    static_page.fill("textarea[name=text]", "A reply posted from the reply page.")
    static_page.locator("form button[type=submit]").click()
    static_page.wait_for_url(re.compile(r"scenario-nojs-reply\.html#comment-\d+$"))
    reply = static_page.locator(f"#comment-{parent} + .comment-replies article.comment:target")
    expect(reply.locator(".comment-body")).to_have_text("A reply posted from the reply page.")


def top_level_bodies(page) -> list[str]:
    return [text.strip() for text in page.locator(".comment-list > li > article .comment-body").all_inner_texts()]


def test_sorting_reorders_the_thread_without_a_request(page, static_page, server, backend_env):
    database_url = backend_env["COMMENTS_DATABASE_URL"]
    older = post_comment(server, "scenario-sort", "Ann", "Oldest, one like.")
    set_columns(database_url, older, likes=1)
    liked = post_comment(server, "scenario-sort", "Ben", "Middle, five likes.")
    set_columns(database_url, liked, likes=6, dislikes=1)
    post_comment(server, "scenario-sort", "Cy", "Reply stays with its parent.", parent=older)
    post_comment(server, "scenario-sort", "Dee", "Newest, no likes.")
    open_article(static_page, server, "sort")
    expect(static_page.locator(".comment-sort")).to_be_empty()  # nothing to use without a script
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    open_article(page, server, "sort")
    wait_for_widget(page)
    order = page.get_by_label("Sort comments")
    expect(order).to_have_value("old")
    assert top_level_bodies(page) == ["Oldest, one like.", "Middle, five likes.", "Newest, no likes."]
    order.select_option("new")
    assert top_level_bodies(page) == ["Newest, no likes.", "Middle, five likes.", "Oldest, one like."]
    order.select_option("top")
    assert top_level_bodies(page) == ["Middle, five likes.", "Oldest, one like.", "Newest, no likes."]
    expect(page.locator(f"#comment-{older} ~ .comment-replies .comment-body")).to_have_text("Reply stays with its parent.")
    order.focus()
    page.keyboard.press("ArrowUp")  # keyboard only: a closed <select> changes with the arrows
    expect(order).to_have_value("new")
    assert top_level_bodies(page)[0] == "Newest, no likes."
    assert [url for url in requests if "/api/" in url] == [
        f"{server.base_url}/api/threads/scenario-sort/comments?since={page.locator('#comments').get_attribute('data-last-id')}"]


def test_the_index_asks_for_fresh_counts_once_and_moves_nothing(page, static_page, server):
    post_comment(server, "scenario-index-counts", "Ann", "Counted after the build.")
    summary = "article.summary:has(a[href$='/scenario-index-counts.html'])"
    static_page.goto(server.base_url + "/index.html")
    expect(static_page.locator(f"{summary} .comment-count")).to_have_text("0 comments")  # as built
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.add_init_script(RECORD_LAYOUT_SHIFTS)
    page.goto(server.base_url + "/index.html")
    expect(page.locator(f"{summary} .comment-count")).to_have_text("1 comment")
    expect(page.locator(f"{summary} .comment-count a")).to_have_attribute("href", re.compile(r"#comments$"))
    wait_for_widget(page)
    api = [url for url in requests if "/api/" in url]
    assert len(api) == 1 and api[0].startswith(f"{server.base_url}/api/counts?thread="), api
    assert api[0].count("thread=") == page.locator(".comment-count").count()
    assert sum(page.evaluate(LAYOUT_SHIFT_VALUES)) == 0


def test_the_readers_own_comment_still_appears_when_posted(page, server):
    """Only comments of other readers wait for "Show": the reader's own post appears at once."""
    post_comment(server, "scenario-own-post", "Ann", "Someone else's.")
    open_article(page, server, "own-post")
    wait_for_widget(page)
    fill(page, author="Eve", text="Mine, posted with the widget.")
    page.click("#comment-form button[type=submit]")
    expect(page.locator(".comment-list > li > article .comment-body").last).to_have_text("Mine, posted with the widget.")
    expect(page.locator("#comments-title")).to_have_text(f"Comments ({len(comment_bodies(page))})")


def test_a_deleted_comment_newer_than_the_page_is_shown_but_not_counted(page, server, backend_env):
    """A placeholder kept for its reply: shown with the reply on "Show", with no actions, and
    not in the count, as the baked page counts."""
    engine = database.engine_from_url(backend_env["COMMENTS_DATABASE_URL"])
    with database.connect(engine, write=True) as conn:
        def add(text, parent=None):
            return stored.create_comment(conn, slug="scenario-since-deleted", parent=parent, author="Ann",
                                         email=None, website=None, text=text, html=f"<p>{text}</p>",
                                         ip_hash=None, state=APPROVED).id
        gone = add("Deleted after the build.")
        add("A reply that keeps it.", parent=gone)
        stored.delete_comment(conn, gone)
        conn.commit()
    engine.dispose()
    section = open_article(page, server, "since-deleted")
    expect(section.locator(".comment-news")).to_have_text("2 new comments since this page was published Show")
    section.get_by_role("button", name="Show").click()
    expect(section.locator(f"#comment-{gone} .comment-body")).to_have_text("This comment was deleted.")
    expect(section.locator(f"#comment-{gone} .comment-actions")).to_have_count(0)
    expect(section.locator(f"#comment-{gone} ~ .comment-replies .comment-body")).to_have_text("A reply that keeps it.")
    expect(section.locator("#comments-title")).to_have_text("Comments (1)")
