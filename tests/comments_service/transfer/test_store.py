"""Writing an import (transfer/store.py): imported ids stay and the next posted comment or log
entry gets a fresh one; a database that already holds anything an import writes is refused, and
a write the database refuses halfway leaves it untouched (one transaction), on each backend."""

import pytest
from sqlalchemy import text

from comments_service.core import moderation
from comments_service.core.storage import database
from comments_service.core.storage.subscriptions import subscribe, subscription_of
from comments_service.core.storage.tables import (confirmed_addresses, imported_comments,
                                                  moderation_log)
from comments_service.core.times import utcnow
from comments_service.db import engine as app_engine
from comments_service.transfer import store
from tests.test_layers import WEB_STACK, loaded_after_import

from ..conftest import CommentsAPI
from .documents import DOCUMENT, export, import_file, run, stored_counts


def test_imported_threads_read_the_same_and_take_new_comments(source_app, app, tmp_path):
    export(source_app, tmp_path / "source.json")
    assert run(app, "import", tmp_path / "source.json").exit_code == 0
    source_api, target_api = CommentsAPI(source_app.test_client()), CommentsAPI(app.test_client())
    assert target_api.thread("first-article") == source_api.thread("first-article")
    assert target_api.comment("first-article")["comment"]["id"] == 7  # the id sequence moved on


def test_import_refuses_a_database_that_holds_comments(source_app, tmp_path):
    before = stored_counts(source_app)
    result = import_file(source_app, DOCUMENT, tmp_path / "import.json")
    assert result.exit_code == 1
    assert ("already holds 3 threads, 5 comments, 3 moderation log entries, 2 import keys, 2 reply "
            "subscriptions and 1 confirmed address: import only into a fresh, empty database"
            ) in result.stderr
    assert stored_counts(source_app) == before


@pytest.mark.parametrize("table, row", [
    (moderation_log, {"id": 1, "at": utcnow(), "actor": "ann", "action": "lock"}),
    (imported_comments, {"source": "isso", "source_id": "1", "comment_id": None}),
    (confirmed_addresses, {"email": "ada@example.org", "confirmed": utcnow()}),
], ids=["moderation-log", "import-keys", "confirmed-addresses"])
def test_import_refuses_a_database_that_holds_anything_it_would_write(app, tmp_path, table, row):
    """Kept ids and keys could collide with any row of any table the import writes."""
    with app.app_context(), database.connect(app_engine(), write=True) as conn, conn.begin():
        conn.execute(table.insert().values(**row))
    result = import_file(app, DOCUMENT, tmp_path / "import.json")
    assert result.exit_code == 1
    assert "already holds 0 threads, 0 comments and 1 " in result.stderr
    assert stored_counts(app)[:2] == (0, 0)


def test_imported_ids_are_never_given_again(app, tmp_path):
    """After an import with explicit ids (comments up to 8, log entries up to 9, subscriptions
    up to 6), new rows get higher ids: PostgreSQL's sequences were moved on, and SQLite's
    AUTOINCREMENT counter of comments (sqlite_sequence) holds the largest imported id, so even a
    deleted last comment's id is not given again."""
    assert import_file(app, DOCUMENT, tmp_path / "import.json").exit_code == 0
    with app.app_context(), database.connect(app_engine(), write=True) as conn, conn.begin():
        if conn.dialect.name == "sqlite":
            assert conn.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'comments'")
                                ).scalar_one() == 8
        subscribe(conn, 7, "bo@example.org")
        assert subscription_of(conn, 7).id == 7
        moderation.moderate(conn, "ann", moderation.DELETE, [8])  # no replies: the row goes
    api = CommentsAPI(app.test_client())
    assert api.comment("first-article")["comment"]["id"] == 9
    log = export(app, tmp_path / "after.json")["moderation_log"]
    assert [(entry["id"], entry["action"], entry["comment"]) for entry in log[-1:]] == [
        (10, "delete", 8)]


@pytest.mark.parametrize("table, refused, named", [
    ("comments", "NEW.id = 8", "comments with ids 8–8"),
    ("imported_comments", "NEW.source = 'isso'", "import keys with keys ('isso', '7')–('isso', '7')"),
], ids=["last-comment", "last-import-key"])
def test_a_write_failing_halfway_leaves_the_database_untouched(make_app, tmp_path, monkeypatch,
                                                               table, refused, named):
    """The database itself refuses the last comment after earlier batches were written, or the
    last import key, written after every comment and log entry."""
    target = make_app(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    with target.app_context(), database.connect(app_engine(), write=True) as conn, conn.begin():
        conn.execute(text(f"CREATE TRIGGER refuse BEFORE INSERT ON {table} WHEN {refused} "
                          "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"))
    monkeypatch.setattr(store, "_CHUNK_SIZE", 1)
    result = import_file(target, DOCUMENT, tmp_path / "import.json")
    assert result.exit_code == 1
    assert f"{named} could not be stored: refused by the test" in result.stderr
    assert not any(stored_counts(target))


def test_writing_an_import_loads_no_web_stack():
    assert not loaded_after_import("comments_service.transfer.store") & set(WEB_STACK)
