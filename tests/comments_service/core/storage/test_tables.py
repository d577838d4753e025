"""The schema serves the read paths from indexes."""

from sqlalchemy import select

from comments_service.core.comment import APPROVED, PUBLIC_FIELDS
from comments_service.core.storage.tables import comments, threads
from comments_service.db import engine as app_engine


def query_plan(conn, query) -> str:
    compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
    return " ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))


def test_thread_listing_uses_the_thread_state_id_index(app):
    with app.app_context(), app_engine().connect() as conn:
        query = (select(comments.c.id).join_from(comments, threads)
                 .where(threads.c.slug == "a", comments.c.state == APPROVED, comments.c.id > 0)
                 .order_by(comments.c.id))
        assert "ix_comments_thread_id_state_id" in query_plan(conn, query)


def test_site_wide_latest_uses_the_state_id_index(app):
    with app.app_context(), app_engine().connect() as conn:
        query = select(comments.c.id).where(comments.c.state == APPROVED).order_by(comments.c.id.desc())
        assert "ix_comments_state_id" in query_plan(conn, query)


def test_public_fields_are_columns_of_the_table():
    assert {"id", "parent_id", "author", "website", "html", "created", "edited"} <= set(comments.c.keys())
    assert set(PUBLIC_FIELDS) == {"id", "parent", "author", "website", "html", "created", "edited",
                                  "likes", "dislikes", "picked", "pick_note", "kind",
                                  "about_reference", "about_paragraph"}
    assert {"likes", "dislikes", "picked", "pick_note", "kind", "about_reference",
            "about_paragraph"} <= set(comments.c.keys())
