"""The public API: every endpoint and status code, and a table of hostile inputs."""

import json
import os

import pytest
from itsdangerous.timed import TimestampSigner

from comments_service import create_app, db
from comments_service.core.render import plain
from comments_service.core.storage import comments as stored
from comments_service.core.storage.addresses import confirm_address
from comments_service.core.storage import threads as thread_store
from comments_service.core.tokens import issue_edit_token
from comments_service.db import engine as app_engine

from .conftest import ORIGIN, CommentsAPI, assert_inert, error_of


def stored_count(app) -> int:
    """Every comment row in the database, whatever its state."""
    with app.app_context(), app_engine().connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM comments").scalar_one()


# --- list -------------------------------------------------------------------------------------

def test_list_of_a_thread_without_comments(api):
    assert api.thread() == {"thread": "first-article", "count": 0, "open": True, "comments": [],
                            "next": None}


def test_list_shows_new_comments_in_order_with_since(api):
    first = api.comment(text="First!")["comment"]
    second = api.comment(text="Second.", parent=first["id"])["comment"]
    body = api.thread()
    assert body["count"] == 2 and body["comments"] == [first, second]
    assert api.thread(since=first["id"])["comments"] == [second]
    assert api.thread(since=second["id"])["comments"] == []


@pytest.mark.parametrize("since", ["-1", "abc", "1.5", "", str(2**64), "٣"])
def test_list_rejects_a_bad_since(client, since):
    response = client.get("/api/threads/first-article/comments", query_string={"since": since})
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"since": "must be a whole number, 0 or more"}


def test_list_etag_answers_304_until_something_changes(api, client):
    url = "/api/threads/first-article/comments"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    api.comment()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_list_pages_top_level_comments_with_all_their_replies(api):
    """`limit` top-level comments after `after`, each with its replies; `next` is the cursor."""
    first = api.comment(text="First!")["comment"]["id"]
    second = api.comment(text="Second.")["comment"]["id"]
    reply = api.comment(text="Reply to the first.", parent=first)["comment"]["id"]
    third = api.comment(text="Third.")["comment"]["id"]
    page = api.thread(limit=1)
    assert [c["id"] for c in page["comments"]] == [first, reply]
    assert (page["next"], page["count"]) == (first, 4)
    page = api.thread(limit=1, after=page["next"])
    assert ([c["id"] for c in page["comments"]], page["next"]) == ([second], second)
    page = api.thread(limit=5, after=page["next"])
    assert ([c["id"] for c in page["comments"]], page["next"]) == ([third], None)
    assert [c["id"] for c in api.thread(after=second)["comments"]] == [third]
    assert api.thread()["next"] is None
    assert [c["id"] for c in api.thread(limit=2, since=first)["comments"]] == [second, reply]


def test_each_page_has_its_own_etag_and_cache_entry(api, client):
    """The page cache and the ETag are keyed by every parameter: page 2 is never page 1."""
    for text in ("One comment.", "Two comments.", "Three comments."):
        api.comment(text=text)
    url = "/api/threads/first-article/comments"
    pages = [client.get(url, query_string=query) for query in
             ({"limit": 1}, {"limit": 1, "after": 1}, {"limit": 2}, {"after": 1}, {})]
    assert len({page.headers["ETag"] for page in pages}) == len(pages)
    assert len({page.get_data() for page in pages}) == len(pages)
    again = client.get(url, query_string={"limit": 1, "after": 1},
                       headers={"If-None-Match": pages[1].headers["ETag"]})
    assert again.status_code == 304


def _in_request(app, change, *args):
    """Run a storage write as a moderator's request would, and commit it."""
    with app.test_request_context(method="POST"):
        conn = db.connection()
        change(conn, *args)
        conn.commit()


