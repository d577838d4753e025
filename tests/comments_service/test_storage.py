"""Storage layer, on SQLite and (with COMMENTS_TEST_POSTGRES_URL) on PostgreSQL."""

import sqlite3

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, event, select

from comments_service.core.comment import APPROVED, DELETED_AUTHOR, PENDING, PUBLIC_FIELDS, REJECTED, public_view
from comments_service.core.privacy import hash_ip
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from comments_service.core.storage import threads as thread_store
from plugins.comments import load_comments

from .conftest import postgres_schema_url


@pytest.fixture
def add(engine):
    """Insert a comment; returns its id."""

    def _add(slug="first-article", *, parent=None, state=APPROVED, email=None, text="Hello there"):
        with database.connect(engine, write=True) as conn:
            row = stored.create_comment(
                conn, slug=slug, parent=parent, author="Ann", email=email,
                website="https://ann.example", text=text, html=f"<p>{text}</p>",
                ip_hash=hash_ip("salt", "192.0.2.1"), state=state)
            conn.commit()
        return row.id

    return _add


def run(engine, function, *args, **kwargs):
    """Call a Connection-taking storage function in its own committed write transaction."""
    with database.connect(engine, write=True) as conn:
        result = function(conn, *args, **kwargs)
        conn.commit()
    return result


def test_upgrade_schema_is_idempotent(engine):
    database.upgrade_schema(engine)
    assert database.schema_exists(engine)


def test_public_comment_carries_only_the_allowed_fields(engine, add):
    comment_id = add(email="ann@example.org")
    [stored_comment] = run(engine, stored.thread_page, "first-article").comments
    assert stored_comment.email is None and stored_comment.text is None  # never read for readers
    comment = public_view(stored_comment)
    assert tuple(comment) == PUBLIC_FIELDS
    assert comment["id"] == comment_id and comment["author"] == "Ann"
    assert comment["created"].endswith("Z") and comment["edited"] is None
    assert "ann@example.org" not in repr(comment) and "192.0.2.1" not in repr(comment)


def test_ip_is_stored_as_a_salted_hash():
    digest = hash_ip("salt", "192.0.2.1")
    assert "192.0.2.1" not in digest and len(digest) == 64
    assert digest != hash_ip("other salt", "192.0.2.1")
    assert hash_ip("salt", None) is None


def test_thread_page_in_order_since_and_only_approved(engine, add):
    first = add()
    add(state=PENDING)
    rejected = add()
    run(engine, stored.reject_comment, rejected)
    third = add()
    add("second-article")
    assert [c.id for c in run(engine, stored.thread_page, "first-article").comments] == [first, third]
    assert [c.id for c in run(engine, stored.thread_page, "first-article", since=first).comments] == [third]


def test_thread_page_counts_the_whole_thread_and_says_if_it_is_locked(engine, add):
    assert run(engine, stored.thread_page, "never-commented") == stored.ThreadPage(False, 0, [])
    first = add()
    add(state=PENDING)
    second = add(parent=first)
    run(engine, stored.delete_comment, first)  # a placeholder: shown, not counted
    newest = add()
    page = run(engine, stored.thread_page, "first-article", since=second)
    assert (page.locked, page.count, [c.id for c in page.comments]) == (False, 2, [newest])
    run(engine, thread_store.set_thread_locked, "first-article", True)
    page = run(engine, stored.thread_page, "first-article", since=newest)
    assert (page.locked, page.count, page.comments) == (True, 2, [])
    assert run(engine, stored.thread_page, "second-article").count == 0


def test_approve_publishes_a_held_comment(engine, add):
    held = add(state=PENDING, email="new@example.org")
    assert not run(engine, stored.has_approved_comment_from, "new@example.org")
    assert run(engine, stored.approve_comment, held)
    assert [c.id for c in run(engine, stored.thread_page, "first-article").comments] == [held]
    assert run(engine, stored.has_approved_comment_from, "new@example.org")
    assert not run(engine, stored.approve_comment, held + 100)


def test_counts_cover_every_asked_slug(engine, add):
    add(), add(), add("second-article"), add(state=PENDING)
    counts = run(engine, stored.approved_counts, ["first-article", "second-article", "nothing"])
    assert counts == {"first-article": 2, "second-article": 1, "nothing": 0}


