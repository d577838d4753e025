"""Thread rows: the moderator lock and the version (core/storage/threads.py)."""

import pytest

from comments_service.core.comment import APPROVED
from comments_service.core.privacy import hash_ip
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from comments_service.core.storage import threads as thread_store


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