def test_every_kind_of_write_reaches_the_next_read(app, api, client):
    """Thread pages are cached per worker under the thread's version: each write must bump it."""
    url = "/api/threads/first-article/comments"

    def shown():
        body = client.get(url).get_json()
        return body["open"], body["count"], [(c["id"], c["author"], c["html"]) for c in body["comments"]]

    first = api.comment(text="First words")
    assert shown() == (True, 1, [(first["comment"]["id"], "Reader", "<p>First words</p>")])
    second = api.comment(author="Bob", text="Other words")["comment"]["id"]
    assert shown()[1] == 2
    api.edit(first["comment"]["id"], first["edit_token"], text="Second words")
    assert shown()[2][0][2] == "<p>Second words</p>"
    app.config["MODERATION"] = "all"
    held = api.post(text="Held back").get_json()["comment"]["id"]
    assert shown()[1] == 2
    _in_request(app, stored.approve_comment, held)
    assert shown()[1:] == (3, [(first["comment"]["id"], "Reader", "<p>Second words</p>"),
                               (second, "Bob", "<p>Other words</p>"), (held, "Reader", "<p>Held back</p>")])
    _in_request(app, stored.reject_comment, held)
    assert shown()[1] == 2
    _in_request(app, thread_store.set_thread_locked, "first-article", True)
    assert shown()[0] is False
    assert api.delete(first["comment"]["id"], first["edit_token"]).status_code == 200
    assert shown()[1:] == (1, [(second, "Bob", "<p>Other words</p>")])


def test_list_hands_out_a_form_token_that_works_for_that_thread(client, app):
    token = client.get("/api/threads/first-article/comments").headers["X-Form-Token"]
    app.config["MIN_FILL_SECONDS"] = 0
    response = client.post("/api/threads/first-article/comments",
                           json={"author": "No Origin", "text": "Sent with the token.", "form_token": token})
    assert response.status_code == 201


def test_list_of_an_unknown_thread_is_404(client):
    response = client.get("/api/threads/no-such-article/comments")
    assert response.status_code == 404 and error_of(response)["code"] == "unknown_thread"


def test_closed_thread_lists_as_not_open(api):
    assert api.thread("closed-article")["open"] is False


# --- create -----------------------------------------------------------------------------------

def test_create_returns_comment_edit_token_and_window(api):
    body = api.comment(author="Ann", text="Hello *world*", website="https://ann.example",
                       email="ann@example.org")
    assert set(body) == {"status", "comment", "edit_token", "editable_until"}
    assert body["status"] == "approved"
    comment = body["comment"]
    assert comment["author"] == "Ann" and comment["website"] == "https://ann.example"
    assert comment["html"] == "<p>Hello <em>world</em></p>"
    assert "email" not in comment and "ann@example.org" not in json.dumps(body)
    assert body["editable_until"] > comment["created"]


def test_create_accepts_the_form_fields_as_the_widget_posts_them(api):
    parent = api.comment()["comment"]["id"]
    body = api.comment(parent=str(parent), email="", website="", homepage="")
    assert body["comment"]["parent"] == parent and body["comment"]["website"] is None


@pytest.mark.parametrize("settings, location", [
    ({}, "http://localhost/first-article.html#comment-posted"),
    ({"MODERATION": "all"}, "http://localhost/first-article.html#comment-held"),
    ({"SITE_URL": "https://news.example/"}, "https://news.example/first-article.html#comment-posted"),
])
def test_form_post_redirects_back_to_the_article(client, app, settings, location):
    app.config.update(settings)
    response = client.post("/api/threads/first-article/comments", headers={"Origin": ORIGIN},
                           data={"author": "Ann", "text": "No JavaScript here.", "homepage": ""})
    assert response.status_code == 303 and response.headers["Location"] == location


def test_moderation_all_holds_everything_until_approved(api, app):
    app.config["MODERATION"] = "all"
    response = api.post(email="ann@example.org")
    assert response.status_code == 202 and response.get_json()["status"] == "pending"
    assert api.thread()["comments"] == [] and api.thread()["count"] == 0
    with app.app_context(), app_engine().begin() as conn:
        stored.approve_comment(conn, response.get_json()["comment"]["id"])
    assert [c["id"] for c in api.thread()["comments"]] == [response.get_json()["comment"]["id"]]