def test_delete_with_replies_leaves_a_placeholder(engine, add):
    parent = add(email="ann@example.org")
    reply = add(parent=parent)
    placeholder = run(engine, stored.delete_comment, parent)
    assert placeholder.deleted and placeholder.author == DELETED_AUTHOR and placeholder.html == ""
    assert placeholder.website is None and placeholder.email is None
    shown = run(engine, stored.thread_page, "first-article").comments
    assert [(c.id, c.parent) for c in shown] == [(parent, None), (reply, parent)]
    assert not run(engine, stored.has_approved_comment_from, "ann@example.org")
    assert run(engine, stored.approved_counts, ["first-article"]) == {"first-article": 1}


def test_delete_without_replies_removes_it_and_orphaned_placeholders(engine, add):
    grandparent = add()
    parent = add(parent=grandparent)
    reply = add(parent=parent)
    keep = add()
    run(engine, stored.delete_comment, grandparent)
    run(engine, stored.delete_comment, parent)
    assert run(engine, stored.delete_comment, reply) is None
    assert [c.id for c in run(engine, stored.thread_page, "first-article").comments] == [keep]


def test_edit_changes_text_and_sets_edited(engine, add):
    comment_id = add()
    row = run(engine, stored.edit_comment, comment_id, text="New words", html="<p>New words</p>")
    assert row.html == "<p>New words</p>" and row.edited is not None


def test_parent_must_be_published_in_the_same_thread(engine, add):
    parent = add()
    held = add(state=PENDING)
    assert run(engine, stored.parent_accepts_replies, parent, "first-article")
    assert not run(engine, stored.parent_accepts_replies, parent, "second-article")
    assert not run(engine, stored.parent_accepts_replies, held, "first-article")
    assert not run(engine, stored.parent_accepts_replies, parent + 100, "first-article")


def test_thread_lock(engine, add):
    assert not run(engine, thread_store.thread_is_locked, "first-article")
    run(engine, thread_store.set_thread_locked, "first-article", True)
    assert run(engine, thread_store.thread_is_locked, "first-article")
    run(engine, thread_store.set_thread_locked, "first-article", False)
    assert not run(engine, thread_store.thread_is_locked, "first-article")


def test_latest_comments_newest_first_per_thread_or_site(engine, add):
    a, b, c = add(), add("second-article"), add()
    assert [row.id for row in run(engine, stored.latest_comments, 10)] == [c, b, a]
    assert [row.id for row in run(engine, stored.latest_comments, 1, "first-article")] == [c]


def test_build_reads_every_thread_in_one_query(engine, add):
    a1, b1, a2 = add(), add("second-article"), add()
    add(state=PENDING)
    statements = []
    def record(*args):
        statements.append(args[2])

    event.listen(Engine, "before_cursor_execute", record)  # the build makes its own engine
    try:
        by_thread = load_comments(engine.url.render_as_string(hide_password=False))
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert [c.id for c in by_thread["first-article"]] == [a1, a2]
    assert [c.id for c in by_thread["second-article"]] == [b1]
    comment_queries = [s for s in statements if "FROM comments" in s]
    assert len(comment_queries) == 1


def test_build_reads_an_empty_schema_as_no_comments(any_database_url):
    engine = database.engine_from_url(any_database_url)
    try:
        assert load_comments(any_database_url) == {}
    finally:
        engine.dispose()


def test_build_does_not_create_a_missing_sqlite_file(tmp_path):
    path = tmp_path / "instance" / "comments.sqlite3"
    assert load_comments(f"sqlite:///{path}") == {}
    assert not path.exists()


def test_rejected_state_hides_but_keeps_the_comment(engine, add):
    comment_id = add()
    run(engine, stored.reject_comment, comment_id)
    assert run(engine, stored.get_comment, comment_id).state == REJECTED
    assert run(engine, stored.thread_page, "first-article").comments == []


@pytest.mark.postgres
def test_reads_on_postgresql_send_no_begin():
    """A read connection runs in autocommit on PostgreSQL (no BEGIN/ROLLBACK round trips);
    writes keep their transaction."""
    with postgres_schema_url() as url:
        engine = database.engine_from_url(url)
        try:
            with database.connect(engine) as conn:
                assert conn.execute(select(1)).scalar_one() == 1
                assert conn.connection.dbapi_connection.info.transaction_status == TransactionStatus.IDLE
            with database.connect(engine, write=True) as conn:
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
    database.enable_wal(connection)
    assert connection.calls == 4


def test_wal_switch_gives_up_and_other_errors_are_raised_at_once():
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        database.enable_wal(BusyThenFine(busy=10**6))
    unreadable = BusyThenFine(busy=1, message="file is not a database")
    with pytest.raises(sqlite3.OperationalError, match="not a database"):
        database.enable_wal(unreadable)
    assert unreadable.calls == 1

