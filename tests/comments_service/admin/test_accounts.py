"""Moderator accounts (admin/accounts.py): the ADMIN_USERS check at start-up and a login that
refuses every wrong name or password alike, doing the same password check either way."""

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

from comments_service import create_app
from comments_service.admin import accounts

from ..conftest import FAST_HASH, PASSWORD, log_in


@pytest.mark.parametrize("users, problem", [
    ("not json", "must be a JSON object"),
    ({"ann": "plain password"}, "not a password hash"),
    ({" ann": generate_password_hash("x", method=FAST_HASH)}, "not a usable moderator name"),
])
def test_bad_account_settings_stop_the_start(app_config, users, problem):
    with pytest.raises(RuntimeError, match=problem):
        create_app(app_config | {"ADMIN_USERS": users})


@pytest.mark.parametrize("name, password", [("ann", "wrong password"), ("nobody", PASSWORD),
                                            ("ann", ""), ("ann", PASSWORD + "x" * 2000)])
def test_bad_logins_are_refused_alike(client, name, password):
    response = log_in(client, name, password)
    assert response.status_code == 403
    assert "Wrong name or password." in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 303


def test_an_unknown_name_costs_a_password_check_too(client, monkeypatch):
    checked = []

    def recording_check(password_hash, password):
        checked.append(password_hash)
        return check_password_hash(password_hash, password)

    monkeypatch.setattr(accounts, "check_password_hash", recording_check)
    log_in(client, "nobody", PASSWORD)
    assert len(checked) == 1 and checked[0].startswith(FAST_HASH + "$")
