"""The plugin reads the service's storage: its tests share the storage fixtures (a migrated, empty
database on SQLite and, when it answers, on PostgreSQL)."""

from tests.comments_service.conftest import add, any_database_url, engine  # noqa: F401 (fixtures)
