"""Writing an import beside what the database holds (importers/store.py), on each backend: new
ids above every id ever given, threads shared with posted comments, each source id recorded so
a second import of the same file writes nothing and a newer export adds only what is new; a
comment deleted here is not brought back; a dry run writes nothing; a row the database refuses
is named by its source's name."""

import sqlite3

from sqlalchemy import select, text

from comments_service.core.storage import database
from comments_service.core.storage.comments import delete_comment
from comments_service.core.storage.tables import comments, reply_subscriptions, threads
from comments_service.db import engine as app_engine

from ..conftest import CommentsAPI
from .sources import T0, exported, imported, isso_database, outline, run_import


def _isso_with_new_comments(path, *rows):
    """The Isso database at `path` after more comments were posted on the old site."""
    with sqlite3.connect(path) as isso:
        isso.executemany("INSERT INTO comments (tid, id, parent, created, modified, mode, "
                         "remote_addr, text, author, email, website, voters) VALUES "
                         "(?, ?, ?, ?, NULL, 1, '192.0.2.0', ?, ?, NULL, NULL, x'00')", rows)
    isso.close()


def _thread_versions(app) -> dict[str, int]:
    with app.app_context(), app_engine().connect() as conn:
        return dict(conn.execute(select(threads.c.slug, threads.c.version)).all())


def test_an_import_goes_beside_posted_comments_with_ids_never_given_before(app, tmp_path):
    api = CommentsAPI(app.test_client())
    kept = api.comment("first-article")["comment"]["id"]
    gone = api.comment("first-article")
    api.delete(gone["comment"]["id"], gone["edit_token"])  # its id must not come back
    before = _thread_versions(app)
    result = run_import(app, "isso", isso_database(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Imported 2 threads and 5 comments." in result.stdout
    document = exported(app)
    assert [c["id"] for c in document["comments"]] == [kept, 3, 4, 5, 6, 7]
    assert outline(document)[1:3] == [(3, "first-article", None, "approved", False, "Ann"),
                                      (4, "first-article", 3, "pending", False, "Anonymous")]
    assert _thread_versions(app)["first-article"] > before["first-article"]  # caches see it
    assert api.comment("first-article")["comment"]["id"] == 8


def test_importing_the_same_file_twice_writes_nothing_the_second_time(app, tmp_path):
    source = isso_database(tmp_path)
    first = imported(app, "isso", source)
    result = run_import(app, "isso", source)
    assert result.exit_code == 0, result.output
    assert "Nothing to import: 5 comments of isso.db were imported before." in result.stdout
    assert exported(app) == first


def test_a_newer_export_adds_only_its_new_comments_replies_attached(app, tmp_path):
    source = isso_database(tmp_path)
    imported(app, "isso", source)
    _isso_with_new_comments(source, (1, 7, 1, T0 + 20000, "A late reply to Ann", "Dee"),
                            (2, 8, None, T0 + 20001, "A new comment", "Eve"))
    result = run_import(app, "isso", source)
    assert result.exit_code == 0, result.output
    assert ("Imported 2 threads and 2 comments (5 comments were imported before and are left "
            "as they are).") in result.stdout
    assert outline(exported(app))[5:] == [(6, "first-article", 1, "approved", False, "Dee"),
                                          (7, "second-article", None, "approved", False, "Eve")]


def test_a_comment_deleted_here_is_not_brought_back_and_its_new_replies_stand_alone(app, tmp_path):
    source = isso_database(tmp_path)
    imported(app, "isso", source)
    with app.app_context(), database.connect(app_engine(), write=True) as conn, conn.begin():
        delete_comment(conn, 5)  # Cy's, in second-article: no replies, so the row goes
    _isso_with_new_comments(source, (2, 7, 6, T0 + 20000, "Replying to Cy", "Dee"))
    result = run_import(app, "isso", source)
    assert result.exit_code == 0, result.output
    assert "1 repl(ies) to comments deleted here become top-level comments." in result.stderr
    assert [row[0:3] + row[5:] for row in outline(exported(app))][-1] == (
        6, "second-article", None, "Dee")
    assert "Cy" not in [row[5] for row in outline(exported(app))]


def test_a_dry_run_reports_and_writes_nothing(app, tmp_path):
    source = isso_database(tmp_path)
    result = run_import(app, "isso", source, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: would import 2 threads and 5 comments. Nothing was written." in result.stdout
    assert exported(app)["comments"] == [] and exported(app)["threads"] == []
    assert "Imported 2 threads and 5 comments." in run_import(app, "isso", source).stdout


def test_votes_and_reply_subscriptions_are_carried(app, tmp_path):
    source = isso_database(tmp_path)
    with sqlite3.connect(source) as isso:
        isso.execute("UPDATE comments SET likes = 7, dislikes = 2, notification = 1 WHERE id = 1")
        isso.execute("UPDATE comments SET notification = 1 WHERE id = 2")  # no email: nothing
    isso.close()
    imported(app, "isso", source)
    with app.app_context(), app_engine().connect() as conn:
        votes = conn.execute(select(comments.c.id, comments.c.likes, comments.c.dislikes)
                             .order_by(comments.c.id)).all()
        subscriptions = conn.execute(select(reply_subscriptions.c.comment_id,
                                            reply_subscriptions.c.email,
                                            reply_subscriptions.c.confirmed)).all()
    assert [tuple(row) for row in votes][:2] == [(1, 7, 2), (2, 0, 0)]
    assert [tuple(row) for row in subscriptions] == [(1, "ann@example.org", True)]


def test_a_row_the_database_refuses_is_named_by_the_source(app, tmp_path):
    with app.app_context(), database.connect(app_engine(), write=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("CREATE FUNCTION refuse_bo() RETURNS trigger AS $$ BEGIN "
                              "IF NEW.author = 'Bo' THEN RAISE EXCEPTION 'refused by the test'; "
                              "END IF; RETURN NEW; END $$ LANGUAGE plpgsql"))
            conn.execute(text("CREATE TRIGGER refuse_bo BEFORE INSERT ON comments "
                              "FOR EACH ROW EXECUTE FUNCTION refuse_bo()"))
        else:
            conn.execute(text("CREATE TRIGGER refuse_bo BEFORE INSERT ON comments "
                              "WHEN NEW.author = 'Bo' BEGIN SELECT RAISE(ABORT, "
                              "'refused by the test'); END"))
    result = run_import(app, "isso", isso_database(tmp_path))
    assert result.exit_code == 1
    assert "Isso comment 4 could not be stored:" in result.stderr
    assert "refused by the test" in result.stderr
    assert exported(app)["comments"] == []



def test_two_imports_of_one_source_at_once_add_each_comment_once(app, tmp_path, monkeypatch):
    """The second read its list of imported ids before the first one committed."""
    source = isso_database(tmp_path)
    first = imported(app, "isso", source)
    monkeypatch.setattr("comments_service.transfer.cli.imported_ids", lambda conn, source: {})
    result = run_import(app, "isso", source)
    assert result.exit_code == 1
    assert "another import of this isso source wrote some of these comments" in result.stderr
    assert exported(app) == first
