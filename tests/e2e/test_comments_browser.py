"""Reading and commenting in a real browser, with and without JavaScript (issue 5).

Each test uses its own article (conftest.SCENARIOS), so their comments never meet."""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from comments_service.core.comment import APPROVED
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from plugins.references.tests.html_text import find_run, seed_article_lines
from tests.conftest import ROOT

from .conftest import SEED_SLUG
from .threads import wait_for_bakes

SEED = ROOT / "plugins" / "references" / "tests" / "seed.txt"
HOSTILE = '<img src=x onerror="alert(1)"> [click me](javascript:alert(2)) <script>alert(3)</script>'
NOT_HTTP = "ftp://files.example.org"
UNDO_MS = 8000  # comments.js: how long "Undo" is offered before a delete is sent


def open_article(page, server, name: str):
    page.goto(server.url(f"scenario-{name}"))
    return page.locator("#comments")


def fill(page, author="Ann Reader", text="A comment typed in the browser.", **fields):
    page.fill("#comment-author", author)
    page.fill("#comment-text", text)
    for name, value in fields.items():
        page.fill(f"#comment-{name}", value)


def post_without_javascript(static_page, server, name: str, text: str, landing: str):
    """Post the form with JavaScript off and wait to land on the article at `landing` (a regex)."""
    open_article(static_page, server, name)
    fill(static_page, text=text)
    static_page.click("#comment-form button[type=submit]")
    static_page.wait_for_url(re.compile(rf"scenario-{name}\.html#{landing}$"))


def comment_bodies(page) -> list[str]:
    return [text.strip() for text in page.locator("#comments article.comment .comment-body").all_inner_texts()]


def visible_lines(page, selector="main") -> list[str]:
    return [" ".join(line.split()) for line in page.inner_text(selector).splitlines() if line.strip()]


def wait_for_widget(page):
    """The widget has made its one request and inserted what it fetched."""
    page.wait_for_load_state("networkidle")


def test_seed_article_reads_like_the_seed(page, server):
    page.goto(server.url(SEED_SLUG))
    wait_for_widget(page)
    lines = visible_lines(page)
    seed = seed_article_lines(SEED.read_text(encoding="utf-8"))
    assert seed[0] in lines
    assert find_run(seed[1:] + ["Comments", "No comments yet"], lines) > lines.index(seed[0]), lines


def test_post_with_javascript_appears_without_a_reload(page, server):
    open_article(page, server, "js-post")
    page.evaluate("window.notReloaded = true")
    fill(page, text="Posted *with* JavaScript.")
    page.click("#comment-form button[type=submit]")
    expect(page.locator("#comments .comment-list article.comment")).to_have_count(1)
    assert comment_bodies(page) == ["Posted with JavaScript."]
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator("#comment-form .comment-status")).to_have_text("Your comment is posted.")
    assert page.input_value("#comment-text") == "" and page.input_value("#comment-author") == "Ann Reader"
    wait_for_bakes(server)
    page.reload()  # now baked into the page, and not fetched a second time
    wait_for_widget(page)
    assert comment_bodies(page) == ["Posted with JavaScript."]


def test_comments_newer_than_the_page_wait_for_the_readers_click(page, server, backend_env):
    """A comment the static page does not have yet (stored by another worker) is fetched, but
    only announced on its reserved line: inserting it unasked would move the page (issue 13)."""
    engine = database.engine_from_url(backend_env["COMMENTS_DATABASE_URL"])
    with database.connect(engine, write=True) as conn:
        stored.create_comment(conn, slug="scenario-since", parent=None, author="Other worker",
                               email=None, website="https://other.example", text="Not baked yet.",
                               html="<p>Not baked yet.</p>", ip_hash=None, state=APPROVED)
        conn.commit()
    engine.dispose()
    section = open_article(page, server, "since")
    news = section.locator(".comment-news")
    expect(news).to_have_text("1 new comment since this page was published Show")
    expect(section.locator("article.comment")).to_have_count(0)
    news.get_by_role("button", name="Show").click()
    expect(section.locator("article.comment")).to_have_count(1)
    expect(section.locator(".comment-author a")).to_have_attribute("href", "https://other.example")
    assert comment_bodies(page) == ["Not baked yet."]
    expect(section.locator(".comments-empty")).to_have_count(0)
    expect(section.locator("h2")).to_have_text("Comments (1)")
    expect(news).to_have_text("")
    assert page.evaluate("document.activeElement.classList.contains('comment')")


