"""What a reader does to a comment, with and without JavaScript (issue 13): delete with a
question and an undo, votes, reports and a preview of the text being written.

Votes, reports and the preview need the server-reactions endpoints: those scenarios are skipped,
by name, on a branch without them (tests/e2e/threads.py)."""

import re

import pytest
from playwright.sync_api import expect

from .test_comments_browser import UNDO_MS, fill, open_article, wait_for_widget
from .threads import PREVIEW, REPORTS, VOTES, call, post_comment, wait_for_bakes

needs_votes = pytest.mark.skipif(not VOTES, reason="needs POST /api/comments/<id>/vote (server-reactions)")
needs_reports = pytest.mark.skipif(not REPORTS, reason="needs POST /api/comments/<id>/report (server-reactions)")
needs_preview = pytest.mark.skipif(not PREVIEW, reason="needs POST /api/preview (server-reactions)")


def post_with_widget(page, server, name: str, text: str):
    open_article(page, server, name)
    fill(page, text=text)
    page.click("#comment-form button[type=submit]")
    comment = page.locator("#comments article.comment", has_text=text)
    expect(comment).to_have_count(1)
    return comment


def deletes(requests) -> list[str]:
    return [request.url for request in requests if request.method == "DELETE"]


def test_delete_asks_first_and_undo_keeps_the_comment(page, server):
    page.clock.install()
    requests = []
    page.on("request", lambda request: requests.append(request))
    comment = post_with_widget(page, server, "undo", "Nearly deleted.")
    comment.get_by_role("button", name="Delete").click()
    expect(comment.locator(".comment-confirm")).to_have_text("Delete this comment? Yes No")
    assert page.evaluate("document.activeElement.textContent") == "Yes"
    comment.get_by_role("button", name="No").click()
    expect(comment.locator(".comment-confirm")).to_have_count(0)
    assert page.evaluate("document.activeElement.dataset.action") == "delete"
    page.keyboard.press("Enter")  # Delete again, from the keyboard this time
    page.keyboard.press("Enter")  # Yes
    expect(comment.locator(".comment-confirm")).to_have_text("Deleted. Undo")
    expect(comment.locator(".comment-body")).to_be_hidden()
    assert page.evaluate("document.activeElement.textContent") == "Undo"
    page.keyboard.press("Enter")
    expect(comment.locator(".comment-body")).to_have_text("Nearly deleted.")
    page.clock.run_for(UNDO_MS * 2)
    assert deletes(requests) == []
    wait_for_bakes(server)
    page.reload()
    expect(page.locator("#comments article.comment .comment-body")).to_have_text(["Nearly deleted."])


def test_leaving_the_page_sends_a_waiting_delete_at_once(page, server):
    page.clock.install()  # the undo time never runs out here: only leaving can send it
    comment = post_with_widget(page, server, "leave", "Deleted as I leave.")
    comment_id = comment.get_attribute("data-id")
    comment.get_by_role("button", name="Delete").click()
    comment.get_by_role("button", name="Yes").click()
    expect(comment.locator(".comment-confirm")).to_have_text("Deleted. Undo")
    page.goto(server.base_url + "/index.html")
    # Chromium does not report a keepalive request sent while the page unloads: ask the service,
    # which may answer it only after the next page has loaded.
    for _ in range(100):
        thread = call(server, "GET", "/threads/scenario-leave/comments")[1]
        if not thread["comments"]:
            break
        page.wait_for_timeout(100)
    assert thread["comments"] == [], f"comment {comment_id} was not deleted: {thread}"


def test_vote_and_report_forms_work_as_plain_forms(static_page, server):
    """Without a script each action is a form posting to its endpoint (the service answers
    with a redirect back to the comment)."""
    comment_id = post_comment(server, "scenario-votes-nojs", "Ann", "Vote on me.")
    section = open_article(static_page, server, "votes-nojs")
    vote = section.locator(f"#comment-{comment_id} form.comment-vote")
    expect(vote).to_have_attribute("action", f"/api/comments/{comment_id}/vote")
    expect(vote).to_have_attribute("method", "post")
    expect(vote.get_by_role("button", name="Like 0", exact=True)).to_have_attribute("value", "up")
    expect(vote.get_by_role("button", name="Dislike 0", exact=True)).to_have_attribute("value", "down")
    report = section.locator(f"#comment-{comment_id} details.comment-report")
    report.locator("summary").click()
    expect(report.locator("form")).to_have_attribute("action", f"/api/comments/{comment_id}/report")
    expect(report.get_by_role("radio")).to_have_count(3)
    expect(report.get_by_role("group", name="Report this comment as")).to_be_visible()


