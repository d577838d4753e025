"""Writing an import (transfer/store.py): imported ids stay and the next posted comment gets a
fresh one; a database that already holds comments is refused, and a write the database refuses
halfway leaves it untouched (one transaction), on each backend."""

from sqlalchemy import text

from comments_service.core.storage import database
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
    assert "already holds 3 threads and 5 comments" in result.stderr
    assert stored_counts(source_app) == before


def test_a_write_failing_halfway_leaves_the_database_untouched(make_app, tmp_path, monkeypatch):
    """The database itself refuses the last comment after earlier batches were written."""
    target = make_app(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    with target.app_context(), database.connect(app_engine(), write=True) as conn, conn.begin():
        conn.execute(text("CREATE TRIGGER refuse_8 BEFORE INSERT ON comments WHEN NEW.id = 8 "
                          "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"))
    monkeypatch.setattr(store, "_CHUNK_SIZE", 1)
    result = import_file(target, DOCUMENT, tmp_path / "import.json")
    assert result.exit_code == 1
    assert "comments with ids 8–8 could not be stored: refused by the test" in result.stderr
    assert stored_counts(target) == (0, 0)


def test_writing_an_import_loads_no_web_stack():
    assert not loaded_after_import("comments_service.transfer.store") & set(WEB_STACK)
