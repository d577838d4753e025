"""The record of imported comments (core/storage/imported.py), on SQLite and PostgreSQL."""

from datetime import UTC, datetime

from sqlalchemy import insert, select

from comments_service.core.storage.comments import delete_comment
from comments_service.core.storage.imported import imported_ids, remember_imported
from comments_service.core.storage.tables import comments, threads


def _comment(conn, thread_id: int) -> int:
    return conn.execute(insert(comments).values(
        thread_id=thread_id, state="approved", author="A", text="t", html="<p>t</p>",
        created=datetime(2024, 1, 1, tzinfo=UTC)).returning(comments.c.id)).scalar_one()


def test_remembered_ids_are_read_back_per_source(engine):
    with engine.begin() as conn:
        thread = conn.execute(insert(threads).values(slug="a").returning(threads.c.id)).scalar_one()
        kept = _comment(conn, thread)
        remember_imported(conn, "disqus", [("17", kept), ("18", None)])
        remember_imported(conn, "isso", [("17", None)])
        assert imported_ids(conn, "disqus") == {"17": kept, "18": None}
        assert imported_ids(conn, "isso") == {"17": None}
        assert imported_ids(conn, "wordpress") == {}


def test_deleting_the_comment_keeps_the_record_without_its_id(engine):
    """The next import must see the source id as imported, or it would bring the comment back."""
    with engine.begin() as conn:
        thread = conn.execute(insert(threads).values(slug="a").returning(threads.c.id)).scalar_one()
        kept = _comment(conn, thread)
        remember_imported(conn, "disqus", [("17", kept)])
        delete_comment(conn, kept)
        assert conn.execute(select(comments.c.id)).all() == []
        assert imported_ids(conn, "disqus") == {"17": None}


def test_new_comments_start_with_no_votes(engine):
    with engine.begin() as conn:
        thread = conn.execute(insert(threads).values(slug="a").returning(threads.c.id)).scalar_one()
        kept = _comment(conn, thread)
        row = conn.execute(select(comments.c.likes, comments.c.dislikes)
                           .where(comments.c.id == kept)).one()
        assert (row.likes, row.dislikes) == (0, 0)
