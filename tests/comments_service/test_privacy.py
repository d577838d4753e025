"""`flask --app comments_service purge`: IP hashes older than IP_RETENTION_DAYS are cleared, of
comments, votes and reports alike, on SQLite and (when it answers) on PostgreSQL."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from comments_service.core.privacy import hash_ip
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from comments_service.core.storage.reports import add_report
from comments_service.core.storage.tables import comment_reports, comment_votes, comments
from comments_service.core.storage.votes import UP, cast_vote
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


def react_to(app, comment_id: int, days_ago: float, reader: str) -> None:
    """A vote and a report by `reader` from an address, `days_ago` days ago."""
    ip_hash = hash_ip("salt", f"192.0.2.{len(reader)}")
    with app.app_context(), database.connect(app_engine(), write=True) as conn, conn.begin():
        cast_vote(conn, comment_id, voter=reader, ip_hash=ip_hash, value=UP)
        add_report(conn, comment_id, reporter=reader, ip_hash=ip_hash, reason="spam")
        for table in (comment_votes, comment_reports):
            conn.execute(table.update().where(table.c.ip_hash == ip_hash)
                         .values(created=utcnow() - timedelta(days=days_ago)))


def test_purge_clears_the_ip_hashes_of_old_votes_and_reports_and_keeps_them(app):
    comment_id = add_comment_posted(app, days_ago=1)
    react_to(app, comment_id, days_ago=31, reader="old")
    react_to(app, comment_id, days_ago=29, reader="recent")
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Cleared the IP hash of 0 comments and 2 votes and reports" in result.output
    with app.app_context(), app_engine().connect() as conn:
        for table, reader in ((comment_votes, comment_votes.c.voter), (comment_reports, comment_reports.c.reporter)):
            rows = dict(conn.execute(select(reader, table.c.ip_hash)).all())
            assert rows == {"old": None, "recent": hash_ip("salt", "192.0.2.6")}


def test_purge_refuses_a_retention_that_is_not_a_number_of_days(app):
    add_comment_posted(app, days_ago=31)
    app.config["IP_RETENTION_DAYS"] = "a month"
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 2
    assert "IP_RETENTION_DAYS must be a whole number of days" in result.output
    assert None not in ip_hashes(app).values()