def test_post_without_javascript_lands_on_the_comment(static_page, server):
    post_without_javascript(static_page, server, "nojs-post", "Posted without JavaScript.", r"comment-\d+")
    target = static_page.locator("article.comment:target")
    expect(target).to_be_visible()
    expect(target.locator(".comment-body")).to_have_text("Posted without JavaScript.")
    expect(static_page.locator("#comment-posted")).to_be_hidden()


def test_reply_nests_under_its_parent(page, server):
    section = open_article(page, server, "reply")
    fill(page, author="Parent", text="The first word.")
    page.click("#comment-form button[type=submit]")
    parent = section.locator("article.comment").first
    expect(parent).to_contain_text("The first word.")
    parent.get_by_role("link", name="Reply").click()
    expect(page.locator(".comment-replying")).to_contain_text("Replying to Parent")
    assert page.evaluate("document.activeElement.id") == "comment-text"
    fill(page, author="Child", text="A reply to the first word.")
    page.click("#comment-form button[type=submit]")
    reply = section.locator(".comment-list > li > .comment-replies > li > article.comment")
    expect(reply).to_contain_text("A reply to the first word.")
    assert page.input_value("input[name=parent]") == ""
    expect(page.locator(".comment-replying")).to_be_hidden()
    wait_for_bakes(server)
    page.reload()
    expect(reply).to_contain_text("A reply to the first word.")


def test_edit_and_delete_within_the_window(page, server):
    page.clock.install()
    section = open_article(page, server, "edit-delete")
    fill(page, text="Frist version.")
    page.click("#comment-form button[type=submit]")
    comment = section.locator("article.comment").first
    comment.get_by_role("button", name="Edit").click()
    editor = comment.get_by_label("Edit your comment")
    expect(editor).to_have_value("Frist version.")
    editor.fill("First version, corrected.")
    comment.get_by_role("button", name="Save").click()
    expect(comment.locator(".comment-body")).to_have_text("First version, corrected.")
    wait_for_bakes(server)
    page.reload()  # the edit is baked, and the edit token survives the reload
    expect(comment.locator(".comment-body")).to_have_text("First version, corrected.")
    expect(comment.locator(".comment-edited time")).to_have_attribute("datetime", re.compile(r"Z$"))
    expect(comment.locator(".comment-meta")).to_contain_text(re.compile(r" · edited \d{1,2} \w+ 20\d\d, \d\d:\d\d UTC"))
    delete_after_confirming(page, comment)
    expect(section.locator("article.comment")).to_have_count(0)
    wait_for_bakes(server)
    page.reload()
    expect(section.locator(".comments-empty")).to_have_text("No comments yet")


def delete_after_confirming(page, comment):
    """Delete asks first, and waits for the undo time (run on the page's fake clock)."""
    comment.get_by_role("button", name="Delete").click()
    expect(comment.locator(".comment-confirm")).to_have_text("Delete this comment? Yes No")
    comment.get_by_role("button", name="Yes").click()
    expect(comment.locator(".comment-confirm")).to_have_text("Deleted. Undo")
    expect(comment.locator(".comment-body")).to_be_hidden()
    page.clock.run_for(UNDO_MS + 1000)


