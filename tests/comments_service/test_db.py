"""Engine setup, SQLite pragmas, migrations at start-up and `flask init-db`."""

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from comments_service import create_app
from comments_service.core.storage import database
from comments_service.db import engine as app_engine


def test_sqlite_connections_get_the_durability_pragmas(app):
    with app.app_context(), app_engine().connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("busy_timeout") == 5000
        assert pragma("foreign_keys") == 1


def test_app_start_up_migrates_an_empty_database_to_head(app):
    with app.app_context(), app_engine().connect() as conn:
        assert {"threads", "comments", "alembic_version"} <= set(inspect(conn).get_table_names())
        head = ScriptDirectory.from_config(Config(str(database.ALEMBIC_INI))).get_current_head()
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head


def test_models_and_migrations_agree(app, database_url, monkeypatch):
    monkeypatch.setenv("COMMENTS_DATABASE_URL", database_url)
    command.check(Config(str(database.ALEMBIC_INI)))  # raises when autogenerate finds a difference


def test_init_db_command_creates_the_schema(app_config):
    app = create_app(app_config | {"AUTO_MIGRATE": False})
    with app.app_context():
        assert not database.schema_exists(app_engine())
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0 and "up to date" in result.output
    with app.app_context():
        assert database.schema_exists(app_engine())
        app_engine().dispose()


def test_write_connections_take_the_lock_up_front(app):
    with app.app_context():
        engine = app_engine()
        with database.connect(engine, write=True) as conn:
            conn.exec_driver_sql("SELECT 1")
            # BEGIN IMMEDIATE holds the write lock: the raw connection is inside a transaction
            assert conn.connection.dbapi_connection.in_transaction
        with engine.connect() as reader:
            reader.exec_driver_sql("SELECT 1")
            assert reader.connection.dbapi_connection.in_transaction
