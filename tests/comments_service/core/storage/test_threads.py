"""Thread rows: the moderator lock and the version (core/storage/threads.py), and the version
read of every thread GET on connections of its own (StateReader)."""

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from comments_service.core.storage import threads as thread_store
from tests.comments_service.conftest import run

from .conftest import add_comment


def test_thread_lock(engine, add):
    assert not run(engine, thread_store.thread_is_locked, "first-article")
    run(engine, thread_store.set_thread_locked, "first-article", True)
    assert run(engine, thread_store.thread_is_locked, "first-article")
    run(engine, thread_store.set_thread_locked, "first-article", False)
    assert not run(engine, thread_store.thread_is_locked, "first-article")


def test_every_write_bumps_the_thread_version(engine, add):
    before = run(engine, thread_store.thread_state, "first-article")
    comment_id = add()
    created = run(engine, thread_store.thread_state, "first-article")
    run(engine, stored.edit_comment, comment_id, text="Changed", html="<p>Changed</p>")
    edited = run(engine, thread_store.thread_state, "first-article")
    run(engine, stored.delete_comment, comment_id)
    deleted = run(engine, thread_store.thread_state, "first-article")
    assert before.version == 0 and before.id == 0
    assert created.version < edited.version < deleted.version


def test_the_state_reader_reads_what_thread_state_reads_and_every_commit_at_once(engine, add):
    reader = thread_store.StateReader(engine)
    assert reader.state("first-article") == (0, 0, False)
    add()
    assert reader.state("first-article") == run(engine, thread_store.thread_state, "first-article")
    with database.connect(engine, write=True) as conn:  # uncommitted: not seen
        thread_store.set_thread_locked(conn, "first-article", True)
        assert not reader.state("first-article").locked
        conn.commit()
    assert reader.state("first-article") == run(engine, thread_store.thread_state, "first-article")
    assert reader.state("first-article").locked


def test_the_reader_keeps_connections_outside_the_pool_as_many_as_reads_at_once(engine, add):
    add()
    reader = thread_store.StateReader(engine)
    states, start = [], threading.Barrier(engine.pool.size() + engine.pool._max_overflow + 2)

    def read():
        start.wait()
        states.append(reader.state("first-article"))

    workers = [threading.Thread(target=read) for _ in range(start.parties)]  # more than the pool holds
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(set(states)) == 1 and len(states) == len(workers)
    assert engine.pool.checkedout() == 0 and 1 <= len(reader._free) <= len(workers)
    for _ in range(50):  # one after another: one connection, used again
        assert reader.state("first-article") == states[0]
    assert len(reader._free) <= len(workers)
    kept = list(reader._free)
    engine.dispose()
    assert not reader._free
    assert reader.state("first-article") == states[0]  # a new connection at the next read
    assert reader._free[0] not in kept


def test_an_in_memory_database_is_read_through_its_pool():
    """Its data lives in the pool's connection: a connection of the reader's own would be a new,
    empty database."""
    engine = database.engine_from_url("sqlite://")
    database.upgrade_schema(engine)
    add_comment(engine)
    assert thread_store.StateReader(engine).state("first-article") == (1, 1, False)
    engine.dispose()


def test_a_database_that_cannot_be_opened_is_sqlalchemys_operational_error(tmp_path):
    (tmp_path / "gone.sqlite3").mkdir()  # cannot be opened as a database
    engine = database.engine_from_url(f"sqlite:///{tmp_path / 'gone.sqlite3'}")
    with pytest.raises(OperationalError):
        thread_store.StateReader(engine).state("first-article")
    engine.dispose()


@pytest.mark.postgres
def test_a_connection_postgresql_dropped_is_replaced_and_the_read_retried(postgres_engine):
    """A restarted PostgreSQL (or a killed backend) ends the reader's connections; the pool's
    pre-ping would have hidden it from the next request, so the reader does as well."""
    add_comment(postgres_engine)
    reader = thread_store.StateReader(postgres_engine)
    before = reader.state("first-article")
    backend = reader._free[0][0].info.backend_pid
    with postgres_engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        conn.commit()
    assert reader.state("first-article") == before
    assert [opened[0].info.backend_pid != backend for opened in reader._free] == [True]