def test_other_readers_get_no_edit_buttons(browser, page, server):
    section = open_article(page, server, "edit-delete")
    fill(page, text="Only mine to edit.")
    page.click("#comment-form button[type=submit]")
    expect(section.get_by_role("button", name="Edit")).to_have_count(1)
    wait_for_bakes(server)  # the other reader gets the page baked with the comment
    other = browser.new_context().new_page()
    try:
        other_section = open_article(other, server, "edit-delete")
        expect(other_section.get_by_role("link", name="Reply")).to_have_count(1)
        expect(other_section.get_by_role("button", name="Edit")).to_have_count(0)
    finally:
        other.context.close()


def test_validation_errors_with_javascript_keep_the_input(page, server):
    open_article(page, server, "invalid-js")
    fill(page, text="ab", website=NOT_HTTP)
    page.click("#comment-form button[type=submit]")
    expect(page.locator("#comment-website-error")).to_have_text(
        "Website must be a web address starting with http:// or https://.")
    expect(page.locator("#comment-text-error")).to_have_text("Comment must be at least 3 characters.")
    expect(page.locator("#comment-website")).to_have_attribute("aria-invalid", "true")
    assert page.evaluate("document.activeElement.id") in {"comment-website", "comment-text"}
    assert (page.input_value("#comment-website"), page.input_value("#comment-text")) == (NOT_HTTP, "ab")
    assert comment_bodies(page) == []
    page.fill("#comment-website", "")
    page.fill("#comment-text", "Now long enough.")
    page.click("#comment-form button[type=submit]")
    expect(page.locator("#comments article.comment .comment-body")).to_have_text(["Now long enough."])
    expect(page.locator(".field-error")).to_have_count(0)


def test_notify_checkbox_is_posted_by_the_widget(page, server):
    open_article(page, server, "notify")
    fill(page, text="Tell me about replies.")
    page.check("#comment-notify")
    page.click("#comment-form button[type=submit]")
    expect(page.locator("#comment-notify-error")).to_have_text(
        "Email me when someone replies needs your email address in the Email field.")
    expect(page.locator("#comment-notify")).to_have_attribute("aria-invalid", "true")
    page.fill("#comment-email", "ann@example.org")
    page.click("#comment-form button[type=submit]")
    expect(page.locator("#comments article.comment .comment-body")).to_have_text(["Tell me about replies."])


def test_validation_errors_without_javascript_keep_the_input(static_page, server):
    open_article(static_page, server, "invalid-nojs")
    fill(static_page, text="ab", website=NOT_HTTP)
    static_page.click("#comment-form button[type=submit]")
    expect(static_page.locator("h1")).to_have_text("Your comment was not posted")
    expect(static_page.locator("#website-error")).to_contain_text("must be a web address starting with http")
    expect(static_page.locator("#text-error")).to_contain_text("at least 3 characters")
    assert static_page.input_value("#author") == "Ann Reader"
    assert (static_page.input_value("#website"), static_page.input_value("#text")) == (NOT_HTTP, "ab")
    static_page.fill("#website", "https://ann.example")
    static_page.fill("#text", "Corrected on the error page.")
    static_page.click("button[type=submit]")
    static_page.wait_for_url(re.compile(r"scenario-invalid-nojs\.html#comment-\d+$"))
    expect(static_page.locator("article.comment:target .comment-body")).to_have_text("Corrected on the error page.")


def test_hostile_comment_renders_inert(page, server):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    section = open_article(page, server, "hostile")
    fill(page, author='<img src=x onerror="alert(4)">', text=HOSTILE)
    page.click("#comment-form button[type=submit]")
    expect(section.locator("article.comment")).to_have_count(1)
    for fresh in (False, True):  # as the widget inserted it, then as baked into the page
        if fresh:
            wait_for_bakes(server)
            page.reload()
            wait_for_widget(page)
        comment = section.locator("article.comment")
        expect(comment.locator(".comment-author")).to_have_text('<img src=x onerror="alert(4)">')
        assert comment.locator("script, img, iframe, [onerror]").count() == 0
        hrefs = [link.get_attribute("href") or "" for link in comment.locator("a").all()]
        allowed = ("#comment-", "http", "/api/threads/scenario-hostile/reply/")
        assert all(href.startswith(allowed) for href in hrefs if href), hrefs  # javascript: dropped
        assert page.locator("script:not([src]):not([type='application/ld+json'])").count() == 0
    comment.get_by_text("click me").click()
    assert dialogs == []