def test_moderation_first_holds_an_address_until_it_is_confirmed(api, app):
    """An approved comment alone trusts nobody (anyone can type its address): the address must
    be confirmed from the mail an approval sends (test_subscriptions.py has the whole flow)."""
    app.config["MODERATION"] = "first"
    first = api.post(email="ann@example.org")
    assert first.status_code == 202
    assert api.post().status_code == 202  # no email: always a first comment
    with app.app_context(), app_engine().begin() as conn:
        stored.approve_comment(conn, first.get_json()["comment"]["id"])
    assert api.post(email="ann@example.org").status_code == 202
    with app.app_context(), app_engine().begin() as conn:
        confirm_address(conn, "ann@example.org")
    assert api.post(email="ann@example.org").status_code == 201
    assert api.post(email="bob@example.org").status_code == 202


def test_closed_thread_refuses_comments(api):
    response = api.post("closed-article")
    assert response.status_code == 403 and error_of(response)["code"] == "thread_closed"


def test_locked_thread_refuses_comments_and_lists_as_not_open(api, app):
    comment = api.comment()
    with app.app_context(), app_engine().begin() as conn:
        thread_store.set_thread_locked(conn, "first-article", True)
    response = api.post()
    assert response.status_code == 403 and error_of(response)["code"] == "thread_locked"
    assert api.thread()["open"] is False
    assert api.edit(comment["comment"]["id"], comment["edit_token"]).status_code == 403


def test_manifest_changes_are_picked_up(api, manifest_path):
    assert api.post("late-article").status_code == 404
    threads = json.loads(manifest_path.read_text())
    threads.append({"slug": "late-article", "url": "/late.html", "title": "Late", "published": "", "open": True})
    manifest_path.write_text(json.dumps(threads))
    os.utime(manifest_path, ns=(1, 2_000_000_000_000_000_000))
    assert api.post("late-article").status_code == 201


def test_a_comment_carries_what_it_is_about(api):
    body = api.comment(about_reference=2, about_paragraph="4")
    comment = body["comment"]
    assert (comment["kind"], comment["about_reference"], comment["about_paragraph"]) == ("comment", 2, 4)
    assert api.thread()["comments"] == [comment]


@pytest.mark.parametrize("mode, flags", [("none", "correction"), ("all", "correction moderation-all"),
                                         ("first", "correction first-comment")])
def test_a_correction_is_always_held_for_a_moderator(api, app, mode, flags):
    app.config["MODERATION"] = mode
    response = api.post(kind="correction", about_paragraph=3, text="The date in paragraph 3 is wrong.")
    assert response.status_code == 202
    body = response.get_json()
    assert (body["status"], body["comment"]["kind"], body["comment"]["about_paragraph"]) == ("pending", "correction", 3)
    assert api.thread()["comments"] == []
    with app.app_context(), app_engine().connect() as conn:
        assert stored.get_comment(conn, body["comment"]["id"]).flags == flags
    assert api.post(kind="comment").status_code == (201 if mode == "none" else 202)


def test_a_correction_from_the_form_lands_on_the_held_notice(client):
    response = client.post("/api/threads/first-article/comments", headers={"Origin": ORIGIN},
                           data={"author": "Ann", "text": "Paragraph 2 misquotes the mayor.",
                                 "kind": "correction", "about_paragraph": "2", "about_reference": ""})
    assert response.status_code == 303
    assert response.headers["Location"] == "http://localhost/first-article.html#comment-held"


