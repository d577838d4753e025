"""The build reads every thread's published comments in one query, and never creates a database."""

from sqlalchemy import Engine, event

from comments_service.core.comment import PENDING
from comments_service.core.storage import database
from plugins.comments import load_comments


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
