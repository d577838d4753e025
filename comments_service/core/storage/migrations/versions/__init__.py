"""Alembic revisions, applied in order by `storage.upgrade_schema`."""