def test_about_reference_is_bounded_by_the_articles_references(api, manifest_path):
    """The manifest's count when the build wrote one; else only the documented 999."""
    assert api.post(about_reference=999).status_code == 201
    threads = json.loads(manifest_path.read_text())
    threads[0]["references"] = 2
    manifest_path.write_text(json.dumps(threads))
    os.utime(manifest_path, ns=(1, 2_000_000_000_000_000_000))
    assert api.post(about_reference=2).status_code == 201
    response = api.post(about_reference=3)
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"about_reference": "must be one of the article's 2 references, 1-2"}
    assert api.post("second-article", about_reference=3).status_code == 201


# --- hostile input: each one a clear 4xx with a message, and nothing stored --------------------

XSS = '<script>alert(1)</script><img src=x onerror=alert(1)>'
HOSTILE_JSON = [
    # (case, slug, body, status, code, field)
    ("script in author? stored as text, but control chars are not", "first-article",
     {"author": "Ann\x00", "text": "Hello there"}, 400, "invalid", "author"),
    ("javascript: website", "first-article",
     {"author": "Ann", "text": "Hello there", "website": "javascript:alert(1)"}, 400, "invalid", "website"),
    ("data: website", "first-article",
     {"author": "Ann", "text": "Hello there", "website": "data:text/html,<script>x</script>"}, 400, "invalid", "website"),
    ("attribute breakout in website", "first-article",
     {"author": "Ann", "text": "Hello there", "website": 'https://x.example/" onmouseover="alert(1)'}, 400, "invalid", "website"),
    ("author too long", "first-article", {"author": "A" * 101, "text": "Hello there"}, 400, "invalid", "author"),
    ("author empty", "first-article", {"author": "   ", "text": "Hello there"}, 400, "invalid", "author"),
    ("text too short", "first-article", {"author": "Ann", "text": "hi"}, 400, "invalid", "text"),
    ("text too long", "first-article", {"author": "Ann", "text": "x" * 10_001}, 400, "invalid", "text"),
    ("reference beyond any article", "first-article",
     {"author": "Ann", "text": "Hello there", "about_reference": 1000}, 400, "invalid", "about_reference"),
    ("paragraph 0", "first-article", {"author": "Ann", "text": "Hello there", "about_paragraph": 0}, 400,
     "invalid", "about_paragraph"),
    ("unknown kind", "first-article", {"author": "Ann", "text": "Hello there", "kind": "pick"}, 400,
     "invalid", "kind"),
    ("email too long", "first-article",
     {"author": "Ann", "text": "Hello there", "email": "a" * 250 + "@x.org"}, 400, "invalid", "email"),
    ("email not an address", "first-article",
     {"author": "Ann", "text": "Hello there", "email": "ann at example"}, 400, "invalid", "email"),
    ("website too long", "first-article",
     {"author": "Ann", "text": "Hello there", "website": "https://x.example/" + "a" * 240}, 400, "invalid", "website"),
    ("author is a number", "first-article", {"author": 42, "text": "Hello there"}, 400, "invalid", "author"),
    ("text is a list", "first-article", {"author": "Ann", "text": ["Hello there"]}, 400, "invalid", "text"),
    ("parent is a float", "first-article", {"author": "Ann", "text": "Hello there", "parent": 1.5}, 400, "invalid", "parent"),
    ("parent is true", "first-article", {"author": "Ann", "text": "Hello there", "parent": True}, 400, "invalid", "parent"),
    ("parent is huge", "first-article", {"author": "Ann", "text": "Hello there", "parent": 2**63}, 400, "invalid", "parent"),
    ("parent not a number", "first-article", {"author": "Ann", "text": "Hello there", "parent": "1; DROP"}, 400, "invalid", "parent"),
    ("unknown field", "first-article", {"author": "Ann", "text": "Hello there", "state": "approved"}, 400, "invalid", "state"),
    ("missing text", "first-article", {"author": "Ann"}, 400, "invalid", "text"),
    ("unknown parent", "first-article", {"author": "Ann", "text": "Hello there", "parent": 999}, 400, "unknown_parent", "parent"),
    ("too many links", "first-article",
     {"author": "Ann", "text": " ".join(f"https://spam{i}.example" for i in range(4))}, 400, "too_many_links", "text"),
    ("honeypot filled", "first-article",
     {"author": "Ann", "text": "Hello there", "homepage": "https://spam.example"}, 400, "rejected", None),
    ("unknown thread", "no-such-article", {"author": "Ann", "text": "Hello there"}, 404, "unknown_thread", None),
    ("closed thread", "closed-article", {"author": "Ann", "text": "Hello there"}, 403, "thread_closed", None),
    ("forged form token", "first-article",
     {"author": "Ann", "text": "Hello there", "form_token": "eyJ0aHJlYWQiOiJmaXJzdC1hcnRpY2xlIiwiYXQiOjB9.forged"},
     403, "bad_token", None),
]


