"""Hostile readers against the API (issue: nothing hijacked, nothing halts publishing): each test
here failed on the code before its fix. Run on SQLite and, when it answers, PostgreSQL."""

import threading

import pytest

from comments_service import create_app, rebake
from comments_service.core.limits import REPLY_DEPTH_MAX
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from comments_service.db import engine as app_engine
from tests.comments_service.conftest import CommentsAPI, error_of


@pytest.fixture
def api(any_database_url, app_config):
    app = create_app(app_config | {"DATABASE_URL": any_database_url})
    yield CommentsAPI(app.test_client())
    with app.app_context():
        app_engine().dispose()


def test_ids_of_deleted_comments_are_never_given_again(api):
    first = api.comment(text="The first comment, soon deleted.")
    assert api.delete(first["comment"]["id"], first["edit_token"]).status_code == 200
    second = api.comment(text="A later comment by someone else.")
    assert second["comment"]["id"] > first["comment"]["id"]


def test_an_old_edit_token_cannot_touch_a_comment_that_took_its_id(api):
    """Even if an id came back (a restored backup, a database that reuses ids), the token names
    the comment's creation stamp too."""
    first = api.comment(text="Mine, posted then deleted.")
    assert api.delete(first["comment"]["id"], first["edit_token"]).status_code == 200
    other = api.comment(text="Somebody else's words.")
    for comment_id in {first["comment"]["id"], other["comment"]["id"]}:
        assert api.edit(comment_id, first["edit_token"], text="Hijacked!").status_code in (403, 404)
        assert api.delete(comment_id, first["edit_token"]).status_code in (403, 404)
    [shown] = api.thread()["comments"]
    assert shown["html"] == "<p>Somebody else's words.</p>"


def test_an_edit_token_of_another_comment_is_refused(api):
    mine, theirs = api.comment(text="Mine."), api.comment(text="Theirs.")
    response = api.edit(theirs["comment"]["id"], mine["edit_token"])
    assert response.status_code == 403 and error_of(response)["code"] == "bad_token"


FIELDS = ("author", "email", "website", "text", "parent", "form_token", "homepage")


@pytest.mark.parametrize("field", FIELDS)
def test_a_lone_surrogate_in_any_field_is_a_400(api, field):
    body = '{"author": "Ann", "text": "Hello there", "%s": "a\\ud800b"}' % field
    response = api.client.post("/api/threads/first-article/comments", data=body,
                               content_type="application/json", headers={"Origin": "http://localhost"})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert error_of(response)["code"] == "invalid"


def test_a_lone_surrogate_in_an_edit_is_a_400(api):
    created = api.comment()
    response = api.client.patch(f"/api/comments/{created['comment']['id']}", data='{"text": "x\\udfffy z"}',
                                content_type="application/json",
                                headers={"Authorization": f"Bearer {created['edit_token']}",
                                         "Origin": "http://localhost"})
    assert response.status_code == 400 and error_of(response)["code"] == "invalid"


def test_json_nested_past_the_parser_is_a_400(api):
    response = api.client.post("/api/threads/first-article/comments", data="[" * 60_000,
                               content_type="application/json", headers={"Origin": "http://localhost"})
    assert response.status_code == 400 and error_of(response)["code"] == "bad_json"


@pytest.mark.parametrize("website", ["http://[", "https://[::1", "https://[not-an-address]/"])
def test_a_website_with_a_broken_bracketed_host_is_a_400(api, website):
    """Found by the fuzzer (tests/comments_service/fuzz): urlsplit() raised, a 500."""
    response = api.post(website=website)
    assert response.status_code == 400 and error_of(response)["fields"] == {
        "website": "must be a web address starting with http:// or https://"}


@pytest.mark.parametrize("parent", ["9" * 5000, "0" * 5000 + "1"])
def test_a_parent_of_thousands_of_digits_is_a_400(api, parent):
    """Found by the fuzzer: int() refuses more than 4300 digits with a ValueError, a 500. (With
    leading zeros it names comment 1, which is not there.)"""
    response = api.post(parent=parent)
    assert response.status_code == 400 and "parent" in error_of(response)["fields"]
    form = api.client.post("/api/threads/first-article/comments", headers={"Origin": "http://localhost"},
                           data={"author": "Ann", "text": "Hello there", "parent": parent})
    assert form.status_code == 400 and form.mimetype == "text/html"


@pytest.mark.parametrize("since", ["2147483648", str(2**63 - 1)])
def test_since_up_to_the_documented_maximum_is_answered(api, since):
    api.comment()
    assert api.thread(since=since)["comments"] == []


def test_since_of_thousands_of_digits_is_a_400(api):
    """Found by the fuzzer: int() refuses more than 4300 digits with a ValueError, a 500."""
    response = api.client.get("/api/threads/first-article/comments", query_string={"since": "9" * 5000})
    assert response.status_code == 400 and error_of(response)["fields"] == {"since": "must be a whole number, 0 or more"}
    assert api.thread(since="0" * 5000 + "1")["comments"] == []


@pytest.mark.parametrize("path, status", [
    ("/api/threads/first-article/comments", 400), ("/api/counts", 200), ("/api/feed.atom", 200),
    ("/api/threads/first-article/feed.atom", 200), ("/api/subscriptions/confirm", 400),
    ("/api/subscriptions/unsubscribe", 400)])
