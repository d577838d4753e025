"""The build reads every thread's published comments in one query, and never creates a database."""

import pytest
from sqlalchemy import Engine, event

from comments_service.core.comment import APPROVED, PENDING
from comments_service.core.storage import comments as stored
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


def test_a_build_without_a_database_does_not_import_sqlalchemy(tmp_path):
    """Importing SQLAlchemy is a twentieth of a bare build: not paid when there is nothing to read."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = ("import sys; from plugins.comments import load_comments; "
            f"assert load_comments('sqlite:///{tmp_path / 'none.sqlite3'}') == {{}}; "
            "print('sqlalchemy' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(("name", "written"), [
    ("comments.sqlite3", "comments.sqlite3?timeout=5"),  # a query string is SQLAlchemy's to read
    ("comments.sqlite3", "comments.sqlite3"),
    ("my comments.sqlite3", "my%20comments.sqlite3"),  # SQLAlchemy decodes %-escapes in the path
])
def test_an_existing_file_is_read_however_its_url_is_written(tmp_path, name, written):
    """Only a plain URL of a missing file skips SQLAlchemy: a database it would open is read."""
    path = tmp_path / name
    engine = database.engine_from_url(f"sqlite:///{path}")
    try:
        database.upgrade_schema(engine)
        with database.connect(engine, write=True) as conn:
            stored.create_comment(conn, slug="first-article", parent=None, author="Ann", email=None,
                                  website=None, text="Hi", html="<p>Hi</p>", ip_hash="x",
                                  state=APPROVED)
            conn.commit()
    finally:
        engine.dispose()
    url = f"sqlite:///{tmp_path / written}"
    assert [c.author for c in load_comments(url)["first-article"]] == ["Ann"]
