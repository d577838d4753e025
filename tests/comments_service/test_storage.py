"""Storage layer, on SQLite and (with COMMENTS_TEST_POSTGRES_URL) on PostgreSQL."""

import sqlite3

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import event, select

from comments_service import storage
from comments_service.models import APPROVED, PENDING, REJECTED

from .conftest import postgres_schema_url


@pytest.fixture
def add(engine):
    """Insert a comment; returns its id."""

    def _add(slug="first-article", *, parent=None, state=APPROVED, email=None, text="Hello there"):
        with storage.connect(engine, write=True) as conn:
            row = storage.create_comment(
                conn, slug=slug, parent=parent, author="Ann", email=email,
                website="https://ann.example", text=text, html=f"<p>{text}</p>",
                ip_hash=storage.hash_ip("salt", "192.0.2.1"), state=state)
            conn.commit()
        return row.id

    return _add


def run(engine, function, *args, **kwargs):
    """Call a Connection-taking storage function in its own committed write transaction."""
    with storage.connect(engine, write=True) as conn:
        result = function(conn, *args, **kwargs)
        conn.commit()
    return result


def test_upgrade_schema_is_idempotent(engine):
    storage.upgrade_schema(engine)
    assert storage.schema_exists(engine)


def test_public_comment_carries_only_the_allowed_fields(engine, add):
    comment_id = add(email="ann@example.org")
    [comment] = run(engine, storage.thread_page, "first-article").comments
    assert tuple(comment) == storage.PUBLIC_FIELDS
    assert comment["id"] == comment_id and comment["author"] == "Ann"
    assert comment["created"].endswith("Z") and comment["edited"] is None
    assert "ann@example.org" not in repr(comment) and "192.0.2.1" not in repr(comment)


def test_ip_is_stored_as_a_salted_hash():
    digest = storage.hash_ip("salt", "192.0.2.1")
    assert "192.0.2.1" not in digest and len(digest) == 64
    assert digest != storage.hash_ip("other salt", "192.0.2.1")
    assert storage.hash_ip("salt", None) is None


def test_thread_page_in_order_since_and_only_approved(engine, add):
    first = add()
    add(state=PENDING)
    rejected = add()
    run(engine, storage.reject_comment, rejected)
    third = add()
    add("second-article")
    assert [c["id"] for c in run(engine, storage.thread_page, "first-article").comments] == [first, third]
    assert [c["id"] for c in run(engine, storage.thread_page, "first-article", since=first).comments] == [third]


def test_thread_page_counts_the_whole_thread_and_says_if_it_is_locked(engine, add):
    assert run(engine, storage.thread_page, "never-commented") == storage.ThreadPage(False, 0, [])
    first = add()
    add(state=PENDING)
    second = add(parent=first)
    run(engine, storage.delete_comment, first)  # a placeholder: shown, not counted
    newest = add()
    page = run(engine, storage.thread_page, "first-article", since=second)
    assert (page.locked, page.count, [c["id"] for c in page.comments]) == (False, 2, [newest])
    run(engine, storage.set_thread_locked, "first-article", True)
    page = run(engine, storage.thread_page, "first-article", since=newest)
    assert (page.locked, page.count, page.comments) == (True, 2, [])
    assert run(engine, storage.thread_page, "second-article").count == 0


def test_approve_publishes_a_held_comment(engine, add):
    held = add(state=PENDING, email="new@example.org")
    assert not run(engine, storage.has_approved_comment_from, "new@example.org")
    assert run(engine, storage.approve_comment, held)
    assert [c["id"] for c in run(engine, storage.thread_page, "first-article").comments] == [held]
    assert run(engine, storage.has_approved_comment_from, "new@example.org")
    assert not run(engine, storage.approve_comment, held + 100)


def test_counts_cover_every_asked_slug(engine, add):
    add(), add(), add("second-article"), add(state=PENDING)
    counts = run(engine, storage.approved_counts, ["first-article", "second-article", "nothing"])
    assert counts == {"first-article": 2, "second-article": 1, "nothing": 0}


def test_delete_with_replies_leaves_a_placeholder(engine, add):
    parent = add(email="ann@example.org")
    reply = add(parent=parent)
    placeholder = run(engine, storage.delete_comment, parent)
    assert placeholder["author"] == storage.DELETED_AUTHOR and placeholder["html"] == ""
    assert placeholder["website"] is None
    shown = run(engine, storage.thread_page, "first-article").comments
    assert [(c["id"], c["parent"]) for c in shown] == [(parent, None), (reply, parent)]
    assert not run(engine, storage.has_approved_comment_from, "ann@example.org")
    assert run(engine, storage.approved_counts, ["first-article"]) == {"first-article": 1}


