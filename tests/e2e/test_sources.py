"""Comments about a source, corrections, and long threads (issue 13), in the browser.

The References list offers the form beside each source, and the form asks what a comment is
about. Choosing a source in the form, posting a correction, and the "Show all" paging need the
server-threads part (the `references` context key, the new POST fields, `limit`/`after`): those
scenarios are skipped, by name, on a branch without it (tests/e2e/threads.py)."""

import pytest
from playwright.sync_api import expect

from .test_comments_browser import fill, open_article, visible_lines, wait_for_widget
from .threads import ALL_PAGE, CORRECTIONS, PAGING, SOURCES, post_comment

ABOUT_SEED = "scenario-about-seed"
needs_sources = pytest.mark.skipif(not SOURCES, reason="needs `references` and `reference_counts` in "
                                                       "the section context (server-threads)")
needs_paging = pytest.mark.skipif(not (PAGING and ALL_PAGE), reason="needs SECTION_TOP_LEVEL_MAX, "
                                  "?limit=&after= and GET /api/threads/<slug>/all (server-threads)")


def test_each_source_offers_the_form_and_still_reads_as_before(static_page, server):
    static_page.goto(server.url(ABOUT_SEED))
    entry = static_page.locator(f"#{ABOUT_SEED}-ref-1")
    link = entry.get_by_role("link", name="Comment on source [1]")
    expect(link).to_have_attribute("href", "#comment-form")
    expect(link).to_have_text("")
    assert any(line.startswith("[1] https://www.politico.com/") and line.endswith("00452001")
               for line in visible_lines(static_page)), visible_lines(static_page)
    link.click()
    expect(static_page.locator("#comment-form")).to_be_in_viewport()


@needs_sources
def test_a_source_link_preselects_it_in_the_form(page, server):
    page.goto(server.url(ABOUT_SEED))
    wait_for_widget(page)
    about = page.get_by_label("About")
    expect(about).to_have_value("")
    expect(about.locator("option")).to_have_text(["The whole article", "Source [1]"])
    page.locator(f"#{ABOUT_SEED}-ref-1 .ref-comments").click()
    expect(about).to_have_value("1")
    expect(about).to_be_focused()
    fill(page, text="The source says preliminary agreements, not sales.")
    page.click("#comment-form button[type=submit]")
    posted = page.locator("#comments article.comment", has_text="preliminary agreements")
    expect(posted.locator(".comment-about")).to_have_text("on [1]")
    expect(about).to_have_value("")


@pytest.mark.skipif(not CORRECTIONS, reason="needs the `kind` field of POST .../comments (server-threads)")
def test_a_correction_is_held_for_the_newsroom(page, server):
    open_article(page, server, "correction")
    fill(page, text="Paragraph 1 has the wrong date.")
    page.get_by_label("This is a correction").check()
    page.click("#comment-form button[type=submit]")
    expect(page.locator("#comment-form .comment-status")).to_contain_text("held for moderation")
    expect(page.get_by_label("This is a correction")).not_to_be_checked()
    expect(page.locator("#comments article.comment")).to_have_count(0)


@pytest.fixture(scope="module")
def paging_server(start_server, tmp_path_factory):
    """Bakes the first two top-level comments of a thread, and a link to all of them. Its own
    database: the bakes it queues must be baked by its own baker, with its settings (the other
    servers' bakers, on the same site folder, take whatever their database queues)."""
    database = tmp_path_factory.mktemp("paging-db") / "comments.sqlite3"
    return start_server(COMMENTS_SECTION_TOP_LEVEL_MAX="2", COMMENTS_DATABASE_URL=f"sqlite:///{database}")


def long_thread(server, slug: str) -> list[str]:
    texts = [f"Top-level comment {number}." for number in range(1, 6)]
    ids = [post_comment(server, slug, "Ann", text) for text in texts[:-1]]
    post_comment(server, slug, "Ben", "A reply to the fourth.", parent=ids[3])
    post_comment(server, slug, "Cy", texts[-1])
    return texts


@needs_paging
def test_show_all_without_javascript_opens_the_whole_thread(static_page, paging_server):
    slug = "scenario-paging-nojs"
    texts = long_thread(paging_server, slug)
    section = open_article(static_page, paging_server, "paging-nojs")
    expect(section.locator(".comment-list > li > article .comment-body")).to_have_text(texts[:2])
    link = section.get_by_role("link", name="Show all 6 comments")
    expect(link).to_have_attribute("href", f"/api/threads/{slug}/all")
    link.click()
    for text in [*texts, "A reply to the fourth."]:
        expect(static_page.get_by_text(text)).to_be_visible()


@needs_paging
def test_show_all_with_javascript_fetches_the_rest_in_place(page, paging_server):
    texts = long_thread(paging_server, "scenario-paging-js")
    section = open_article(page, paging_server, "paging-js")
    wait_for_widget(page)
    section.get_by_role("link", name="Show all 6 comments").click()
    expect(section.locator(".comment-list > li > article .comment-body")).to_have_text(texts)
    expect(section.locator(".comment-replies .comment-body")).to_have_text(["A reply to the fourth."])
    expect(section.locator(".comment-more")).to_have_count(0)
