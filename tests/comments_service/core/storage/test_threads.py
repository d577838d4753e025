"""Thread rows: the moderator lock and the version (core/storage/threads.py)."""


from comments_service.core.storage import comments as stored
from comments_service.core.storage import threads as thread_store
from tests.comments_service.conftest import run


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
