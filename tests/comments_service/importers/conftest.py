import pytest


@pytest.fixture
def database_url(any_database_url):
    """Every import runs into an empty SQLite database and an empty PostgreSQL schema."""
    return any_database_url
