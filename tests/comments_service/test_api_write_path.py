"""The POST's time in the database: on SQLite a write request holds the one writer's turn from
its first statement until its connection goes back to the pool, and every other write waits for
it. So the work that needs no database runs before the first statement, and the connection goes
back right after the commit, not when the response has been built."""

import pytest
from flask import g

from comments_service import bodies
from comments_service.core.storage import threads as thread_store
from comments_service.db import engine as app_engine

from .conftest import error_of


def test_the_markdown_is_rendered_before_the_request_touches_the_database(api, monkeypatch):
    seen = []
    real_render = bodies.render

    def render(text):
        seen.append("db_connection" in g)
        return real_render(text)

    monkeypatch.setattr(bodies, "render", render)
    assert api.post(text="Rendered *first*.").status_code == 201
    assert seen == [False]


def test_edit_renders_before_its_first_statement(api, monkeypatch):
    """On SQLite the first statement of a write request takes the writer's turn, which every
    other write waits for: rendering inside it let one edit hold every POST for as long as its
    Markdown took (seconds, before render's bracket budget)."""
    created = api.comment()
    rendered_with_a_connection = []

    def render_and_note(text):
        rendered_with_a_connection.append("db_connection" in g)
        return real_render(text)

    real_render = bodies.render
    monkeypatch.setattr(bodies, "render", render_and_note)
    assert api.edit(created["comment"]["id"], created["edit_token"], text="Edited.").status_code == 200
    assert rendered_with_a_connection == [False]


@pytest.mark.parametrize("kind", ["json", "form"])
def test_the_connection_goes_back_once_the_comment_is_committed(app, client, kind):
    held_at_response = []

    @app.after_request
    def note(response):
        held_at_response.append("db_connection" in g)
        return response

    body = {"author": "Ann", "text": "Committed, then let go."}
    if kind == "json":
        response = client.post("/api/threads/first-article/comments", json=body,
                               headers={"Origin": "http://localhost"})
        assert response.status_code == 201
    else:
        response = client.post("/api/threads/first-article/comments", data=body,
                               headers={"Origin": "http://localhost"})
        assert response.status_code == 303
    assert held_at_response == [False]
    assert client.get("/api/threads/first-article/comments").get_json()["count"] == 1


@pytest.mark.parametrize("body", [{"author": "", "text": "x"},
                                  {"author": "Ann", "text": "ok text", "homepage": "x"},
                                  {"author": "Ann", "text": "ok text", "form_token": "forged"}])
def test_a_locked_thread_says_so_before_anything_is_wrong_with_the_body(api, app, body):
    """The checks moved ahead of the database keep their answer's precedence: locked first."""
    with app.app_context(), app_engine().begin() as conn:
        thread_store.set_thread_locked(conn, "first-article", True)
    response = api.client.post("/api/threads/first-article/comments", json=body,
                               headers={"Origin": "http://localhost"})
    assert response.status_code == 403 and error_of(response)["code"] == "thread_locked"


def test_a_bad_body_on_an_open_thread_is_still_a_400_and_stores_nothing(api):
    response = api.post(author="", text="x")
    assert response.status_code == 400 and error_of(response)["code"] == "invalid"
    assert api.thread()["count"] == 0