@needs_votes
def test_votes_without_javascript_land_back_on_the_comment(static_page, server):
    comment_id = post_comment(server, "scenario-votes-nojs", "Ben", "Like me without a script.")
    section = open_article(static_page, server, "votes-nojs")
    section.locator(f"#comment-{comment_id}").get_by_role("button", name="Like 0", exact=True).click()
    static_page.wait_for_url(re.compile(rf"scenario-votes-nojs\.html#comment-{comment_id}$"))
    expect(static_page.locator(f"#comment-{comment_id} .comment-vote button").first).to_have_text("Like▲ 1")


@needs_votes
def test_votes_with_javascript_count_toggle_and_are_remembered(page, server):
    comment_id = post_comment(server, "scenario-votes-js", "Ann", "Like me.")
    section = open_article(page, server, "votes-js")
    wait_for_widget(page)
    buttons = section.locator(f"#comment-{comment_id} .comment-vote button")
    like, dislike = buttons.nth(0), buttons.nth(1)
    expect(like).to_have_attribute("aria-pressed", "false")
    page.evaluate("window.notReloaded = true")
    like.focus()
    page.keyboard.press("Enter")
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like.locator(".n")).to_have_text("1")
    assert page.evaluate("window.notReloaded") is True
    dislike.click()  # a vote replaces the reader's earlier one
    expect(dislike).to_have_attribute("aria-pressed", "true")
    expect(like).to_have_attribute("aria-pressed", "false")
    expect(buttons.locator(".n")).to_have_text(["0", "1"])
    wait_for_bakes(server)
    page.reload()
    expect(dislike).to_have_attribute("aria-pressed", "true")
    expect(buttons.locator(".n")).to_have_text(["0", "1"])
    dislike.click()  # pressed again: withdrawn
    expect(dislike).to_have_attribute("aria-pressed", "false")
    expect(buttons.locator(".n")).to_have_text(["0", "0"])


@needs_reports
def test_report_with_javascript_thanks_the_reader_in_place(page, server):
    comment_id = post_comment(server, "scenario-report-js", "Ann", "Report me.")
    section = open_article(page, server, "report-js")
    wait_for_widget(page)
    report = section.locator(f"#comment-{comment_id} details.comment-report")
    report.locator("summary").click()
    report.get_by_label("spam").check()
    report.get_by_role("button", name="Send report").click()
    expect(report.get_by_role("status")).to_have_text("Thank you: a moderator will look at this comment.")


@needs_reports
def test_report_without_javascript_lands_on_a_thank_you(static_page, server):
    comment_id = post_comment(server, "scenario-report-nojs", "Ann", "Report me too.")
    section = open_article(static_page, server, "report-nojs")
    report = section.locator(f"#comment-{comment_id} details.comment-report")
    report.locator("summary").click()
    report.get_by_label("off-topic").check()
    report.get_by_role("button", name="Send report").click()
    static_page.wait_for_url(re.compile(rf"scenario-report-nojs\.html#comment-{comment_id}-reported$"))
    expect(static_page.locator(f"#comment-{comment_id}-reported")).to_be_visible()


def test_preview_is_offered_only_with_javascript(static_page, server):
    open_article(static_page, server, "preview")
    expect(static_page.get_by_role("button", name="Preview")).to_have_count(0)


@needs_preview
def test_preview_renders_the_text_with_one_request(page, server):
    requests = []
    page.on("request", lambda request: requests.append((request.method, request.url)))
    open_article(page, server, "preview")
    wait_for_widget(page)
    page.fill("#comment-text", "Some *emphasis*\nand a kept line break.")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#comment-form .comment-preview")
    expect(preview.locator("em")).to_have_text("emphasis")
    expect(preview.locator("br")).to_have_count(1)
    assert [url for method, url in requests if method == "POST"] == [f"{server.base_url}/api/preview"]
    page.fill("#comment-text", "ab")
    page.get_by_role("button", name="Preview").click()
    expect(preview).to_contain_text("at least 3 characters")
