"""The thread's HTML pages for readers without JavaScript (pages.py): the reply page and the
whole-thread page, on SQLite and (when it answers) PostgreSQL."""

import re
from html.parser import HTMLParser

import pytest

from comments_service import db
from comments_service.core.storage import comments as stored
from comments_service.core.storage import threads as thread_store
from comments_service.core.tokens import check_form_token



@pytest.fixture
def database_url(any_database_url):
    """Every test of this module on each backend."""
    return any_database_url


def in_request(app, change, *args, **kwargs):
    """A storage write as a moderator's request would make it, committed."""
    with app.test_request_context(method="POST"):
        conn = db.connection()
        result = change(conn, *args, **kwargs)
        conn.commit()
        return result


class _Form(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self.checkboxes: list[str] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "input" and attrs.get("type") == "checkbox":
            self.checkboxes.append(attrs["name"])
        elif tag == "input":
            self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def controls(html: str) -> _Form:
    """The page's form controls: `fields` (name -> value, as a browser sends them with every
    box unticked) and the names of its `checkboxes`."""
    form = _Form()
    form.feed(html)
    form.close()
    return form


# --- the reply page ----------------------------------------------------------------------------

def test_reply_page_shows_the_comment_and_a_form_that_replies_to_it(api, client, app):
    parent = api.comment(author="<b>Ann</b>", text="Is this *sourced*?")["comment"]
    response = client.get(f"/api/threads/first-article/reply/{parent['id']}")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "&lt;b&gt;Ann&lt;/b&gt;" in html and "<b>Ann</b>" not in html
    assert "<p>Is this <em>sourced</em>?</p>" in html
    assert 'method="post" action="/api/threads/first-article/comments"' in html
    form = controls(html)
    fields = form.fields
    assert fields["parent"] == str(parent["id"]) and fields["homepage"] == ""
    assert {"author", "email", "website", "text", "form_token"} <= set(fields)
    assert form.checkboxes == ["notify"]
    check_form_token(app.secret_key, fields["form_token"], "first-article", min_age=0, max_age=60)
    assert 'href="http://localhost/first-article.html#comment-%d"' % parent["id"] in html
    assert "script" not in response.headers["Content-Security-Policy"]
    assert "<script" not in html and response.headers["Cache-Control"] == "no-store"


def test_posting_the_reply_form_replies_and_lands_back_on_the_article(api, client, app):
    """The form posts to the normal endpoint, with no Origin (a plain browser form may send
    none): the token it carries is the proof."""
    parent = api.comment()["comment"]["id"]
    fields = controls(client.get(f"/api/threads/first-article/reply/{parent}").get_data(as_text=True)).fields
    app.config["MIN_FILL_SECONDS"] = 0
    posted = client.post("/api/threads/first-article/comments",
                         data=fields | {"author": "Bob", "text": "Yes: see the minutes."})
    assert posted.status_code == 303
    assert posted.headers["Location"] == "http://localhost/first-article.html#comment-posted"
    [_, reply] = api.thread()["comments"]
    assert (reply["parent"], reply["author"]) == (parent, "Bob")


@pytest.mark.parametrize("case", ["unknown", "out of range", "other thread", "held", "rejected"])
def test_reply_page_of_a_comment_not_published_here_is_a_404_page(api, client, app, case):
    app.config["MODERATION"] = "all" if case == "held" else "none"
    comment_id = {"unknown": lambda: 999, "out of range": lambda: 2**40,
                  "other thread": lambda: api.comment("second-article")["comment"]["id"],
                  "held": lambda: api.post().get_json()["comment"]["id"],
                  "rejected": lambda: api.comment()["comment"]["id"]}[case]()
    if case == "rejected":
        in_request(app, stored.reject_comment, comment_id)
    response = client.get(f"/api/threads/first-article/reply/{comment_id}")
    assert response.status_code == 404 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "<h1>Comment not found</h1>" in html and "<form" not in html
    assert 'href="http://localhost/first-article.html"' in html


def test_reply_page_of_an_unknown_article_is_a_404_page(client):
    response = client.get("/api/threads/no-such-article/reply/1")
    assert response.status_code == 404 and "<h1>Article not found</h1>" in response.get_data(as_text=True)


def test_reply_page_of_a_deleted_comment_with_replies_still_works(api, client, app):
    """The API accepts replies to a placeholder; so does the page, which shows it as deleted."""
    parent = api.comment(text="Soon gone.")
    api.comment(parent=parent["comment"]["id"])
    assert api.delete(parent["comment"]["id"], parent["edit_token"]).status_code == 200
    html = client.get(f"/api/threads/first-article/reply/{parent['comment']['id']}").get_data(as_text=True)
    assert "This comment was deleted." in html and "Soon gone." not in html and "<form" in html


def test_reply_page_of_a_locked_or_closed_thread_says_so(api, client, app):
    comment_id = api.comment()["comment"]["id"]
    in_request(app, thread_store.set_thread_locked, "first-article", True)
    response = client.get(f"/api/threads/first-article/reply/{comment_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and "Comments are closed" in html and "<form" not in html
    assert "A thoughtful comment." in html  # the comment is still shown
    closed = in_request(app, stored.create_comment, slug="closed-article", parent=None, author="Ann",
                        email=None, website=None, text="Old", html="<p>Old</p>", ip_hash=None,
                        state="approved")
    response = client.get(f"/api/threads/closed-article/reply/{closed.id}")
    assert response.status_code == 403 and "Comments are closed" in response.get_data(as_text=True)


# --- the whole thread --------------------------------------------------------------------------

def test_whole_thread_page_shows_every_comment_beyond_the_baked_limit(api, client, app):
    app.config["SECTION_TOP_LEVEL_MAX"] = 2
    ids = [api.comment(text=f"Comment number {n}.")["comment"]["id"] for n in range(5)]
    reply = api.comment(parent=ids[4], text="A late reply.")["comment"]["id"]
    response = client.get("/api/threads/first-article/all")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert [int(n) for n in re.findall(r'<article id="comment-(\d+)"', html)] == ids + [reply]
    assert "<h1>Comments on “First article”</h1>" in html
    assert html.count('<a href="http://localhost/first-article.html">Back to the article</a>') == 2
    assert 'action="/api/threads/first-article/comments"' in html  # the thread is open: its form
    assert "<!-- comments:start -->" in html and "<script" not in html


def test_whole_thread_page_escapes_what_readers_wrote(api, client):
    api.comment(author="<script>alert(1)</script>", text="<img src=x onerror=alert(1)>")
    api.comment("second-article")
    html = client.get("/api/threads/second-article/all").get_data(as_text=True)
    assert "<h1>Comments on “Second &lt;article&gt;”</h1>" in html
    html = client.get("/api/threads/first-article/all").get_data(as_text=True)
    assert "<script>alert" not in html and "<img" not in html


def test_whole_thread_page_answers_304_until_the_thread_changes(api, client):
    api.comment()
    url = "/api/threads/first-article/all"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    api.comment(text="Something new.")
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Something new." in changed.get_data(as_text=True)


def test_whole_thread_page_of_a_closed_thread_has_no_form(client):
    html = client.get("/api/threads/closed-article/all").get_data(as_text=True)
    # The widget's <template> for comments it inserts holds their vote and report forms.
    outside_template = re.sub(r"<template.*?</template>", "", html, flags=re.S)
    assert "Comments are closed." in html and "<form" not in outside_template


def test_whole_thread_page_of_an_unknown_article_is_a_404_page(client):
    response = client.get("/api/threads/no-such-article/all")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "<h1>Article not found</h1>" in response.get_data(as_text=True)


def test_pages_allow_forms_to_an_absolute_api_url(client, app):
    app.config["API_URL"] = "https://comments.news.example/api"
    policy = client.get("/api/threads/first-article/all").headers["Content-Security-Policy"]
    assert "form-action 'self' https://comments.news.example;" in policy
