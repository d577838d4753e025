"""The database-concatenated JSON of a thread page (core/storage/thread_json.py) says exactly what
public_view says of each comment, on SQLite and PostgreSQL: placeholders (with and without a
public reason to escape), picks, edits, replies, references, websites, quotes and non-ASCII; after
every kind of write (the stored texts are kept by triggers, public_json.py), imports and
restores included; in display order."""

import functools
import json

import pytest

from comments_service.core.comment import public_view
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database, votes
from comments_service.core.storage.thread_json import thread_json
from comments_service.core.storage.threads import set_thread_locked
from comments_service.db import engine as app_engine
from tests.comments_service.conftest import run
from tests.comments_service.importers.sources import isso_database, run_import
from tests.comments_service.transfer.documents import DOCUMENT, import_file


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
    assert json.loads(f"[{got.comments.decode()}]") == [public_view(c) for c in expected.comments]
    assert (got.locked, got.count) == (expected.locked, expected.count) == (False, 6)
    newer = [c.id for c in expected.comments if c.id > reply]
    assert [item["id"] for item in json.loads(f"[{since.comments.decode()}]")] == newer
    assert (since.locked, since.count) == (False, 6)  # the count is the thread's, whatever `since`


def test_a_thread_without_comments_and_an_unknown_one(engine, add):
    add(text="Held", state="pending")
    run(engine, set_thread_locked, "first-article", True)
    with database.connect(engine) as conn:
        assert thread_json(conn, "first-article") == (True, 0, b"")
        assert thread_json(conn, "never-commented") == (False, 0, b"")


@pytest.fixture
def database_url(any_database_url):
    """The app-level tests below run on both backends too."""
    return any_database_url


def _miss_matches_public_view(engine, slug="first-article"):
    """The miss body's comments, lock and count are public_view's, for every shown comment."""
    with database.connect(engine) as conn:
        expected = stored.thread_page(conn, slug)
        got = thread_json(conn, slug)
    assert json.loads(f"[{got.comments.decode()}]") == [public_view(c) for c in expected.comments]
    assert (got.locked, got.count) == (expected.locked, expected.count)
    return got


def test_after_every_kind_of_write_the_miss_is_public_view(engine, add):
    """Every write path of the storage layer, one after another, each followed by the check."""
    check = functools.partial(_miss_matches_public_view, engine)
    first = add(text="Posted")
    check()
    reply = add(parent=first, text="A reply")
    lone = add(text="No replies")
    check()
    run(engine, stored.edit_comment, reply, text="Edited", html="<p>Edited &amp; more</p>")
    check()
    run(engine, stored.propose_edit, first, text="Proposed", html="<p>Proposed</p>")
    check()
    run(engine, stored.apply_pending_edit, first)
    check()
    run(engine, stored.delete_comment, lone)  # no replies: gone
    check()
    run(engine, stored.delete_comment, first)  # has a reply: a placeholder
    check()
    removed = add(text="Spam")
    run(engine, stored.delete_comment, removed, public_reason='Spam <a href="x">&</a> \'here\'')
    check()
    held = add(text="Held", state="pending")
    check()
    run(engine, stored.approve_comment, held)
    check()
    run(engine, stored.set_picked, held, True, "A <good> one")
    check()
    run(engine, stored.set_picked, reply, True, "Its parent is a placeholder")
    check()
    run(engine, stored.set_picked, held, False)
    check()
    run(engine, votes.cast_vote, reply, voter="r1", ip_hash=None, value=votes.UP)
    run(engine, votes.cast_vote, held, voter="r2", ip_hash=None, value=votes.DOWN)
    check()
    run(engine, votes.cast_vote, reply, voter="r1", ip_hash=None, value=votes.NONE)
    check()
    run(engine, stored.reject_comment, held)
    check()
    run(engine, set_thread_locked, "first-article", True)
    assert check().locked


def test_imported_comments_read_as_public_view(app, tmp_path):
    """The Isso importer (bulk staging) writes rows without the storage layer's functions (and
    the export restore below)."""
    result = run_import(app, "isso", isso_database(tmp_path))
    assert result.exit_code == 0, result.output
    with app.app_context():
        engine = app_engine()
    for slug in ("first-article", "second-article"):
        assert _miss_matches_public_view(engine, slug).comments


def test_restored_comments_read_as_public_view(app, tmp_path):
    result = import_file(app, DOCUMENT, tmp_path / "import.json")
    assert result.exit_code == 0, result.output
    with app.app_context():
        engine = app_engine()
    for slug in ("first-article", "second-article"):
        _miss_matches_public_view(engine, slug)
    assert _miss_matches_public_view(engine, "second-article").locked


def test_a_long_thread_comes_in_id_order(engine, add):
    """SQLite's group_concat keeps the ordered subquery's order (PostgreSQL: ORDER BY in the
    aggregate), replies and all."""
    parents = [add(text=f"Top {n}") for n in range(20)]
    for n, parent in enumerate(reversed(parents)):
        add(parent=parent, text=f"Reply {n}")
    got = _miss_matches_public_view(engine)
    ids = [item["id"] for item in json.loads(f"[{got.comments.decode()}]")]
    assert ids == sorted(ids) and len(ids) == 40
