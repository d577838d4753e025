"""Alembic migration scripts of the comments service (a package so that wheels ship them)."""
