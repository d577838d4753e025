"""Alembic environment: migrate the connection handed over by database.upgrade_schema, or (when
alembic runs from the command line) the database the settings resolve (COMMENTS_DATABASE_URL)."""

from alembic import context

from comments_service.core.settings import resolve
from comments_service.core.storage.database import connect, engine_from_url
from comments_service.core.storage.tables import metadata


def run_migrations(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = engine_from_url(resolve()["DATABASE_URL"])
    with connect(engine, write=True) as connection:
        run_migrations(connection)
        connection.commit()


main()