def test_raw_bytes_in_the_query_string_are_read_as_if_percent_encoded(api, path, status):
    """Found by the fuzzer: bytes that are not UTF-8 made request.args and request.full_path
    raise UnicodeDecodeError, a 500 (gunicorn refuses them, the development server does not)."""
    response = api.client.get(path, environ_overrides={"QUERY_STRING": "since=\xff&thread=\xed\xa0\x80"})
    assert response.status_code == status, response.get_data(as_text=True)


@pytest.mark.parametrize("thread", ["a\x00b", "a\x1fb", "x" * 201, ""])
def test_counts_of_a_malformed_thread_name_is_a_400(api, thread):
    response = api.client.get("/api/counts", query_string={"thread": thread})
    assert response.status_code == 400 and error_of(response)["code"] == "invalid"


def test_the_author_cannot_delete_or_edit_a_comment_a_moderator_rejected(api, app_config):
    created = api.comment(text="Something a moderator will reject.")
    comment_id = created["comment"]["id"]
    engine = database.engine_from_url(api.client.application.config["DATABASE_URL"])
    try:
        with database.connect(engine, write=True) as conn:
            stored.reject_comment(conn, comment_id)
            conn.commit()
        for response in (api.delete(comment_id, created["edit_token"]), api.edit(comment_id, created["edit_token"])):
            assert response.status_code == 403 and error_of(response)["code"] == "moderated"
        with database.connect(engine) as conn:
            kept = stored.get_comment(conn, comment_id)
    finally:
        engine.dispose()
    assert kept is not None and kept.state == "rejected" and kept.text == "Something a moderator will reject."


def test_replies_nest_no_deeper_than_the_documented_maximum(api):
    """A reply chain deeper than REPLY_DEPTH_MAX attaches at the deepest level instead."""
    chain = [api.comment(text="Top of the chain.")["comment"]]
    for number in range(REPLY_DEPTH_MAX + 3):
        chain.append(api.comment(text=f"Reply number {number}.", parent=chain[-1]["id"])["comment"])
    parents = {comment["id"]: comment["parent"] for comment in api.thread()["comments"]}

    def depth(comment_id):
        steps = 0
        while parents[comment_id] is not None:
            comment_id, steps = parents[comment_id], steps + 1
        return steps

    assert [depth(comment["id"]) for comment in chain] == [*range(REPLY_DEPTH_MAX + 1), *[REPLY_DEPTH_MAX] * 3]
    assert chain[-1]["parent"] == chain[REPLY_DEPTH_MAX - 1]["id"]  # next to the comment it answers


def test_a_reply_to_a_comment_deleted_at_that_moment_is_a_400(api, monkeypatch):
    """Found by the concurrent durability test on PostgreSQL: the reply's parent was checked,
    then deleted by a request that committed first, and the reply's INSERT broke the foreign
    key: a 500. Here the deletion runs between the check and the insert."""
    parent = api.comment(text="Deleted while someone replies to it.")
    check, deleter = stored.parent_accepts_replies, []

    def deleted_right_after_the_first_check(*args):
        accepted = check(*args)
        if not deleter:
            other_reader = CommentsAPI(api.client.application.test_client())
            deleter.append(threading.Thread(target=lambda: deleter.append(
                other_reader.delete(parent["comment"]["id"], parent["edit_token"]))))
            deleter[0].start()
            deleter[0].join(timeout=1)  # SQLite: it waits for this write's turn, and goes after it
        return accepted

    monkeypatch.setattr(stored, "parent_accepts_replies", deleted_right_after_the_first_check)
    reply = api.post(text="A reply at the wrong moment.", parent=parent["comment"]["id"])
    deleter[0].join()
    assert deleter[1].status_code == 200
    assert reply.status_code == 201 or (reply.status_code == 400 and error_of(reply)["code"] == "unknown_parent")


def test_a_write_is_answered_2xx_when_what_follows_the_commit_fails(any_database_url, app_config, tmp_path,
                                                                   monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    (site / "first-article.html").write_text("<!-- comments:start --><!-- comments:end -->", encoding="utf-8")
    app = create_app(app_config | {"DATABASE_URL": any_database_url, "SITE_DIR": str(site)})
    monkeypatch.setattr(rebake, "render_section", lambda *args: 1 / 0)
    try:
        api = CommentsAPI(app.test_client())
        created = api.comment(text="Stored whatever happens next.")
        assert api.thread()["comments"][0]["id"] == created["comment"]["id"]
        rebake.close(app)  # the worker's baker thread: its failure is logged, the row stays
        assert rebake.drain(app) in ((0, 1), (0, 0))
        [queued] = rebake.Baker(app, rebake.bake_thread).pending()
        assert (queued.slug, queued.baked_version, queued.failures >= 1) == ("first-article", 0, True)
        assert "ZeroDivisionError" in queued.last_error
    finally:
        rebake.close(app)
        with app.app_context():
            app_engine().dispose()


def test_the_no_js_redirect_never_goes_to_the_host_the_request_names(api):
    api.client.application.config["SITE_URL"] = "https://news.example.org"
    response = api.client.post("/api/threads/first-article/comments", headers={"Origin": "http://evil.example",
                                                                               "Host": "evil.example"},
                               data={"author": "Ann", "text": "Posted without JavaScript."})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("https://news.example.org/first-article.html#")
