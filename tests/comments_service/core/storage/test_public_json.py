"""comments.public_json, kept by the database's triggers (core/storage/public_json.py), on SQLite
and PostgreSQL: the triggers in a migrated database are the ones the module compiles today (a
change of the public shape without a migration fails here), a write of ANY column the public
view reads refreshes the stored text whoever writes it (raw SQL here, no storage function), and
migration 0011 fills the rows that were there before it."""

import json

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select, text, update

from comments_service.core.comment import public_view
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database, public_json
from comments_service.core.storage.tables import comments
from tests.comments_service.conftest import run, sqlite_url


def _stored(engine, comment_id: int) -> dict:
    with database.connect(engine) as conn:
        return json.loads(conn.execute(select(comments.c.public_json)
                                       .where(comments.c.id == comment_id)).scalar_one())


def _expected(engine, comment_id: int) -> dict:
    return public_view(run(engine, stored.get_comment, comment_id))


def test_the_database_holds_the_triggers_this_code_compiles(engine):
    with database.connect(engine) as conn:
        assert public_json.triggers_in_database(conn) == public_json.expected_triggers(conn.dialect)


def test_the_update_trigger_watches_every_column_the_public_view_reads():
    """SQLite's trigger fires on an UPDATE OF the listed columns only: the list is what
    public_object reads, and public_view reads no other comment field."""
    assert set(public_json.read_columns()) == {
        "id", "parent_id", "deleted", "author", "website", "html", "created", "edited",
        "moderation_reason", "likes", "dislikes", "picked", "pick_note", "kind", "about_reference",
        "about_paragraph"}


@pytest.mark.parametrize(("column", "value"), [
    ("author", "Bea <b>"), ("website", "https://bea.example/ü"), ("html", "<p>Changed \"here\"</p>"),
    ("created", "2025-02-03 04:05:06.789000"), ("edited", "2026-03-04 05:06:07.000000"),
    ("likes", 7), ("dislikes", 3), ("kind", "correction"), ("about_reference", 2),
    ("about_paragraph", 5), ("pick_note", "A note & more"), ("picked", False), ("deleted", True),
    ("moderation_reason", "Off <topic> & 'rude'"),
])
def test_a_raw_update_of_any_public_column_refreshes_the_stored_json(engine, add, column, value):
    first = add(text="Parent")
    comment_id = add(parent=first, text="Original")
    run(engine, stored.set_picked, comment_id, True, "Picked")
    if column == "moderation_reason":  # shown only on a deleted comment
        run(engine, lambda conn: conn.execute(update(comments).where(comments.c.id == comment_id)
                                              .values(deleted=True)))
    if column in ("created", "edited") and engine.dialect.name == "postgresql":
        value = value.replace(" ", "T") + "+00:00"
    before = _stored(engine, comment_id)
    with database.connect(engine, write=True) as conn:
        conn.execute(text(f"UPDATE comments SET {column} = :value WHERE id = :id"),
                     {"value": value, "id": comment_id})
        conn.commit()
    assert _stored(engine, comment_id) == _expected(engine, comment_id) != before


def test_a_raw_insert_gets_its_stored_json(engine, add):
    first = add(text="Parent")
    with database.connect(engine, write=True) as conn:
        thread_id = conn.execute(select(comments.c.thread_id).where(comments.c.id == first)).scalar_one()
        conn.execute(comments.insert().values(
            id=first + 10, thread_id=thread_id, parent_id=first, state="approved", author="Raw",
            text="t", html="<p>t</p>", created=stored.utcnow(), public_json='{"forged": true}'))
        conn.commit()
    assert _stored(engine, first + 10) == _expected(engine, first + 10)


def test_migration_0011_fills_the_comments_already_stored(tmp_path):
    url = sqlite_url(tmp_path)
    engine = database.engine_from_url(url)
    config = Config(str(database.ALEMBIC_INI))
    try:
        with database.connect(engine, write=True) as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0010")
            conn.exec_driver_sql("INSERT INTO threads (id, slug, locked, version) VALUES (1, 's', 0, 1)")
            conn.exec_driver_sql(
                "INSERT INTO comments (id, thread_id, parent_id, state, deleted, author, website, text, "
                "html, created, moderation_reason) VALUES (1, 1, NULL, 'approved', 1, '[deleted]', NULL, "
                "'', '', '2026-01-01 09:00:00.000000', 'Spam & <eggs>'), (2, 1, 1, 'approved', 0, 'Ann', "
                "'https://ann.example', 't', '<p>t</p>', '2026-01-01 10:00:00.000000', NULL)")
            conn.commit()
        database.upgrade_schema(engine)
        for comment_id in (1, 2):
            assert _stored(engine, comment_id) == _expected(engine, comment_id)
        with database.connect(engine, write=True) as conn:  # and back down to 0010
            config.attributes["connection"] = conn
            command.downgrade(config, "0010")
            conn.commit()
        with database.connect(engine) as conn:
            assert public_json.triggers_in_database(conn) == []
            assert "public_json" not in conn.exec_driver_sql("SELECT * FROM comments").keys()
    finally:
        engine.dispose()
