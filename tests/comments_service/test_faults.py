"""Failing parts (issue: nothing lost, nothing halts): a dead Redis, a read-only or full database.
Each answer is a 4xx/503 with the error object, and /api/health tells the truth."""

import pytest
from sqlalchemy import event

from comments_service import create_app
from comments_service.db import engine as app_engine
from tests.comments_service.conftest import ORIGIN, CommentsAPI, error_of, sqlite_url


@pytest.fixture
def make_app(app_config):
    apps = []

    def make(**settings):
        apps.append(create_app(app_config | settings))
        return apps[-1]

    yield make
    for app in apps:
        with app.app_context():
            app_engine().dispose()


DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_a_dead_rate_limit_storage_degrades_to_memory_instead_of_failing(make_app, caplog):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=DEAD_REDIS, WRITE_RATE_LIMIT="2 per minute")
    api = CommentsAPI(app.test_client())
    assert api.thread()["comments"] == []
    api.comment(text="First while Redis is down.")
    api.comment(text="Second while Redis is down.")
    limited = api.post(text="Third: over the per-worker limit.")
    assert limited.status_code == 429 and error_of(limited)["code"] == "rate_limited"
    health = api.client.get("/api/health")
    assert health.status_code == 200 and health.get_json()["status"] == "degraded"
    assert "falling back to in-memory storage" in caplog.text


def test_health_is_ok_when_every_part_answers(make_app):
    assert make_app().test_client().get("/api/health").get_json() == {"status": "ok"}


def read_only_url(tmp_path) -> str:
    """The test database, migrated, then opened read-only (root ignores file modes)."""
    create_app({"TESTING": True, "SECRET_KEY": "k", "DATABASE_URL": sqlite_url(tmp_path)})
    return f"sqlite:///file:{tmp_path / 'comments.sqlite3'}?mode=ro&uri=true"


def test_a_read_only_database_starts_serves_reads_and_says_so(make_app, tmp_path):
    app = make_app(DATABASE_URL=read_only_url(tmp_path))
    api = CommentsAPI(app.test_client())
    assert api.thread()["count"] == 0
    response = api.post(text="Cannot be stored.")
    assert response.status_code == 503 and error_of(response)["code"] == "unavailable"
    assert int(response.headers["Retry-After"]) > 0
    health = api.client.get("/api/health")
    assert health.status_code == 503 and health.get_json() == {"status": "unavailable", "database": "read-only"}


def test_a_read_only_database_with_auto_migrate_off_is_not_reported_healthy(make_app, tmp_path):
    app = make_app(DATABASE_URL=read_only_url(tmp_path), AUTO_MIGRATE=False)
    assert app.test_client().get("/api/health").status_code == 503


def test_a_full_disk_is_a_503_with_retry_after_and_loses_nothing_stored(make_app):
    app = make_app()
    api = CommentsAPI(app.test_client())
    kept = api.comment(text="Stored before the disk filled up.")
    with app.app_context():
        @event.listens_for(app_engine(), "connect")
        def tiny_disk(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA max_page_count = 1")  # SQLITE_FULL on the next write

        app_engine().dispose()  # new connections get the limit
    response = api.post(text="x" * 5000)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert error_of(response)["code"] == "unavailable"
    form = api.client.post("/api/threads/first-article/comments", headers={"Origin": ORIGIN},
                           data={"author": "Ann", "text": "y" * 5000})
    assert form.status_code == 503 and "try again" in form.get_data(as_text=True)
    assert [c["id"] for c in api.thread()["comments"]] == [kept["comment"]["id"]]