def test_keyboard_only_posting(page, server):
    section = open_article(page, server, "keyboard")
    wait_for_widget(page)
    for _ in range(200):  # Tab through the page until the form's first field
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "comment-author":
            break
    else:
        raise AssertionError("the name field was never reached with Tab")
    focus_order = []
    page.keyboard.type("Keyboard Kim")
    for _ in range(7):
        page.keyboard.press("Tab")
        focus_order.append(page.evaluate("document.activeElement.name || document.activeElement.textContent"))
        if focus_order[-1] == "text":
            page.keyboard.type("Typed without a mouse.")
    # the honeypot is skipped
    assert focus_order == ["email", "notify", "website", "kind", "text", "Preview", "Post comment"]
    page.keyboard.press("Enter")
    expect(section.locator("article.comment .comment-body")).to_have_text("Typed without a mouse.")


def axe_violations(page) -> str:
    results = Axe().run(page)
    return "" if results.violations_count == 0 else results.generate_report()


def test_axe_finds_no_violations_on_the_article_and_the_form_states(page, server):
    open_article(page, server, "axe")
    wait_for_widget(page)
    assert axe_violations(page) == ""
    fill(page, text="ab", website=NOT_HTTP)
    page.click("#comment-form button[type=submit]")
    expect(page.locator(".field-error")).to_have_count(2)
    assert axe_violations(page) == ""
    fill(page, text="A comment that passes.", website="")
    page.click("#comment-form button[type=submit]")
    expect(page.locator("article.comment")).to_have_count(1)
    page.locator("article.comment").get_by_role("button", name="Edit").click()
    assert axe_violations(page) == ""


def test_axe_finds_no_violations_on_the_no_js_error_page(static_page, page, server):
    """axe needs JavaScript: the error page a no-JS reader got is checked in a page that has it."""
    open_article(static_page, server, "invalid-nojs")
    fill(static_page, text="ab")
    static_page.click("#comment-form button[type=submit]")
    expect(static_page.locator("#text-error")).to_be_visible()
    page.set_content(static_page.content())
    assert axe_violations(page) == ""


def test_one_api_request_and_no_third_party_request_per_view(page, server):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(server.url("scenario-requests"))
    page.wait_for_load_state("networkidle")
    api = [url for url in requests if url.startswith(f"{server.base_url}/api/")]
    foreign = [url for url in requests if not url.startswith((server.base_url + "/", "data:"))]
    assert api == [f"{server.base_url}/api/threads/scenario-requests/comments?since=0"]
    assert foreign == []


def test_held_comment_with_javascript_says_so(page, moderated_server):
    section = open_article(page, moderated_server, "held-js")
    fill(page, text="Please approve me.")
    page.click("#comment-form button[type=submit]")
    expect(page.locator("#comment-form .comment-status")).to_contain_text("held for moderation")
    expect(section.locator("article.comment")).to_have_count(0)


def test_held_comment_without_javascript_lands_on_the_notice(static_page, moderated_server):
    post_without_javascript(static_page, moderated_server, "held-nojs", "Please approve me too.", "comment-held")
    expect(static_page.locator("#comment-held")).to_be_visible()
    expect(static_page.locator("#comment-posted")).to_be_hidden()
    expect(static_page.locator("article.comment")).to_have_count(0)


def test_closed_thread_has_no_form(page, server):
    section = open_article(page, server, "closed")
    wait_for_widget(page)
    expect(section.locator("form")).to_have_count(0)
    expect(section.locator(".comments-closed")).to_have_text("Comments are closed.")
