"""The re-bake queue's queries (core/storage/rebake_queue.py) on SQLite and PostgreSQL: one row per
thread, enqueueing coalesces, a claim is a lease naming a version, a bake that read an older
version leaves the row pending, a failure keeps it."""

from datetime import timedelta

from sqlalchemy import select

from comments_service.core.storage import database, rebake_queue
from comments_service.core.storage.tables import rebake_queue as table
from comments_service.core.times import utcnow
from tests.comments_service.conftest import run

LEASE = 60


def claim(engine, now=None):
    return run(engine, rebake_queue.claim_due, LEASE, now)


def rows(engine) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(table).order_by(table.c.slug)))


def test_a_row_exists_only_with_the_write_that_enqueued_it(engine):
    with database.connect(engine, write=True) as conn:
        rebake_queue.enqueue(conn, "story")
        conn.rollback()
    assert rows(engine) == [] and claim(engine) is None


def test_enqueueing_again_coalesces_into_one_row_with_a_higher_version(engine):
    versions = [run(engine, rebake_queue.enqueue, "story") for _ in range(5)]
    run(engine, rebake_queue.enqueue, "other")
    assert versions == [1, 2, 3, 4, 5]
    assert [(row.slug, row.version, row.baked_version) for row in rows(engine)] == [
        ("other", 1, 0), ("story", 5, 0)]


def test_one_bake_covers_every_version_enqueued_before_its_claim(engine):
    for _ in range(3):
        run(engine, rebake_queue.enqueue, "story")
    taken = claim(engine)
    assert (taken.slug, taken.version) == ("story", 3)
    assert claim(engine) is None  # leased
    run(engine, rebake_queue.record_baked, taken)
    assert run(engine, rebake_queue.baked_version, "story") == 3
    assert claim(engine) is None and run(engine, rebake_queue.pending) == []


def test_a_write_during_the_bake_makes_the_row_pending_and_due_again(engine):
    run(engine, rebake_queue.enqueue, "story")
    taken = claim(engine)
    assert run(engine, rebake_queue.enqueue, "story") == 2  # while the bake runs
    run(engine, rebake_queue.record_baked, taken)
    assert run(engine, rebake_queue.baked_version, "story") == 1
    again = claim(engine)  # due at once, not at the end of the first lease
    assert (again.slug, again.version) == ("story", 2)
    run(engine, rebake_queue.record_baked, again)
    assert run(engine, rebake_queue.pending) == []


def test_a_late_bake_of_an_older_version_never_lowers_what_is_baked(engine):
    run(engine, rebake_queue.enqueue, "story")
    old = claim(engine)
    run(engine, rebake_queue.enqueue, "story")
    new = claim(engine)
    run(engine, rebake_queue.record_baked, new)
    run(engine, rebake_queue.record_baked, old)
    assert run(engine, rebake_queue.baked_version, "story") == 2


def test_a_failed_bake_stays_pending_until_its_retry_and_a_new_write_does_not_hurry_it(engine):
    run(engine, rebake_queue.enqueue, "story")
    taken = claim(engine)
    retry_at = utcnow() + timedelta(seconds=30)
    assert run(engine, rebake_queue.record_failure, taken, "PermissionError: no", retry_at=retry_at) == 1
    run(engine, rebake_queue.enqueue, "story")
    assert claim(engine) is None
    [row] = run(engine, rebake_queue.pending)
    assert (row.version, row.baked_version, row.failures, row.last_error) == (2, 0, 1, "PermissionError: no")
    assert abs((run(engine, rebake_queue.next_due_at) - retry_at).total_seconds()) < 1
    retried = claim(engine, retry_at + timedelta(seconds=1))
    assert (retried.version, retried.failures) == (2, 1)
    run(engine, rebake_queue.record_baked, retried)
    assert run(engine, rebake_queue.pending) == [] and rows(engine)[0].failures == 0


def test_a_lease_that_runs_out_hands_the_row_to_the_next_baker(engine):
    run(engine, rebake_queue.enqueue, "story")
    claim(engine)
    assert claim(engine, utcnow() + timedelta(seconds=LEASE + 1)).slug == "story"


def test_nothing_queued_has_no_version_and_nothing_due(engine):
    assert run(engine, rebake_queue.baked_version, "story") is None
    assert run(engine, rebake_queue.next_due_at) is None


def test_concurrent_claims_skip_locked_rows_instead_of_waiting_or_sharing(postgres_engine):
    """SQLite has one writer at a time: there its write transaction is the claim."""
    engine = postgres_engine
    for slug in ("a", "b"):
        run(engine, rebake_queue.enqueue, slug)
    with database.connect(engine, write=True) as first, database.connect(engine, write=True) as second:
        second.exec_driver_sql("SET lock_timeout = '2s'")  # waiting for a lock would fail the test
        mine = rebake_queue.claim_due(first, LEASE)
        theirs = rebake_queue.claim_due(second, LEASE)
        assert {mine.slug, theirs.slug} == {"a", "b"}
        first.commit()
        second.commit()
    assert claim(engine) is None


def test_a_row_whose_write_has_not_committed_is_skipped_not_waited_for(postgres_engine):
    engine = postgres_engine
    run(engine, rebake_queue.enqueue, "story")
    with database.connect(engine, write=True) as writer, database.connect(engine, write=True) as baker:
        baker.exec_driver_sql("SET lock_timeout = '2s'")
        rebake_queue.enqueue(writer, "story")  # a POST in flight holds the row
        assert rebake_queue.claim_due(baker, LEASE) is None
        writer.commit()
        baker.rollback()
    assert claim(engine).version == 2


def test_a_delayed_bake_waits_for_more_writes_and_a_stream_of_them_never_postpones_it(engine):
    start = utcnow()
    run(engine, rebake_queue.enqueue, "story", 30, start)
    assert claim(engine, start) is None  # waiting for the writes of the next 30 s
    run(engine, rebake_queue.enqueue, "story", 30, start + timedelta(seconds=20))
    taken = claim(engine, start + timedelta(seconds=31))  # due at 30 s, not 50 s
    assert (taken.slug, taken.version) == ("story", 2)
