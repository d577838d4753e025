"""Explicit ids (core/storage/ids.py), on SQLite and PostgreSQL: next_id is above every id ever
given, even after the largest row was deleted, and advance_ids lets the database go on above
explicit ids."""

from datetime import UTC, datetime

from sqlalchemy import delete, insert, select

from comments_service.core.storage.ids import advance_ids, lock_tables, next_id
from comments_service.core.storage.tables import comments, threads

ROW = {"state": "approved", "author": "A", "text": "t", "html": "<p>t</p>",
       "created": datetime(2024, 1, 1, tzinfo=UTC)}


def test_next_id_is_above_every_id_ever_given_and_advance_ids_goes_on_from_explicit_ones(engine):
    with engine.begin() as conn:
        lock_tables(conn, threads, comments)
        thread = conn.execute(insert(threads).values(slug="a").returning(threads.c.id)).scalar_one()
        assert next_id(conn, comments) == 1
        given = [conn.execute(insert(comments).values(thread_id=thread, **ROW)
                              .returning(comments.c.id)).scalar_one() for _ in range(3)]
        conn.execute(delete(comments).where(comments.c.id == given[-1]))
        assert next_id(conn, comments) == given[-1] + 1  # the deleted id is not given again
        conn.execute(insert(comments).values(id=10, thread_id=thread, **ROW))
        advance_ids(conn, comments)
        posted = conn.execute(insert(comments).values(thread_id=thread, **ROW)
                              .returning(comments.c.id)).scalar_one()
        assert posted == 11
        assert conn.execute(select(comments.c.id).order_by(comments.c.id)).scalars().all() == [
            1, 2, 10, 11]
