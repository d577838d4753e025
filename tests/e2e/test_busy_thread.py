"""A busy thread, as docs/screenshots/ shows it (tests/e2e/screenshots.py): picks, votes,
replies, a comment about a source and a correction, readable with and without JavaScript,
axe-clean, every control reachable with the keyboard, and no layout shift."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import BUSY_SEED_SLUG
from .screenshots import busy_thread
from .test_view_budget import LAYOUT_SHIFT_VALUES, RECORD_LAYOUT_SHIFTS
from .threads import PICKS


@pytest.fixture(scope="module")
def thread(server, backend_env) -> dict[str, int]:
    return busy_thread(server, backend_env["COMMENTS_DATABASE_URL"], BUSY_SEED_SLUG)


def comment(page, ids, name):
    return page.locator(f"#comment-{ids[name]}")


def test_the_baked_thread_shows_votes_replies_sources_and_marks(static_page, server, thread):
    static_page.goto(server.url(BUSY_SEED_SLUG))
    expect(static_page.locator("#comments-title")).to_have_text("Comments (6)")
    pick = comment(static_page, thread, "pick")
    expect(pick.locator(".comment-badge")).to_have_text("Editor's pick")
    expect(pick.locator(".comment-vote .n")).to_have_text(["14", "1"])
    expect(static_page.locator(f"#comment-{thread['pick']} ~ .comment-replies #comment-{thread['answer']}")).to_have_count(1)
    expect(comment(static_page, thread, "question").locator(".comment-edited")).to_contain_text("edited")
    about = comment(static_page, thread, "source").locator(".comment-about")
    expect(about).to_have_text("on [1]")
    expect(about).to_have_attribute("href", f"#{BUSY_SEED_SLUG}-ref-1")
    about.click()  # the source it is about, in the References list
    expect(static_page.locator(f"#{BUSY_SEED_SLUG}-ref-1")).to_be_in_viewport()
    correction = comment(static_page, thread, "correction")
    expect(correction.locator(".comment-badge")).to_have_text("Correction")
    correction.locator(".comment-about").click()
    expect(static_page.locator(f"p#{BUSY_SEED_SLUG}-p-5:target")).to_be_in_viewport()


@pytest.mark.skipif(not PICKS, reason="needs `picks` in the section context (server-threads)")
def test_picks_are_shown_above_the_thread(static_page, server, thread):
    static_page.goto(server.url(BUSY_SEED_SLUG))
    picks = static_page.get_by_role("region", name="Editor's picks")
    expect(picks).to_contain_text("The clearest account of what is new and what is not.")
    expect(picks.get_by_role("link")).to_have_attribute("href", f"#comment-{thread['pick']}")
    order = static_page.locator("#comments-title, .comment-picks, .comment-list")
    expect(order).to_have_count(3)
    assert order.evaluate_all("nodes => nodes.map(node => node.className || node.id)") == [
        "comments-title", "comment-picks", "comment-list"]


def test_the_busy_thread_loads_without_a_shift_and_passes_axe(page, server, thread):
    page.add_init_script(RECORD_LAYOUT_SHIFTS)
    page.goto(server.url(BUSY_SEED_SLUG) + "#comments")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_label("Sort comments")).to_be_visible()
    assert sum(page.evaluate(LAYOUT_SHIFT_VALUES)) == 0
    assert Axe().run(page).violations_count == 0, Axe().run(page).generate_report()
    comment(page, thread, "source").locator("details.comment-report summary").click()
    assert Axe().run(page).violations_count == 0, Axe().run(page).generate_report()


def test_every_control_of_the_thread_is_reached_with_the_keyboard(page, server, thread):
    page.goto(server.url(BUSY_SEED_SLUG) + "#comments")
    page.wait_for_load_state("networkidle")
    for _ in range(200):  # through the page to the thread's first control, the sort order
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "comment-order":
            break
    reached = [("", "SELECT", "sort")]
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const node = document.activeElement;
            const article = node.closest('article.comment');
            return [article ? article.dataset.id : '', node.tagName, (node.textContent || node.name || '').trim()]; }""")
        if focused[1] == "TEXTAREA":
            break
        reached.append(tuple(focused))
    source = str(thread["source"])
    assert {(source, "BUTTON", "Like▲ 9"), (source, "BUTTON", "Dislike▼ 2"), (source, "A", "Reply"),
            (source, "SUMMARY", "Report"), (source, "A", "on [1]")} <= set(reached), reached
