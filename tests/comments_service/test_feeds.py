"""Atom feeds per thread and for the site."""

import xml.etree.ElementTree as ET

from comments_service.core.storage import comments as stored
from comments_service.db import engine as app_engine

from .conftest import error_of

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    return feed, feed.findall(f"{ATOM}entry")


def test_thread_feed_lists_its_comments_newest_first(api, client):
    first = api.comment(author="Ann <b>", text="First *one*")["comment"]
    second = api.comment(text="Second one")["comment"]
    api.comment("second-article")
    feed, items = entries(client.get("/api/threads/first-article/feed.atom"))
    assert feed.find(f"{ATOM}title").text == "Comments on First article"
    assert [item.find(f"{ATOM}link").get("href") for item in items] == [
        f"http://localhost/first-article.html#comment-{second['id']}",
        f"http://localhost/first-article.html#comment-{first['id']}"]
    oldest = items[1]
    assert oldest.find(f"{ATOM}author/{ATOM}name").text == "Ann <b>"  # escaped in XML, text again here
    assert oldest.find(f"{ATOM}summary").text == "<p>First <em>one</em></p>"


def test_site_feed_spans_threads_and_skips_hidden_comments(api, client, app):
    app.config["FEED_SIZE"] = 2
    api.comment(), api.comment("second-article")
    app.config["MODERATION"] = "all"
    api.post()
    _, items = entries(client.get("/api/feed.atom"))
    assert [item.find(f"{ATOM}title").text for item in items] == [
        "Reader on Second <article>", "Reader on First article"]


def test_feed_etag(api, client):
    api.comment()
    response = client.get("/api/feed.atom")
    assert client.get("/api/feed.atom", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_unknown_thread_feed_is_404(client):
    response = client.get("/api/threads/nothing/feed.atom")
    assert response.status_code == 404 and error_of(response)["code"] == "unknown_thread"


def test_an_editors_pick_is_titled_so_in_both_feeds(api, client, app):
    picked = api.comment(author="Ann", text="A first-hand account.")["comment"]["id"]
    api.comment(author="Bob", text="Just a comment.")
    with app.app_context(), app_engine().begin() as conn:
        stored.set_picked(conn, picked, True, "Well sourced")
    for url in ("/api/threads/first-article/feed.atom", "/api/feed.atom"):
        _, items = entries(client.get(url))
        assert [item.find(f"{ATOM}title").text for item in items] == [
            "Bob on First article", "Editor's pick: Ann on First article"]


def test_a_stored_control_character_shows_as_a_replacement_not_a_500(api, client, app):
    """XML 1.0 cannot hold U+000B: a comment holding one (restored from an old export, or
    imported before importers refused it) made both feeds 500 for every reader."""
    with app.app_context(), app_engine().begin() as conn:
        stored.create_comment(conn, slug="first-article", parent=None, author="Bo\x0b Smith",
                              email=None, website=None, text="Hi\x0cthere", html="<p>Hi\x0cthere</p>",
                              ip_hash=None, state="approved")
    for url in ("/api/threads/first-article/feed.atom", "/api/feed.atom"):
        _, [item] = entries(client.get(url))
        assert item.find(f"{ATOM}author/{ATOM}name").text == "Bo\ufffd Smith"
        assert item.find(f"{ATOM}summary").text == "<p>Hi\ufffdthere</p>"