@pytest.mark.parametrize("case, slug, body, status, code, field", HOSTILE_JSON,
                         ids=[case[0] for case in HOSTILE_JSON])
def test_hostile_json_is_refused_and_nothing_stored(api, app, case, slug, body, status, code, field):
    response = api.client.post(f"/api/threads/{slug}/comments", json=body, headers={"Origin": ORIGIN})
    assert response.status_code == status
    error = error_of(response)
    assert error["code"] == code and error["message"]
    if field:
        assert field in error["fields"] and error["fields"][field]
    assert stored_count(app) == 0


def test_cross_thread_parent_is_refused(api, app):
    parent = api.comment("second-article")["comment"]["id"]
    response = api.post("first-article", parent=parent)
    assert response.status_code == 400 and error_of(response)["code"] == "unknown_parent"
    assert stored_count(app) == 1


RAW_BODIES = [
    ("bad JSON", "application/json", b'{"author": "Ann", "text": ', 400, "bad_json"),
    ("JSON null", "application/json", b"null", 400, "bad_json"),
    ("JSON list", "application/json", b'["Ann", "Hello there"]', 400, "invalid"),
    ("JSON string", "application/json", b'"Hello there"', 400, "invalid"),
    ("not UTF-8", "application/json", b'{"author": "\xff\xfe", "text": "Hello there"}', 400, "bad_json"),
    ("plain text", "text/plain", b"author=Ann&text=Hello", 415, "unsupported_media_type"),
    ("XML", "application/xml", b"<comment/>", 415, "unsupported_media_type"),
    ("too large", "application/json", b'{"text": "' + b"x" * 70_000 + b'"}', 413, "too_large"),
]


@pytest.mark.parametrize("case, content_type, data, status, code", RAW_BODIES,
                         ids=[case[0] for case in RAW_BODIES])
def test_hostile_bodies_are_refused_and_nothing_stored(client, app, case, content_type, data, status, code):
    response = client.post("/api/threads/first-article/comments", data=data,
                           content_type=content_type, headers={"Origin": ORIGIN})
    assert response.status_code == status
    assert error_of(response)["code"] == code and error_of(response)["message"]
    assert stored_count(app) == 0


@pytest.mark.parametrize("field, value", [
    ("author", XSS),
    ("author", '"><svg onload=alert(1)>'),
    ("text", XSS),
    ("text", "[click](javascript:alert(1)) [x](JaVaScRiPt:alert(1)) [y](data:text/html,hi)"),
    ("text", '<a href="https://ok.example" onclick="alert(1)">x</a>'),
    ("text", '[x](https://ok.example "title\\" onmouseover=\\"alert(1)")'),
])
def test_markup_is_stored_inert(api, field, value):
    comment = api.comment(**{field: value})["comment"]
    assert_inert(comment["html"])
    if field == "author":
        assert comment["author"] == value  # plain text for the page to escape, never HTML


def test_links_get_rel_nofollow_ugc_noopener(api):
    html = api.comment(text="See [the source](https://source.example/a?b=1&c=2).")["comment"]["html"]
    assert html == ('<p>See <a href="https://source.example/a?b=1&amp;c=2" '
                    'rel="nofollow ugc noopener">the source</a>.</p>')


