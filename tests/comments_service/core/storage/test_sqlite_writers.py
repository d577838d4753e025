"""The SQLite writers' queue: held from BEGIN IMMEDIATE until the connection is checked in."""

import fcntl
import os
import threading

import pytest
from sqlalchemy import select

from comments_service.core.storage import database, sqlite_writers


@pytest.fixture
def engine(tmp_path):
    engine = database.engine_from_url(f"sqlite:///{tmp_path / 'comments.sqlite3'}")
    database.upgrade_schema(engine)
    yield engine
    engine.dispose()


def queue_is_free(lock_path: str) -> bool:
    """Try the queue's flock from a descriptor of our own (flock conflicts between descriptors,
    whatever process holds them)."""
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)
    return True


def test_a_write_transaction_holds_the_turn_until_check_in(engine, tmp_path):
    lock_path = f"{tmp_path / 'comments.sqlite3'}-writers.lock"
    with database.connect(engine, write=True) as conn:
        conn.execute(select(1))
        assert not queue_is_free(lock_path)
        conn.commit()
        assert not queue_is_free(lock_path)  # the commit happens inside the turn
    assert queue_is_free(lock_path)


def test_reads_never_take_the_turn(engine, tmp_path):
    with database.connect(engine) as conn:
        conn.execute(select(1))
        assert queue_is_free(f"{tmp_path / 'comments.sqlite3'}-writers.lock")


def test_a_second_writer_waits_for_the_first_to_check_in(engine):
    order = []
    first = database.connect(engine, write=True)
    first.execute(select(1))

    def second_writer():
        with database.connect(engine, write=True) as conn:
            conn.execute(select(1))
            order.append("second began")

    thread = threading.Thread(target=second_writer)
    thread.start()
    thread.join(0.3)
    order.append("first checks in")
    first.close()
    thread.join()
    assert order == ["first checks in", "second began"]


def test_a_thread_that_waits_too_long_goes_on_without_the_queue(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite_writers, "BUSY_TIMEOUT", 0.01)
    queue = sqlite_writers.WriterQueue(str(tmp_path / "db"))
    holder, waiter = {}, {}
    queue.take_turn(holder)
    queue.take_turn(waiter)
    assert waiter == {}  # no turn: SQLite's busy handling decides
    queue.give_turn_back(waiter)  # without a turn, a no-op
    assert not queue_is_free(queue.lock_path)
    queue.give_turn_back(holder)
    assert queue_is_free(queue.lock_path)
    queue.take_turn(waiter)
    assert waiter and not queue_is_free(queue.lock_path)
    queue.give_turn_back(waiter)