def test_delete_without_replies_removes_it_and_orphaned_placeholders(engine, add):
    grandparent = add()
    parent = add(parent=grandparent)
    reply = add(parent=parent)
    keep = add()
    run(engine, storage.delete_comment, grandparent)
    run(engine, storage.delete_comment, parent)
    assert run(engine, storage.delete_comment, reply) is None
    assert [c["id"] for c in run(engine, storage.thread_page, "first-article").comments] == [keep]


def test_edit_changes_text_and_sets_edited(engine, add):
    comment_id = add()
    row = run(engine, storage.edit_comment, comment_id, text="New words", html="<p>New words</p>")
    assert row.html == "<p>New words</p>" and row.edited is not None


def test_parent_must_be_published_in_the_same_thread(engine, add):
    parent = add()
    held = add(state=PENDING)
    assert run(engine, storage.parent_accepts_replies, parent, "first-article")
    assert not run(engine, storage.parent_accepts_replies, parent, "second-article")
    assert not run(engine, storage.parent_accepts_replies, held, "first-article")
    assert not run(engine, storage.parent_accepts_replies, parent + 100, "first-article")


def test_thread_lock(engine, add):
    assert not run(engine, storage.thread_is_locked, "first-article")
    run(engine, storage.set_thread_locked, "first-article", True)
    assert run(engine, storage.thread_is_locked, "first-article")
    run(engine, storage.set_thread_locked, "first-article", False)
    assert not run(engine, storage.thread_is_locked, "first-article")


def test_latest_comments_newest_first_per_thread_or_site(engine, add):
    a, b, c = add(), add("second-article"), add()
    assert [row.id for row in run(engine, storage.latest_comments, 10)] == [c, b, a]
    assert [row.id for row in run(engine, storage.latest_comments, 1, "first-article")] == [c]


def test_build_reads_every_thread_in_one_query(engine, add):
    a1, b1, a2 = add(), add("second-article"), add()
    add(state=PENDING)
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    by_thread = storage.approved_comments_by_thread(engine)
    assert [c["id"] for c in by_thread["first-article"]] == [a1, a2]
    assert [c["id"] for c in by_thread["second-article"]] == [b1]
    assert tuple(by_thread["first-article"][0]) == storage.PUBLIC_FIELDS
    comment_queries = [s for s in statements if "FROM comments" in s]
    assert len(comment_queries) == 1


def test_build_reads_an_empty_schema_as_no_comments(any_database_url):
    engine = storage.engine_from_url(any_database_url)
    try:
        assert storage.approved_comments_by_thread(engine) == {}
    finally:
        engine.dispose()


def test_build_does_not_create_a_missing_sqlite_file(tmp_path):
    path = tmp_path / "instance" / "comments.sqlite3"
    engine = storage.engine_from_url(f"sqlite:///{path}")
    assert storage.approved_comments_by_thread(engine) == {}
    assert not path.exists()


def test_rejected_state_hides_but_keeps_the_comment(engine, add):
    comment_id = add()
    run(engine, storage.reject_comment, comment_id)
    assert run(engine, storage.get_comment, comment_id).state == REJECTED
    assert run(engine, storage.thread_page, "first-article").comments == []


@pytest.mark.postgres
def test_reads_on_postgresql_send_no_begin():
    """A read connection runs in autocommit on PostgreSQL (no BEGIN/ROLLBACK round trips);
    writes keep their transaction."""
    with postgres_schema_url() as url:
        engine = storage.engine_from_url(url)
        try:
            with storage.connect(engine) as conn:
                assert conn.execute(select(1)).scalar_one() == 1
                assert conn.connection.dbapi_connection.info.transaction_status == TransactionStatus.IDLE
            with storage.connect(engine, write=True) as conn:
                conn.execute(select(1))
                assert conn.connection.dbapi_connection.info.transaction_status == TransactionStatus.INTRANS
        finally:
            engine.dispose()


class BusyThenFine:
    """A DBAPI connection whose first `busy` journal-mode switches are refused as SQLite refuses
    the loser of two processes switching a new file at once."""

    def __init__(self, busy: int, message: str = "database is locked"):
        self.busy, self.message, self.calls = busy, message, 0

    def execute(self, statement: str):
        self.calls += 1
        if self.calls <= self.busy:
            raise sqlite3.OperationalError(self.message)


def test_wal_switch_retries_while_another_process_switches():
    connection = BusyThenFine(busy=3)
    storage.enable_wal(connection)
    assert connection.calls == 4


def test_wal_switch_gives_up_and_other_errors_are_raised_at_once():
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        storage.enable_wal(BusyThenFine(busy=10**6))
    unreadable = BusyThenFine(busy=1, message="file is not a database")
    with pytest.raises(sqlite3.OperationalError, match="not a database"):
        storage.enable_wal(unreadable)
    assert unreadable.calls == 1

