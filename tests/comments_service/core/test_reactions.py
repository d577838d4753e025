"""Readers' reports holding a comment (core/reactions.py), on SQLite and (when it answers) on
PostgreSQL: the report that reaches the threshold takes the comment back to the queue, flagged,
and logs it under the actor "readers"."""

from sqlalchemy import select

from comments_service.core import reactions
from comments_service.core.comment import APPROVED, PENDING
from comments_service.core.storage import comments as stored
from comments_service.core.storage.tables import moderation_log
from tests.comments_service.conftest import run


def report(engine, comment_id, reporter, reason="spam", hold_after=3) -> bool:
    row = run(engine, stored.get_comment, comment_id)
    return run(engine, reactions.report, row, reporter=reporter, ip_hash=reporter, reason=reason,
               hold_after=hold_after)


def log_rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(
            select(moderation_log.c.actor, moderation_log.c.action, moderation_log.c.comment_id,
                   moderation_log.c.thread_slug, moderation_log.c.reason))]


def test_the_report_reaching_the_threshold_holds_the_comment_and_logs_it(engine, add):
    comment_id = add()
    assert not report(engine, comment_id, "a" * 64, "abuse")
    assert not report(engine, comment_id, "a" * 64, "spam")  # the same reader again: no count
    assert not report(engine, comment_id, "b" * 64, "spam")
    assert run(engine, stored.get_comment, comment_id).state == APPROVED
    assert log_rows(engine) == []
    assert report(engine, comment_id, "c" * 64, "spam")
    held = run(engine, stored.get_comment, comment_id)
    assert (held.state, held.flags) == (PENDING, "reported")
    assert log_rows(engine) == [("readers", "hold", comment_id, "first-article", "3 reports: spam ×2, abuse ×1")]


def test_a_threshold_of_one_holds_at_the_first_report(engine, add):
    comment_id = add()
    assert report(engine, comment_id, "a" * 64, hold_after=1)
    assert run(engine, stored.get_comment, comment_id).state == PENDING