# --- edit and delete --------------------------------------------------------------------------

def test_edit_within_the_window(api):
    created = api.comment()
    response = api.edit(created["comment"]["id"], created["edit_token"], text="Now with **bold**.")
    assert response.status_code == 200
    comment = response.get_json()["comment"]
    assert comment["html"] == "<p>Now with <strong>bold</strong>.</p>" and comment["edited"]
    assert api.thread()["comments"] == [comment]


def test_edit_validates_like_create(api):
    created = api.comment()
    response = api.edit(created["comment"]["id"], created["edit_token"], text="x")
    assert response.status_code == 400 and "text" in error_of(response)["fields"]
    response = api.edit(created["comment"]["id"], created["edit_token"], author="Someone else")
    assert response.status_code == 400 and "author" in error_of(response)["fields"]


@pytest.mark.parametrize("text", ["1. " * 1_000 + "deep", "[" * 9_000])
def test_texts_markdown_cannot_render_in_good_time_are_stored_as_typed(api, text):
    """A RecursionError (lists nested ~500 deep) was a 500 on POST, PATCH and preview."""
    response = api.post(text=text)
    assert response.status_code == 201
    assert response.get_json()["comment"]["html"] == plain(text)
    created = response.get_json()
    edited = api.edit(created["comment"]["id"], created["edit_token"], text=text + "!")
    assert edited.status_code == 200 and edited.get_json()["comment"]["html"] == plain(text + "!")
    preview = api.client.post("/api/preview", json={"text": text}, headers={"Origin": ORIGIN})
    assert preview.status_code == 200 and preview.get_json()["html"] == plain(text)


def test_edit_needs_json(api, client):
    created = api.comment()
    response = client.patch(f"/api/comments/{created['comment']['id']}", data={"text": "Form edit"},
                            headers={"Authorization": f"Bearer {created['edit_token']}"})
    assert response.status_code == 415


def test_delete_without_replies_removes_the_comment(api):
    created = api.comment()
    response = api.delete(created["comment"]["id"], created["edit_token"])
    assert response.status_code == 200
    assert response.get_json() == {"deleted": created["comment"]["id"], "comment": None}
    assert api.thread()["comments"] == []


def test_delete_with_replies_leaves_a_placeholder(api):
    created = api.comment(author="Ann", website="https://ann.example")
    reply = api.comment(parent=created["comment"]["id"])["comment"]
    placeholder = api.delete(created["comment"]["id"], created["edit_token"]).get_json()["comment"]
    assert placeholder["author"] == "[deleted]" and placeholder["html"] == "" and placeholder["website"] is None
    assert api.thread()["comments"] == [placeholder, reply]
    assert api.thread()["count"] == 1


def expired_token(comment_id: int, monkeypatch) -> str:
    """An edit token issued an hour ago."""
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_000_000_000)
        return issue_edit_token("test secret key", comment_id, "2026-01-01T00:00:00+00:00")


@pytest.mark.parametrize("method", ["edit", "delete"])
@pytest.mark.parametrize("case", ["missing", "garbage", "other comment", "expired", "other key", "basic auth"])
def test_bad_edit_tokens_are_403_and_change_nothing(api, method, case, monkeypatch):
    mine = api.comment(text="Mine, untouched.")
    other = api.comment(text="Somebody else's.")
    comment_id = mine["comment"]["id"]
    token = {"missing": "", "garbage": "not-a-token", "other comment": other["edit_token"],
             "expired": expired_token(comment_id, monkeypatch),
             "other key": issue_edit_token("another secret", comment_id, "2026-01-01T00:00:00+00:00"),
             "basic auth": None}[case]
    if case == "basic auth":
        response = api.client.delete(f"/api/comments/{comment_id}", headers={"Authorization": "Basic eDp5"})
    else:
        response = getattr(api, method)(comment_id, token)
    assert response.status_code == 403 and error_of(response)["code"] == "bad_token"
    assert [c["html"] for c in api.thread()["comments"]] == ["<p>Mine, untouched.</p>", "<p>Somebody else's.</p>"]


