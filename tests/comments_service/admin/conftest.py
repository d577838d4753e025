"""Fixtures of the moderation UI's tests: every comment is held (MODERATION=all) and "ann" is
the one moderator (password PASSWORD, see ../conftest.py)."""

import pytest

from ..conftest import Moderator, admin_users


@pytest.fixture
def app_config(app_config):
    return app_config | {"MODERATION": "all",
                         "ADMIN_USERS": admin_users()}


@pytest.fixture
def moderator(client):
    return Moderator(client)


def held(api, slug="first-article", **fields) -> int:
    """Post a comment that is held for moderation (MODERATION=all); return its id."""
    response = api.post(slug, **fields)
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.get_json()["comment"]["id"]
