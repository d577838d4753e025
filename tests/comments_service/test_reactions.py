"""Votes, reports and the preview over HTTP (comments_service/reactions.py): JSON and the no-JS
forms, the reader's cookie, one vote per reader by cookie or address, 404s, rate limits, the hold
after REPORT_HOLD_AFTER reports with its re-bake, mail and log, what moderators see of reports,
and the preview's checks (those of posting)."""

import time
from html import unescape

import pytest
from sqlalchemy import select

from comments_service import create_app, rebake
from comments_service.core.privacy import reader_digest
from comments_service.core.settings import SettingsError
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from comments_service.core.storage.tables import comment_reports, comment_votes
from comments_service.core.storage.threads import set_thread_locked
from comments_service.core.tokens import check_reader_token, issue_form_token, issue_reader_token
from comments_service.db import engine as app_engine
from comments_service.notifications import mail
from comments_service.reactions import READER_COOKIE

from .conftest import ORIGIN, CommentsAPI, Moderator, admin_users, error_of, mail_settings

ARTICLE = "http://localhost/first-article.html"
HOME, WORK = "192.0.2.10", "198.51.100.20"


EMPTY_PAGE = "<main><!-- comments:start --><!-- comments:end --></main>"


@pytest.fixture
def site(tmp_path):
    """The built site (SITE_DIR): the article's page with an empty comments section."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "first-article.html").write_text(EMPTY_PAGE, encoding="utf-8")
    return folder


@pytest.fixture
def app_config(app_config, site):
    return app_config | {"SITE_DIR": str(site), "REPORT_HOLD_AFTER": 2, "ADMIN_USERS": admin_users()}


class Reader:
    """A browser: a cookie jar of its own, at an address."""

    def __init__(self, app, address=HOME):
        self.client, self.address = app.test_client(), address

    def post(self, path, **kwargs):
        kwargs["headers"] = {"Origin": ORIGIN} | kwargs.get("headers", {})
        return self.client.post(path, environ_base={"REMOTE_ADDR": self.address}, **kwargs)

    def vote(self, comment_id, value=1, **kwargs):
        return self.post(f"/api/comments/{comment_id}/vote", **({"json": {"value": value}} | kwargs))

    def report(self, comment_id, reason="spam", **kwargs):
        return self.post(f"/api/comments/{comment_id}/report", **({"json": {"reason": reason}} | kwargs))

    def cookie(self) -> str | None:
        cookie = self.client.get_cookie(READER_COOKIE, path="/api")
        return cookie.value if cookie else None


@pytest.fixture
def comment(api) -> int:
    return api.comment()["comment"]["id"]


def shown(api, comment_id) -> dict | None:
    """The comment as the API shows it to readers."""
    return next((c for c in api.thread()["comments"] if c["id"] == comment_id), None)


def stored_rows(app, table) -> list:
    with app.app_context(), app_engine().connect() as conn:
        return conn.execute(select(table)).all()


# Votes ------------------------------------------------------------------------------------------

def test_a_vote_answers_the_counts_and_gives_the_reader_a_signed_cookie(app, api, comment):
    ann = Reader(app)
    response = ann.vote(comment, 1)
    assert response.status_code == 200
    assert response.get_json() == {"id": comment, "likes": 1, "dislikes": 0, "vote": 1}
    set_cookie = response.headers["Set-Cookie"]
    for attribute in ("HttpOnly", "SameSite=Lax", "Path=/api", f"Max-Age={365 * 24 * 3600}"):
        assert attribute in set_cookie
    assert "Secure" not in set_cookie  # plain http here
    reader_id = check_reader_token(app.secret_key, ann.cookie())
    [row] = stored_rows(app, comment_votes)
    assert row.voter == reader_digest(app.secret_key, reader_id) and reader_id not in row.voter
    assert (shown(api, comment)["likes"], shown(api, comment)["dislikes"]) == (1, 0)
    assert "Set-Cookie" not in ann.vote(comment, -1).headers  # the cookie it has is kept


def test_over_https_the_cookie_is_secure(app, comment):
    response = app.test_client().post(f"/api/comments/{comment}/vote", json={"value": 1},
                                      base_url="https://localhost", headers={"Origin": "https://localhost"})
    assert response.status_code == 200 and "Secure" in response.headers["Set-Cookie"]


def test_a_second_vote_replaces_the_first_and_zero_withdraws_it(app, comment):
    ann = Reader(app)
    ann.vote(comment, 1)
    assert ann.vote(comment, -1).get_json() == {"id": comment, "likes": 0, "dislikes": 1, "vote": -1}
    assert ann.vote(comment, -1).get_json()["dislikes"] == 1
    assert ann.vote(comment, 0).get_json() == {"id": comment, "likes": 0, "dislikes": 0, "vote": 0}
    assert stored_rows(app, comment_votes) == []


def test_the_same_cookie_from_another_address_is_the_same_reader(app, comment):
    ann = Reader(app)
    ann.vote(comment, 1)
    ann.address = WORK
    assert ann.vote(comment, 1).get_json()["likes"] == 1


def test_a_new_cookie_from_the_same_address_is_the_same_reader(app, comment):
    Reader(app).vote(comment, 1)
    again = Reader(app)  # cookies cleared, or another browser on the same connection
    assert again.vote(comment, 1).get_json()["likes"] == 1
    assert Reader(app, WORK).vote(comment, 1).get_json()["likes"] == 2


def test_a_forged_or_foreign_cookie_gets_a_new_reader_id(app, comment):
    ann = Reader(app)
    ann.client.set_cookie(READER_COOKIE, issue_reader_token("another key")[1], path="/api")
    response = ann.vote(comment, 1)
    assert response.status_code == 200 and READER_COOKIE in response.headers["Set-Cookie"]
    assert check_reader_token(app.secret_key, ann.cookie()) is not None


def test_a_vote_rebakes_the_article_when_the_counts_change(app, comment, site):
    page = site / "first-article.html"
    rebake.drain(app)  # the comment's own bake (the worker's baker thread may be at it)
    page.write_text(EMPTY_PAGE, encoding="utf-8")
    Reader(app).vote(comment, 0)  # nothing to withdraw: nothing changes
    assert rebake.drain(app) == (0, 0)
    assert page.read_text(encoding="utf-8") == EMPTY_PAGE
    Reader(app).vote(comment, 1)
    rebake.drain(app)
    assert f'id="comment-{comment}"' in page.read_text(encoding="utf-8")


def test_the_form_votes_with_buttons_and_lands_back_on_the_comment(app, comment, site):
    ann = Reader(app)
    response = ann.vote(comment, json=None, data={"value": "up"})
    # Through the page that waits for the re-bake of the new counts (SITE_DIR is set), to the comment.
    assert response.status_code == 303 and response.headers["Location"].startswith(
        f"/api/threads/first-article/posted/{comment}?v=")
    landing = ann.client.get(response.headers["Location"])
    assert landing.status_code == 303 and landing.headers["Location"] == f"{ARTICLE}#comment-{comment}"
    assert f'id="comment-{comment}"' in (site / "first-article.html").read_text(encoding="utf-8")
    assert READER_COOKIE in response.headers["Set-Cookie"]
    assert ann.vote(comment, json=None, data={"value": "down"}).status_code == 303
    assert ann.vote(comment, json=None, data={"value": "none"}).status_code == 303
    assert ann.vote(comment, json=None, data={"value": "down"}).status_code == 303
    assert [row.value for row in stored_rows(app, comment_votes)] == [-1]


def test_a_bad_form_vote_is_a_page_with_the_message_and_a_way_back(app, comment):
    response = Reader(app).vote(comment, json=None, data={"value": "sideways"})
    assert response.status_code == 400 and response.mimetype == "text/html"
    page = unescape(response.get_data(as_text=True))
    assert "<h1>Your vote was not counted</h1>" in page and "A vote is up, down or none." in page
    assert f'href="{ARTICLE}#comment-{comment}"' in page
    assert "Post comment" not in page  # no comment form on a vote's error page


@pytest.mark.parametrize("body, field", [
    ({}, "value"), ({"value": 2}, "value"), ({"value": True}, "value"), ({"value": "1"}, "value"),
    ({"value": 1, "author": "x"}, "author"), ({"value": 1, "form_token": 5}, "form_token"),
])
def test_a_vote_is_1_minus_1_or_0(app, comment, body, field):
    response = Reader(app).vote(comment, json=body)
    assert response.status_code == 400 and field in error_of(response)["fields"]
    assert stored_rows(app, comment_votes) == []


def test_a_vote_needs_json_or_a_form(app, comment):
    response = Reader(app).vote(comment, json=None, data=b"value=1", content_type="text/plain")
    assert response.status_code == 415


@pytest.mark.parametrize("action, fields", [("vote", '"value": 1'), ("report", '"reason": "spam"')])
def test_a_form_token_that_is_no_text_a_token_can_be_is_refused_not_a_500(app, comment, action, fields):
    """A lone surrogate (JSON's "\\ud800") reached itsdangerous, which failed encoding it."""
    response = Reader(app).post(f"/api/comments/{comment}/{action}",
                                data='{' + fields + ', "form_token": "\\ud800"}',
                                headers={"Content-Type": "application/json"})
    assert response.status_code == 403 and error_of(response)["code"] == "bad_token"


def test_votes_come_only_from_this_site(app, comment):
    assert Reader(app).vote(comment, headers={"Origin": "https://evil.example"}).status_code == 403
    no_origin = app.test_client()
    path = f"/api/comments/{comment}/vote"
    missing = no_origin.post(path, data={"value": "up"})
    assert missing.status_code == 403 and "The form is incomplete" in missing.get_data(as_text=True)
    token = issue_form_token(app.secret_key, "first-article", now=time.time() - 60)
    assert no_origin.post(path, data={"value": "up", "form_token": token}).status_code == 303
    other_thread = issue_form_token(app.secret_key, "second-article", now=time.time() - 60)
    assert no_origin.post(path, data={"value": "up", "form_token": other_thread}).status_code == 403
    assert stored_rows(app, comment_votes)[0].value == 1


def test_only_published_comments_of_a_known_article_take_votes_and_reports(app, api, comment):
    app.config["MODERATION"] = "all"
    held = api.post().get_json()["comment"]["id"]
    app.config["MODERATION"] = "none"
    deleted_with_reply = api.comment()
    api.comment(parent=deleted_with_reply["comment"]["id"])
    api.delete(deleted_with_reply["comment"]["id"], deleted_with_reply["edit_token"])
    with app.app_context(), database.connect(app_engine(), write=True) as conn:
        orphan = stored.create_comment(conn, slug="no-longer-built", parent=None, author="Ann", email=None,
                                       website=None, text="Hello", html="<p>Hello</p>", ip_hash=None,
                                       state="approved").id
        conn.commit()
    ann = Reader(app)
    for comment_id in (held, deleted_with_reply["comment"]["id"], orphan, comment + 100, 2**31, 10**30):
        for response in (ann.vote(comment_id), ann.report(comment_id)):
            assert response.status_code == 404, comment_id
            assert error_of(response)["code"] in ("unknown_comment", "not_found")
    assert stored_rows(app, comment_votes) == [] and stored_rows(app, comment_reports) == []


def test_closed_and_locked_threads_still_take_votes_and_reports(app, comment):
    with app.app_context(), database.connect(app_engine(), write=True) as conn:
        on_closed = stored.create_comment(conn, slug="closed-article", parent=None, author="Ann", email=None,
                                          website=None, text="Hello", html="<p>Hello</p>", ip_hash=None,
                                          state="approved").id
        set_thread_locked(conn, "first-article", True)
        conn.commit()
    for comment_id in (on_closed, comment):
        assert Reader(app).vote(comment_id).status_code == 200
        assert Reader(app).report(comment_id).status_code == 202


def test_votes_and_reports_have_the_write_limit_and_the_preview_the_read_limit(app_config):
    app = create_app(app_config | {"RATELIMIT_ENABLED": True, "WRITE_RATE_LIMIT": "2 per minute",
                                   "READ_RATE_LIMIT": "3 per minute"})
    api = CommentsAPI(app.test_client())
    comment = api.comment()["comment"]["id"]
    ann = Reader(app, address="127.0.0.1")  # the address api posted from: its post used the limit too
    assert [ann.vote(comment).status_code for _ in range(2)] == [200, 200]
    assert error_of(ann.vote(comment))["code"] == "rate_limited"
    assert [ann.report(comment).status_code for _ in range(3)] == [202, 202, 429]
    previews = [ann.post("/api/preview", json={"text": "Hello there"}).status_code for _ in range(4)]
    assert previews == [200, 200, 200, 429]
    with app.app_context():
        app_engine().dispose()


# Reports ----------------------------------------------------------------------------------------

def test_a_report_is_accepted_once_per_reader(app, comment):
    ann = Reader(app)
    response = ann.report(comment, "abuse")
    assert response.status_code == 202 and response.get_json() == {"id": comment, "reported": True}
    assert READER_COOKIE in response.headers["Set-Cookie"]
    assert ann.report(comment, "spam").get_json() == {"id": comment, "reported": True}
    assert Reader(app).report(comment, "spam").status_code == 202  # same address, new cookie
    assert [row.reason for row in stored_rows(app, comment_reports)] == ["abuse"]


def test_the_report_form_lands_on_the_reported_notice(app, comment):
    response = Reader(app).report(comment, json=None, data={"reason": "off-topic"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"{ARTICLE}#comment-{comment}-reported"
    bad = Reader(app, WORK).report(comment, json=None, data={"reason": "boring"})
    assert bad.status_code == 400 and "<h1>Your report was not sent</h1>" in bad.get_data(as_text=True)


@pytest.mark.parametrize("body", [{}, {"reason": "boring"}, {"reason": ["spam"]}, {"reason": "spam", "x": 1}])
def test_a_report_names_spam_abuse_or_off_topic(app, comment, body):
    response = Reader(app).report(comment, json=body)
    assert response.status_code == 400 and error_of(response)["fields"]


def test_enough_reports_hold_the_comment_rebake_log_it_and_moderators_see_why(app, api, comment, site,
                                                                                client):
    page = site / "first-article.html"
    Reader(app).vote(comment, 1)  # re-bakes the page with the comment on it
    rebake.drain(app)
    assert f'id="comment-{comment}"' in page.read_text(encoding="utf-8")
    assert Reader(app, HOME).report(comment, "spam").status_code == 202
    assert shown(api, comment) is not None
    assert Reader(app, WORK).report(comment, "abuse").status_code == 202  # the second: REPORT_HOLD_AFTER
    assert shown(api, comment) is None
    rebake.drain(app)
    assert f'id="comment-{comment}"' not in page.read_text(encoding="utf-8")
    assert Reader(app, "203.0.113.3").report(comment).status_code == 404  # held: not reportable

    moderator = Moderator(client)
    assert moderator.log()[0][1:] == ["readers", "hold", f"#{comment}", "first-article", "2 reports: spam ×1, abuse ×1"]
    queue = unescape(moderator.page("/admin/"))
    assert "Held because</dt><dd class=\"flags\">reported" in queue
    assert "Reported by</dt><dd class=\"reports\">2 readers:" in queue and "spam ×1, abuse ×1" in queue

    moderator.act("approve", comment)
    assert shown(api, comment) is not None
    rebake.drain(app)
    assert f'id="comment-{comment}"' in page.read_text(encoding="utf-8")
    assert stored_rows(app, comment_reports) == []
    assert "Reported by" not in moderator.page("/admin/", state="approved")
    assert Reader(app, HOME).report(comment).status_code == 202  # counts from nothing again
    assert shown(api, comment) is not None


def test_a_hold_mails_the_moderators(app_config, smtp_server):
    app = create_app(app_config | mail_settings(smtp_server.port))
    comment = CommentsAPI(app.test_client()).comment()["comment"]["id"]
    Reader(app, HOME).report(comment)
    Reader(app, WORK).report(comment)
    mail.flush(app)
    [message] = smtp_server.messages
    assert message["Subject"] == "Held for moderation: comment by Reader on “First article”"
    assert "Held because: reported" in message.get_content()
    mail.close(app)
    with app.app_context():
        app_engine().dispose()


def test_the_hold_threshold_is_a_whole_number_from_1(app_config):
    for bad in (0, -1, "3", True, 2.5):
        with pytest.raises(SettingsError, match="REPORT_HOLD_AFTER"):
            create_app(app_config | {"REPORT_HOLD_AFTER": bad})


# Preview ----------------------------------------------------------------------------------------

def test_the_preview_renders_as_posting_would(app):
    response = Reader(app).post("/api/preview", json={"text": "**Bold** and\n\n```\ncode <b>\n```"})
    assert response.status_code == 200
    assert response.get_json() == {"html": "<p><strong>Bold</strong> and</p>\n<pre><code>code &lt;b&gt;\n</code></pre>"}
    assert stored_rows(app, comment_votes) == []


@pytest.mark.parametrize("text, field_message", [
    ("hi", "must be at least 3 characters"),
    ("x" * 10_001, "must be at most 10000 characters"),
    ("https://a.example https://b.example https://c.example https://d.example", "may contain at most 3 links"),
])
def test_the_preview_refuses_what_posting_refuses(app, api, text, field_message):
    preview = Reader(app).post("/api/preview", json={"text": text})
    posted = api.post(text=text)
    assert preview.status_code == posted.status_code == 400
    assert error_of(preview)["fields"] == error_of(posted)["fields"] == {"text": field_message}


def test_the_preview_takes_json_text_only_from_this_site(app):
    ann = Reader(app)
    assert ann.post("/api/preview", data={"text": "Hello there"}).status_code == 415
    assert ann.post("/api/preview", json={"text": "Hello there", "author": "x"}).status_code == 400
    assert ann.post("/api/preview", json={"text": "Hello"}, headers={"Origin": "https://evil.example"}).status_code == 403
    assert app.test_client().get("/api/preview").status_code == 405

