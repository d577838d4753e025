"""The moderation pages (admin/views.py): login throttling, the queue, every action and its log
row, what readers see afterwards, and the re-bake of the articles they see."""

import json
import re

import pytest

from comments_service import create_app, rebake
from comments_service.db import engine as app_engine

from ..conftest import ORIGIN, CommentsAPI, Moderator, error_of, log_in
from .conftest import held


def test_login_is_throttled_per_client(app_config):
    app = create_app(app_config | {"RATELIMIT_ENABLED": True, "ADMIN_LOGIN_RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    for _ in range(3):
        assert log_in(client, password="wrong").status_code == 403
    response = log_in(client)  # even the right password waits
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "Too many" in response.get_data(as_text=True)
    assert client.get("/admin/login").status_code == 200  # the page itself is not throttled
    with app.app_context():
        app_engine().dispose()


def test_login_page_keeps_the_admin_rate_limit_after_a_login_post(app_config):
    """A login POST once made Flask-Limiter (its limit used as a context manager) mark the
    endpoint as limited by the view alone, and from then on GET /admin/login had no limit."""
    app = create_app(app_config | {"RATELIMIT_ENABLED": True, "ADMIN_RATE_LIMIT": "5 per minute",
                                   "ADMIN_LOGIN_RATE_LIMIT": "100 per minute"})
    client = app.test_client()
    assert log_in(client, password="wrong").status_code == 403  # a GET and a POST: 2 of 5
    assert [client.get("/admin/login").status_code for _ in range(4)] == [200, 200, 200, 429]
    with app.app_context():
        app_engine().dispose()


def test_pages_have_no_script_and_no_inline_style(moderator, api):
    held(api)
    for path in ("/admin/", "/admin/log", "/admin/threads/first-article", "/admin/comments/1/edit"):
        html = moderator.page(path)
        assert "<script" not in html and "style=" not in html and "<style" not in html


def test_queue_shows_held_comments_newest_first_with_what_moderators_need(moderator, api):
    first = held(api, author="Early", email="early@example.org", text="First, see https://a.example")
    second = held(api, "second-article", author="Late", text="Second <b>bold</b>")
    html = moderator.page()
    assert html.index(f"#{second}<") < html.index(f"#{first}<")
    assert "Second &lt;article&gt;" in html and "First article" in html  # titles, escaped
    assert "early@example.org" in html and "Early" in html
    assert "Second &lt;b&gt;bold&lt;/b&gt;" in html  # the text as typed, escaped
    assert "every comment is held; contains links" in html  # the flags, in words


def test_queue_pages_and_states(app, moderator, api):
    app.config["ADMIN_PAGE_SIZE"] = 1
    first = held(api, text="First one")
    held(api, text="Second one")
    assert "Second one" in moderator.page() and "First one" not in moderator.page()
    assert "First one" in moderator.page(page=2)
    moderator.act("approve", first)
    assert "First one" in moderator.page(state="approved")


def test_approve_publishes_and_logs(moderator, api):
    comment_id = held(api, text="Worth reading")
    assert api.thread()["comments"] == []
    response = moderator.act("approve", comment_id, next="/admin/?state=pending")
    assert response.headers["Location"] == "/admin/?state=pending"
    [comment] = api.thread()["comments"]
    assert comment["id"] == comment_id and "Worth reading" in comment["html"]
    assert moderator.log()[0][1:4] == ["ann", "approve", f"#{comment_id}"]


def test_reject_hides_and_logs(moderator, api):
    comment_id = held(api)
    moderator.act("reject", comment_id, reason="spam")
    assert api.thread()["comments"] == []
    assert f"#{comment_id}<" in moderator.page(state="rejected")
    assert moderator.log()[0][1:] == ["ann", "reject", f"#{comment_id}", "first-article", "spam"]


def test_delete_with_a_public_reason_is_escaped_for_readers(moderator, api, client):
    comment_id = held(api, email="reader@example.org")
    moderator.act("approve", comment_id)
    moderator.act("delete", comment_id, reason="<script>alert(1)</script>", public="on")
    body = api.thread()
    [placeholder] = body["comments"]
    assert placeholder["html"].endswith("Removed by a moderator: &lt;script&gt;alert(1)&lt;/script&gt;</p>")
    assert "<script>" not in json.dumps(body) and body["count"] == 0
    assert moderator.log()[0][1:] == ["ann", "delete", f"#{comment_id}", "first-article",
                                      "<script>alert(1)</script>"]


def test_delete_without_public_reason_removes_the_comment(moderator, api):
    comment_id = held(api)
    moderator.act("approve", comment_id)
    moderator.act("delete", comment_id, reason="private note")
    assert api.thread()["comments"] == []


def test_edit_re_renders_and_sanitises(moderator, api):
    comment_id = held(api)
    moderator.act("approve", comment_id)
    response = moderator.post(f"/admin/comments/{comment_id}/edit", text="Now *better* <script>x</script>",
                              next="/admin/log")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/log"
    [comment] = api.thread()["comments"]
    assert "<em>better</em>" in comment["html"] and "<script>" not in comment["html"]
    assert comment["edited"] is not None
    assert moderator.log()[0][2] == "edit"


def test_edit_keeps_what_was_typed_on_a_bad_text(moderator, api):
    comment_id = held(api)
    response = moderator.post(f"/admin/comments/{comment_id}/edit", text="ab")
    assert response.status_code == 400
    assert "at least 3 characters" in response.get_data(as_text=True)
    assert moderator.client.get("/admin/comments/999/edit").status_code == 404


@pytest.mark.parametrize("comment_id", [2**31, 2**63, 10**30])
def test_edit_of_an_id_no_comment_can_have_is_404_not_a_500(moderator, comment_id):
    """SQLite cannot bind an integer past 2**63 and PostgreSQL's column ends at 2**31."""
    assert moderator.client.get(f"/admin/comments/{comment_id}/edit").status_code == 404
    assert moderator.post(f"/admin/comments/{comment_id}/edit", text="Some text").status_code == 404


def test_bulk_action_on_many_comments(moderator, api):
    ids = [held(api, text=f"Comment number {n}") for n in range(3)]
    moderator.act("approve", *ids[:2])
    assert [c["id"] for c in api.thread()["comments"]] == ids[:2]
    assert [row[2:4] for row in moderator.log()] == [["approve", f"#{ids[1]}"], ["approve", f"#{ids[0]}"]]


def test_lock_refuses_new_comments_until_unlocked(moderator, api):
    response = moderator.post("/admin/threads/first-article/lock", locked="1", reason="flame war")
    assert response.status_code == 303
    assert "locked" in moderator.page("/admin/threads/first-article")
    refused = api.post()
    assert refused.status_code == 403 and error_of(refused)["code"] == "thread_locked"
    assert api.thread()["open"] is False
    moderator.post("/admin/threads/first-article/lock", locked="0")
    assert api.post().status_code == 202
    assert [row[2] for row in moderator.log()] == ["unlock", "lock"]


def test_actions_that_readers_see_rebake_the_article(moderator, api, monkeypatch):
    rebaked = []
    monkeypatch.setattr(rebake, "rebake_article", lambda thread: rebaked.append(thread.slug))
    comment_id = held(api, text="Held then approved")
    moderator.act("reject", held(api, text="Never seen"))
    assert rebaked == []
    moderator.act("approve", comment_id)
    moderator.post("/admin/threads/second-article/lock", locked="1")
    assert rebaked == ["first-article", "second-article"]


def test_no_email_reaches_the_public_api_after_actions(moderator, api, client):
    ids = [held(api, email=f"reader{n}@example.org", text=f"Comment number {n}") for n in range(3)]
    moderator.act("approve", *ids)
    moderator.post(f"/admin/comments/{ids[0]}/edit", text="Edited by a moderator")
    moderator.act("delete", ids[1], reason="rude", public="on")
    public = [client.get(path, headers={"Origin": ORIGIN}).get_data(as_text=True)
              for path in ("/api/threads/first-article/comments", "/api/feed.atom",
                           "/api/threads/first-article/feed.atom")]
    assert all("@example.org" not in text for text in public)


def published(api, moderator, text) -> tuple[int, str]:
    """A comment approved by the moderator; its id and edit token."""
    posted = api.post(text=text).get_json()
    moderator.act("approve", posted["comment"]["id"])
    return posted["comment"]["id"], posted["edit_token"]


def test_an_authors_edit_of_a_published_comment_waits_for_a_moderator(moderator, api):
    """MODERATION=all: editing an approved comment once published the new text at once, past
    review. Now the approved text stays public and the edit waits in the queue."""
    comment_id, token = published(api, moderator, "The approved words")
    response = api.edit(comment_id, token, text="Buy cheap pills at https://spam.example")
    assert response.status_code == 202 and response.get_json()["status"] == "pending"
    assert response.get_json()["comment"]["html"] == "<p>The approved words</p>"
    [public] = api.thread()["comments"]
    assert (public["html"], public["edited"]) == ("<p>The approved words</p>", None)
    queue = moderator.page()
    assert f"#{comment_id}<" in queue and "Buy cheap pills at https://spam.example" in queue
    assert "Approve edit</button>" in queue and "Reject edit</button>" in queue
    moderator.act("approve-edit", comment_id)
    [public] = api.thread()["comments"]
    assert "Buy cheap pills" in public["html"] and public["edited"]
    assert f"#{comment_id}<" not in moderator.page()
    assert moderator.log()[0][1:4] == ["ann", "approve-edit", f"#{comment_id}"]


def test_a_rejected_edit_leaves_the_published_text(moderator, api):
    comment_id, token = published(api, moderator, "The approved words")
    assert api.edit(comment_id, token, text="First try").status_code == 202
    assert api.edit(comment_id, token, text="Second try").status_code == 202  # replaces the first
    queue = moderator.page()
    assert "Second try" in queue and "First try" not in queue
    moderator.act("reject-edit", comment_id, reason="off topic")
    assert [c["html"] for c in api.thread()["comments"]] == ["<p>The approved words</p>"]
    assert "Second try" not in moderator.page() and "Second try" not in moderator.page(state="approved")
    assert moderator.log()[0][1:4] == ["ann", "reject-edit", f"#{comment_id}"]


def test_a_held_comment_is_still_edited_in_place(moderator, api):
    posted = api.post(text="Held words").get_json()
    response = api.edit(posted["comment"]["id"], posted["edit_token"], text="Better held words")
    assert response.status_code == 200 and response.get_json()["status"] == "pending"
    assert "Better held words" in moderator.page() and "Approve edit</button>" not in moderator.page()


# --- editors' picks, corrections, the thread's pages -------------------------------------------

def test_pick_with_a_public_note_shows_on_the_thread_and_is_logged(moderator, api, monkeypatch):
    rebaked = []
    monkeypatch.setattr(rebake, "rebake_article", lambda thread: rebaked.append(thread.slug))
    comment_id, _ = published(api, moderator, "A first-hand account.")
    rebaked.clear()
    assert 'name="action" value="pick"' in moderator.page("/admin/threads/first-article")
    moderator.act("pick", comment_id, reason="Best <first-hand> account")
    [comment] = api.thread()["comments"]
    assert (comment["picked"], comment["pick_note"]) == (True, "Best <first-hand> account")
    assert rebaked == ["first-article"]
    html = moderator.page("/admin/threads/first-article")
    picks = html[html.index("<h2>Editors' picks</h2>"):html.index("<h2>Comments, oldest first</h2>")]
    assert f'href="#comment-{comment_id}"' in picks and "“Best &lt;first-hand&gt; account”" in picks
    assert moderator.log()[0][1:] == ["ann", "pick", f"#{comment_id}", "first-article", "Best <first-hand> account"]
    moderator.act("pick", comment_id, reason="Changed note")
    assert api.thread()["comments"][0]["pick_note"] == "Changed note"
    moderator.act("unpick", comment_id, reason="outdated")
    [comment] = api.thread()["comments"]
    assert (comment["picked"], comment["pick_note"]) == (False, None)
    assert moderator.log()[0][2:] == ["unpick", f"#{comment_id}", "first-article", "outdated"]
    assert "No picks yet" in moderator.page("/admin/threads/first-article")


def test_only_published_comments_can_be_picked(moderator, api):
    comment_id = held(api)
    assert 'value="pick">Pick<' not in moderator.page()
    response = moderator.act("pick", comment_id)
    assert "Pick: 0 of 1" in moderator.page(response.headers["Location"])
    assert moderator.log() == []


def test_a_pick_note_follows_the_reason_rules(moderator, api):
    comment_id, _ = published(api, moderator, "Worth a pick.")
    for note in ("x" * 501, "bad\x00note"):
        assert moderator.post("/admin/moderate", action="pick", ids=str(comment_id), reason=note).status_code == 400
    assert api.thread()["comments"][0]["picked"] is False


def test_corrections_have_their_own_view(moderator, api):
    correction = held(api, kind="correction", about_paragraph=2, text="Paragraph 2 has the wrong year.")
    comment = held(api, text="Just a comment.")
    assert "Corrections</a>" in moderator.page()  # in the navigation
    html = moderator.page(kind="correction")
    assert "<h1>Corrections</h1>" in html and f"#{correction}<" in html and f"#{comment}<" not in html
    assert "on paragraph 2" in html and "correction" in html
    assert f"#{comment}<" in moderator.page() and f"#{correction}<" in moderator.page()
    moderator.act("approve", correction)
    assert f"#{correction}<" not in moderator.page(kind="correction")
    assert f"#{correction}<" in moderator.page(kind="correction", state="approved")
    assert moderator.client.get("/admin/", query_string={"kind": "pick"}).status_code == 400


def test_thread_view_is_paginated(app, moderator, api):
    app.config["ADMIN_PAGE_SIZE"] = 2
    ids = [held(api, text=f"Comment number {n}.") for n in range(3)]
    first = moderator.page("/admin/threads/first-article")
    assert f"#{ids[0]}<" in first and f"#{ids[1]}<" in first and f"#{ids[2]}<" not in first
    assert 'href="/admin/threads/first-article?page=2"' in first
    second = moderator.page("/admin/threads/first-article", page=2)
    assert f"#{ids[2]}<" in second and f"#{ids[0]}<" not in second and 'rel="next"' not in second
    assert moderator.client.get("/admin/threads/first-article?page=0").status_code == 400


def test_picks_on_each_backend(any_database_url, app_config):
    app = create_app(app_config | {"DATABASE_URL": any_database_url})
    api = CommentsAPI(app.test_client())
    try:
        moderator = Moderator(api.client)
        comment_id, _ = published(api, moderator, "On each backend.")
        moderator.act("pick", comment_id, reason="note")
        assert api.thread()["comments"][0]["pick_note"] == "note"
        assert f'href="#comment-{comment_id}"' in moderator.page("/admin/threads/first-article")
        moderator.act("unpick", comment_id)
        assert api.thread()["comments"][0]["picked"] is False
    finally:
        with app.app_context():
            app_engine().dispose()


def test_navigation_counts_the_held_comments(moderator, api):
    """Issue 15: "Held (N)" in the navigation, on every page, counting what the Held page lists."""
    assert ">Held (0)</a>" in moderator.page()
    first = held(api)
    held(api, "second-article")
    assert ">Held (2)</a>" in moderator.page("/admin/log")
    moderator.act("approve", first)
    assert ">Held (1)</a>" in moderator.page(state="approved")


def test_times_flags_and_states_are_in_words(moderator, api):
    """Times as people read them (the exact moment in datetime and title), flags and states in
    words, not codes like `moderation-all` or `pending`."""
    comment_id = held(api, text="See https://example.org first")
    html = moderator.page()
    stamp = re.search(r'<time datetime="([^"]+Z)" title="\1">(\d{1,2} \w+ \d{4}, \d\d:\d\d UTC)</time>', html)
    assert stamp, html
    assert '<dd class="flags">every comment is held; contains links</dd>' in html
    assert '<span class="state">held</span>' in html and "moderation-all" not in html
    moderator.act("approve", comment_id)
    assert re.search(r"<td><time datetime=\"[^\"]+Z\" title=\"[^\"]+\">\d{1,2} \w+ \d{4}, \d\d:\d\d UTC</time></td>",
                     moderator.page("/admin/log"))


def test_the_current_page_is_marked_in_the_navigation(moderator):
    assert '<a href="/admin/log" aria-current="page">Log</a>' in moderator.page("/admin/log")
