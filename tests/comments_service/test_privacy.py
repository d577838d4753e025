"""`flask --app comments_service purge`: IP hashes older than IP_RETENTION_DAYS are cleared, on
SQLite and (when it answers) on PostgreSQL."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from comments_service.core.privacy import hash_ip
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from comments_service.core.storage.tables import comments
from comments_service.core.times import utcnow
from comments_service.db import engine as app_engine


@pytest.fixture
def database_url(any_database_url):
    return any_database_url


@pytest.fixture
def app_config(app_config):
    return app_config | {"IP_RETENTION_DAYS": 30}


def add_comment_posted(app, days_ago: float) -> int:
    """A comment with an IP hash, posted `days_ago` days ago; returns its id."""
    with app.app_context(), database.connect(app_engine(), write=True) as conn, conn.begin():
        row = stored.create_comment(
            conn, slug="first-article", parent=None, author="Ann", email=None, website=None,
            text="Hello there", html="<p>Hello there</p>", ip_hash=hash_ip("salt", "192.0.2.1"),
            state="approved")
        conn.execute(comments.update().where(comments.c.id == row.id)
                     .values(created=utcnow() - timedelta(days=days_ago)))
    return row.id


def ip_hashes(app) -> dict[int, str | None]:
    with app.app_context(), app_engine().connect() as conn:
        return dict(conn.execute(select(comments.c.id, comments.c.ip_hash)).all())


def test_purge_clears_ip_hashes_older_than_the_retention_period(app):
    old, recent = add_comment_posted(app, days_ago=31), add_comment_posted(app, days_ago=29)
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Cleared the IP hash of 1 comments" in result.output
    hashes = ip_hashes(app)
    assert hashes[old] is None
    assert hashes[recent] == hash_ip("salt", "192.0.2.1")


def test_purge_refuses_a_retention_that_is_not_a_number_of_days(app):
    add_comment_posted(app, days_ago=31)
    app.config["IP_RETENTION_DAYS"] = "a month"
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 2
    assert "IP_RETENTION_DAYS must be a whole number of days" in result.output
    assert None not in ip_hashes(app).values()
