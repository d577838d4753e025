"""The database-written JSON of a thread page (core/storage/thread_json.py) says exactly what
public_view says of each comment, on SQLite and PostgreSQL: placeholders (with and without a
public reason to escape), picks, edits, replies, references, websites, quotes and non-ASCII."""

import json

from comments_service.core.comment import public_view
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from comments_service.core.storage.thread_json import thread_json
from comments_service.core.storage.threads import set_thread_locked
from tests.comments_service.conftest import run


def test_every_kind_of_comment_reads_as_public_view_says(engine, add):
    first = add(text="Plain")
    reply = add(parent=first, text='Quotes " and \' and <b>tags</b> & ünïcödé ✓')
    add(text="Held", state="pending")
    removed = add(text="Removed with a reason")
    kept = add(parent=removed, text="Keeps its parent as a placeholder")
    quiet = add(text="Deleted by its author")
    add(parent=quiet, text="A reply to a deleted one")
    picked = add(text="An editor's pick")
    edited = add(text="Edited later")
    with database.connect(engine, write=True) as conn:
        stored.delete_comment(conn, removed, public_reason='Spam <script>"x" & \'y\'</script>')
        stored.delete_comment(conn, quiet)
        stored.set_picked(conn, picked, True, "Worth <reading> & more")
        stored.set_picked(conn, kept, True, "Picked, then its parent went")
        stored.edit_comment(conn, edited, text="Edited", html="<p>Edited</p>")
        conn.execute(stored.comments.update().where(stored.comments.c.id == reply)
                     .values(website="https://ann.example/ü", about_reference=2, about_paragraph=3,
                             likes=4, dislikes=1, kind="comment"))
        conn.commit()
    with database.connect(engine) as conn:
        expected = stored.thread_page(conn, "first-article")
        got = thread_json(conn, "first-article")
        since = thread_json(conn, "first-article", since=reply)
    assert [json.loads(text) for text in got.comments] == [public_view(c) for c in expected.comments]
    assert (got.locked, got.count) == (expected.locked, expected.count) == (False, 6)
    newer = [c.id for c in expected.comments if c.id > reply]
    assert [json.loads(text)["id"] for text in since.comments] == newer


def test_a_thread_without_comments_and_an_unknown_one(engine, add):
    add(text="Held", state="pending")
    run(engine, set_thread_locked, "first-article", True)
    with database.connect(engine) as conn:
        assert thread_json(conn, "first-article") == (True, 0, [])
        assert thread_json(conn, "never-commented") == (False, 0, [])
