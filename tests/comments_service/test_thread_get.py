"""GET /api/threads/<slug>/comments on a page-cache miss (PAGE_CACHE_BYTES=0, or another worker's
cache): a matching If-None-Match is answered 304 from the thread's version alone, without reading
or building the page; a miss reads the page in one statement. The version is read on the
request thread's own connection (threads.StateReader), never through the engine's pool; the
statements through the engine are counted with SQLAlchemy's own events, on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import event

from comments_service.db import engine as app_engine


@pytest.fixture
def database_url(any_database_url):
    return any_database_url


@pytest.fixture
def app_config(app_config):
    return app_config | {"PAGE_CACHE_BYTES": 0}


@pytest.fixture
def statements(app):
    """The queries the app runs through its engine, as they run (SQLite's BEGIN, emitted by
    database.py, is no query), and "checkout" for each connection taken from its pool."""
    seen = []
    with app.app_context():
        engine = app_engine()

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append(statement)

    def checkout(*_args):
        seen.append("checkout")

    event.listen(engine, "before_cursor_execute", count)
    event.listen(engine.pool, "checkout", checkout)
    yield seen
    event.remove(engine, "before_cursor_execute", count)
    event.remove(engine.pool, "checkout", checkout)


def test_a_matching_etag_is_answered_304_without_reading_the_page(api, client, statements):
    for n in range(3):
        api.comment(text=f"Comment number {n}.")
    first = client.get("/api/threads/first-article/comments")
    assert first.status_code == 200 and first.headers["ETag"]
    statements.clear()
    again = client.get("/api/threads/first-article/comments",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"] and again.headers["X-Form-Token"]
    assert statements == []  # not even a pooled connection: the version has its own


def test_a_miss_reads_the_page_in_one_statement_on_one_pooled_connection(api, client, statements):
    for n in range(3):
        api.comment(text=f"Comment number {n}.")
    client.get("/api/threads/first-article/comments")  # the version reader's connection, made once
    statements.clear()
    body = client.get("/api/threads/first-article/comments").get_json()
    assert [c["html"] for c in body["comments"]] == [f"<p>Comment number {n}.</p>" for n in range(3)]
    assert statements[0] == "checkout" and len(statements) == 2 and "public_json" in statements[1]


def test_a_stale_etag_gets_the_new_page(api, client):
    api.comment(text="Before the change.")
    etag = client.get("/api/threads/first-article/comments").headers["ETag"]
    api.comment(text="After the change.")
    response = client.get("/api/threads/first-article/comments", headers={"If-None-Match": etag})
    assert response.status_code == 200 and response.get_json()["count"] == 2
