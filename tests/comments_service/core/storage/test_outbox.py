"""The mail outbox's queries (core/storage/outbox.py) on SQLite and PostgreSQL: rows live and die
with their transaction, a claim is a lease, an outcome applies only to the claim it names."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from comments_service.core.storage import database, outbox
from comments_service.core.storage.tables import mail_outbox
from comments_service.core.times import utcnow
from tests.comments_service.conftest import postgres_schema_url, run

LEASE = 60


def queue(engine, count=1, **fields) -> list[int]:
    with database.connect(engine, write=True) as conn:
        ids = [outbox.enqueue(conn, ["ann@example.org"], f"Mail {n}", "Body\n", fields.get("headers", ()),
                              message_id=f"<{n}@news.example.org>", now=fields.get("now"))
               for n in range(count)]
        conn.commit()
    return ids


def claim(engine, now=None):
    return run(engine, outbox.claim_due, LEASE, now)


def rows(engine) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(mail_outbox).order_by(mail_outbox.c.id)))


def test_a_mail_is_stored_only_with_its_transaction(engine):
    with database.connect(engine, write=True) as conn:
        outbox.enqueue(conn, ["ann@example.org"], "Hello", "Body", message_id="<1@x>")
        conn.rollback()
    assert rows(engine) == []


def test_a_claim_leases_the_row_until_it_is_sent(engine):
    [mail_id] = queue(engine, headers=[("List-Unsubscribe", "<https://x/u>")])
    mail = claim(engine)
    assert (mail.id, mail.attempts, mail.recipients, mail.subject) == (
        mail_id, 1, ("ann@example.org",), "Mail 0")
    assert mail.headers == (("List-Unsubscribe", "<https://x/u>"),)
    assert mail.message_id == "<0@news.example.org>"
    assert claim(engine) is None  # leased: no other sender takes it
    assert run(engine, outbox.delete_sent, mail)
    assert rows(engine) == [] and run(engine, outbox.counts) == (0, 0)


def test_a_lease_that_runs_out_hands_the_row_to_the_next_sender(engine):
    queue(engine)
    first = claim(engine)
    later = utcnow() + timedelta(seconds=LEASE + 1)
    second = claim(engine, later)
    assert (second.id, second.attempts) == (first.id, 2)
    # The first sender, back late, changes nothing: the row is the second one's now.
    assert not run(engine, outbox.delete_sent, first)
    assert not run(engine, outbox.record_failure, first, "late", retry_at=None)
    assert run(engine, outbox.delete_sent, second)
    assert rows(engine) == []


def test_a_failure_is_retried_at_its_time_then_kept_as_failed(engine):
    queue(engine)
    mail = claim(engine)
    retry_at = utcnow() + timedelta(seconds=30)
    assert run(engine, outbox.record_failure, mail, "421 try later " + "x" * 5000, retry_at=retry_at)
    [row] = rows(engine)
    assert row.attempts == 1 and row.last_error.startswith("421 try later") and len(row.last_error) == 1000
    assert run(engine, outbox.next_attempt_at) == retry_at
    assert claim(engine, retry_at - timedelta(seconds=1)) is None

    again = claim(engine, retry_at)
    assert again.attempts == 2
    assert run(engine, outbox.record_failure, again, "550 no such user", retry_at=None)
    assert claim(engine, retry_at + timedelta(days=365)) is None  # failed rows are never sent again
    assert run(engine, outbox.next_attempt_at) is None
    assert run(engine, outbox.counts) == (0, 1)
    [row] = rows(engine)
    assert row.failed_at is not None and row.last_error == "550 no such user"

    assert run(engine, outbox.retry_failed) == 1  # an operator's second chance
    assert claim(engine).attempts == 1
    assert run(engine, outbox.counts) == (1, 0)


def test_failed_mails_are_purged_after_their_time(engine):
    queue(engine, 2)
    for mail in (claim(engine), claim(engine)):
        run(engine, outbox.record_failure, mail, "refused", retry_at=None,
                       now=utcnow() - timedelta(days=40 if mail.subject == "Mail 0" else 1))
    assert run(engine, outbox.delete_failed_before, utcnow() - timedelta(days=30)) == 1
    assert [row.subject for row in rows(engine)] == ["Mail 1"]


def test_rows_are_claimed_oldest_first(engine):
    now = utcnow()
    queue(engine, 3, now=now)
    assert [claim(engine, now).subject for _ in range(3)] == ["Mail 0", "Mail 1", "Mail 2"]
    assert claim(engine, now) is None


@pytest.fixture
def postgres_engine():
    with postgres_schema_url() as url:
        engine = database.engine_from_url(url)
        database.upgrade_schema(engine)
        yield engine
        engine.dispose()


@pytest.mark.postgres
def test_concurrent_claims_skip_locked_rows_instead_of_waiting_or_sharing(postgres_engine):
    """SQLite has one writer at a time: there its write transaction is the claim."""
    engine = postgres_engine
    queue(engine, 2)
    with database.connect(engine, write=True) as first, database.connect(engine, write=True) as second:
        second.exec_driver_sql("SET lock_timeout = '2s'")  # waiting for a lock would fail the test
        mine = outbox.claim_due(first, LEASE)  # not committed yet: the row is locked
        theirs = outbox.claim_due(second, LEASE)
        assert {mine.subject, theirs.subject} == {"Mail 0", "Mail 1"}
        first.commit()
        second.commit()
    assert claim(engine) is None
    with engine.connect() as conn:
        assert conn.execute(select(func.sum(mail_outbox.c.attempts))).scalar() == 2
