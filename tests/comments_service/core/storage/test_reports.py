"""Readers' reports (core/storage/reports.py), on SQLite and (when it answers) on PostgreSQL: once
per reader (cookie or address), counted and listed by reason for the moderators, cleared when a
moderator approves the comment; concurrent reports on PostgreSQL all counted."""

import threading

import pytest
from sqlalchemy import select

from comments_service.core import moderation
from comments_service.core.comment import PENDING
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from comments_service.core.storage.reports import (
    ABUSE,
    OFF_TOPIC,
    SPAM,
    Reports,
    add_report,
    clear_reports,
    report_count,
    reports_of,
)
from comments_service.core.storage.tables import comment_reports
from comments_service.core.storage.votes import NotPublished
from tests.comments_service.conftest import run

from .conftest import add_comment, wait_until_blocked

ANN, BOB, CAT = "a" * 64, "b" * 64, "c" * 64
HOME, WORK, CAFE = "1" * 64, "2" * 64, "3" * 64


def report(engine, comment_id, reason=SPAM, reporter=ANN, ip_hash=HOME):
    return run(engine, add_report, comment_id, reporter=reporter, ip_hash=ip_hash, reason=reason)


def test_each_reader_reports_once_by_cookie_or_address(engine, add):
    comment_id = add()
    assert report(engine, comment_id) == 1
    assert report(engine, comment_id, ABUSE) is None  # same cookie, same address
    assert report(engine, comment_id, ABUSE, ip_hash=WORK) is None  # same cookie
    assert report(engine, comment_id, ABUSE, reporter=BOB) is None  # same address
    assert report(engine, comment_id, ABUSE, reporter=BOB, ip_hash=WORK) == 2
    assert report(engine, comment_id, reporter=CAT, ip_hash=None) == 3
    assert run(engine, report_count, comment_id) == 3
    with engine.connect() as conn:
        stored_rows = conn.execute(select(comment_reports.c.reporter, comment_reports.c.ip_hash,
                                          comment_reports.c.reason).order_by(comment_reports.c.reporter)).all()
    assert [tuple(row) for row in stored_rows] == [(ANN, HOME, SPAM), (BOB, WORK, ABUSE), (CAT, None, SPAM)]


def test_reports_are_listed_per_comment_and_reason_in_one_query(engine, add):
    first, second, unreported = add(), add(), add()
    report(engine, first, OFF_TOPIC)
    report(engine, first, SPAM, reporter=BOB, ip_hash=WORK)
    report(engine, first, OFF_TOPIC, reporter=CAT, ip_hash=CAFE)
    report(engine, second, ABUSE)
    found = run(engine, reports_of, [first, second, unreported])
    assert found == {first: Reports(3, {SPAM: 1, OFF_TOPIC: 2}), second: Reports(1, {ABUSE: 1})}
    assert list(found[first].reasons) == [SPAM, OFF_TOPIC]  # in the order readers choose them
    assert run(engine, reports_of, []) == {}


def test_clearing_forgets_the_reports_of_one_comment(engine, add):
    first, second = add(), add()
    report(engine, first)
    report(engine, first, reporter=BOB, ip_hash=WORK)
    report(engine, second)
    assert run(engine, clear_reports, first) == 2
    assert run(engine, reports_of, [first, second]) == {second: Reports(1, {SPAM: 1})}
    assert report(engine, first) == 1  # the reader may report it again


def test_approving_a_held_comment_clears_its_reports(engine, add):
    comment_id = add()
    report(engine, comment_id)
    run(engine, stored.hold_comment, comment_id, "reported")
    row = run(engine, stored.get_comment, comment_id)
    assert run(engine, moderation.publish, "ann", row)
    assert run(engine, report_count, comment_id) == 0


@pytest.mark.parametrize("unpublish", ["held", "gone"])
def test_only_published_comments_can_be_reported(engine, add, unpublish):
    comment_id = add(state=PENDING) if unpublish == "held" else add()
    if unpublish == "gone":
        run(engine, stored.delete_comment, comment_id)
    with pytest.raises(NotPublished):
        report(engine, comment_id)


def test_a_reason_is_one_of_the_three(engine, add):
    with pytest.raises(ValueError):
        report(engine, add(), "boring")


@pytest.mark.postgres
def test_concurrent_reports_each_see_the_ones_before(postgres_engine):
    """The report that reaches the hold threshold must see every report before it, even one not
    yet committed when it started: it waits for it."""
    engine = postgres_engine
    comment_id = add_comment(engine)
    result: dict = {}
    finished = threading.Event()

    def second_report():
        try:
            with database.connect(engine, write=True) as conn:
                conn.exec_driver_sql("SET lock_timeout = '20s'")
                result["count"] = add_report(conn, comment_id, reporter=BOB, ip_hash=WORK, reason=ABUSE)
                conn.commit()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            result["error"] = error
        finally:
            finished.set()

    with database.connect(engine, write=True) as conn:
        assert add_report(conn, comment_id, reporter=ANN, ip_hash=HOME, reason=SPAM) == 1
        reporter = threading.Thread(target=second_report)
        reporter.start()
        wait_until_blocked(engine, finished)
        conn.commit()
    reporter.join()
    assert result == {"count": 2}