def test_replayed_token_after_delete_is_404(api):
    created = api.comment()
    assert api.delete(created["comment"]["id"], created["edit_token"]).status_code == 200
    assert api.delete(created["comment"]["id"], created["edit_token"]).status_code == 404
    assert api.edit(created["comment"]["id"], created["edit_token"]).status_code == 404


def test_comment_id_out_of_range_is_a_clean_403(api):
    assert api.delete(2**70, "token").status_code == 403


# --- counts, health, openapi, methods ---------------------------------------------------------

def test_counts(api, client):
    api.comment(), api.comment(), api.comment("second-article")
    response = client.get("/api/counts?thread=first-article&thread=second-article&thread=unknown")
    assert response.get_json() == {"first-article": 2, "second-article": 1, "unknown": 0}
    assert client.get("/api/counts").get_json() == {}


def test_counts_caps_the_number_of_threads(client, app):
    query = "&".join(f"thread=t{i}" for i in range(app.config["MAX_COUNT_THREADS"] + 1))
    response = client.get(f"/api/counts?{query}")
    assert response.status_code == 400 and "thread" in error_of(response)["fields"]


def test_health_ok(client):
    response = client.get("/api/health")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_health_503_when_the_database_is_gone(app_config, tmp_path):
    app = create_app(app_config)
    with app.app_context():
        app_engine().dispose()
    (tmp_path / "comments.sqlite3").unlink()
    (tmp_path / "comments.sqlite3").mkdir()  # now it cannot be opened as a database
    response = app.test_client().get("/api/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}


def test_a_thread_is_503_with_retry_after_when_the_database_is_gone(app_config, tmp_path):
    """The version read has connections of its own (threads.StateReader): its failure is the
    same 503 as any storage failure, and the GET works again once the database is back."""
    app = create_app(app_config)
    client = app.test_client()
    assert client.get("/api/threads/first-article/comments").status_code == 200
    with app.app_context():
        app_engine().dispose()  # closes the reader's connections too
    (tmp_path / "comments.sqlite3").rename(tmp_path / "moved.sqlite3")
    (tmp_path / "comments.sqlite3").mkdir()  # now it cannot be opened as a database
    response = client.get("/api/threads/first-article/comments")
    assert response.status_code == 503 and error_of(response)["code"] == "unavailable"
    assert response.headers["Retry-After"]
    (tmp_path / "comments.sqlite3").rmdir()
    (tmp_path / "moved.sqlite3").rename(tmp_path / "comments.sqlite3")
    assert client.get("/api/threads/first-article/comments").status_code == 200
    with app.app_context():
        app_engine().dispose()


def test_openapi_is_served(client):
    response = client.get("/api/openapi.yaml")
    assert response.status_code == 200 and response.mimetype == "application/yaml"
    assert b"/api/threads/{slug}/comments:" in response.data


def test_wrong_method_is_405_json_with_allow(client):
    response = client.put("/api/threads/first-article/comments", json={})
    assert response.status_code == 405 and error_of(response)["code"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]


def test_whole_flow_on_each_backend(any_database_url, app_config):
    app = create_app(app_config | {"DATABASE_URL": any_database_url})
    api = CommentsAPI(app.test_client())
    try:
        created = api.comment()
        reply = api.comment(parent=created["comment"]["id"])
        assert api.edit(created["comment"]["id"], created["edit_token"]).status_code == 200
        assert api.delete(reply["comment"]["id"], reply["edit_token"]).status_code == 200
        assert [c["id"] for c in api.thread()["comments"]] == [created["comment"]["id"]]
    finally:
        with app.app_context():
            app_engine().dispose()
