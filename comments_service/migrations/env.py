"""Alembic environment: migrate the connection handed over by storage.upgrade_schema, or (when
alembic runs from the command line) the database named by COMMENTS_DATABASE_URL."""

import os

from alembic import context

from comments_service.config import DEFAULT_DATABASE_URL
from comments_service.models import metadata
from comments_service.storage import connect, engine_from_url


def run_migrations(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = engine_from_url(os.environ.get("COMMENTS_DATABASE_URL", DEFAULT_DATABASE_URL))
    with connect(engine, write=True) as connection:
        run_migrations(connection)
        connection.commit()


main()
