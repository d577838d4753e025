"""flaskr-style fixture ladder for the comments service: manifest + database -> app -> client ->
`api` (helpers that speak the API like the widget does).

Every test gets a fresh SQLite file. Modules that must also run on PostgreSQL use the
`database_url` fixture parametrised by `database_backends` below.
"""

import json
import uuid
from html.parser import HTMLParser

import pytest
from sqlalchemy import create_engine, make_url, text

from comments_service import create_app
from comments_service.db import engine as app_engine
from tests.conftest import require_backend

ORIGIN = "http://localhost"  # the test client's own origin
THREADS = [
    {"slug": "first-article", "url": "/first-article.html", "title": "First article",
     "published": "2026-01-01T09:00:00+00:00", "open": True},
    {"slug": "second-article", "url": "/second-article.html", "title": "Second <article>",
     "published": "2026-01-02T09:00:00+00:00", "open": True},
    {"slug": "closed-article", "url": "/closed-article.html", "title": "Closed article",
     "published": "2025-01-01T09:00:00+00:00", "open": False},
]


@pytest.fixture
def manifest_path(tmp_path):
    path = tmp_path / "output" / "comments" / "threads.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(THREADS), encoding="utf-8")
    return path


def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'comments.sqlite3'}"


@pytest.fixture
def database_url(tmp_path):
    return sqlite_url(tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_database_url(request, tmp_path):
    """A fresh database on each backend: a SQLite file, or a new schema on PostgreSQL that is
    dropped afterwards so reruns start clean."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    server = make_url(require_backend("COMMENTS_TEST_POSTGRES_URL", "PostgreSQL"))
    schema = f"comments_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield server.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def app_config(database_url, manifest_path):
    return {
        "TESTING": True,
        "SECRET_KEY": "test secret key",
        "DATABASE_URL": database_url,
        "THREADS_MANIFEST": str(manifest_path),
        "RATELIMIT_ENABLED": False,
    }


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    yield app
    with app.app_context():
        app_engine().dispose()


@pytest.fixture
def client(app):
    return app.test_client()


class CommentsAPI:
    """Calls the API as the widget does (same-origin, JSON) and checks the happy paths."""

    def __init__(self, client):
        self.client = client

    def post(self, slug="first-article", *, headers=None, **fields):
        body = {"author": "Reader", "text": "A thoughtful comment."} | fields
        return self.client.post(f"/api/threads/{slug}/comments", json=body,
                                headers={"Origin": ORIGIN} | (headers or {}))

    def comment(self, slug="first-article", **fields) -> dict:
        """Post a comment that must be published; return the 201 body."""
        response = self.post(slug, **fields)
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()

    def thread(self, slug="first-article", **params) -> dict:
        response = self.client.get(f"/api/threads/{slug}/comments", query_string=params)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def edit(self, comment_id, token, text="Changed my mind, here it is.", **body):
        return self.client.patch(f"/api/comments/{comment_id}", json={"text": text} | body,
                                 headers={"Authorization": f"Bearer {token}", "Origin": ORIGIN})

    def delete(self, comment_id, token):
        return self.client.delete(f"/api/comments/{comment_id}",
                                  headers={"Authorization": f"Bearer {token}", "Origin": ORIGIN})


@pytest.fixture
def api(client):
    return CommentsAPI(client)


def error_of(response) -> dict:
    """The `error` object of a JSON error response."""
    assert response.is_json, response.get_data(as_text=True)
    return response.get_json()["error"]


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))


def assert_inert(html: str) -> None:
    """No script/style element, no event-handler attribute, no URL outside http/https/mailto."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.elements:
        assert tag not in {"script", "style", "iframe", "object", "embed", "img", "svg"}, html
        for name, value in attrs:
            assert not name.startswith("on"), html
            if name in {"href", "src", "action", "formaction"}:
                assert (value or "").lower().startswith(("http://", "https://", "mailto:")), html
