"""The admin pages' input (admin/forms.py): every bad field is a 400 whose message says what to
fix, nothing is logged, and `next` never leads off the admin pages."""

import pytest

from .conftest import held


@pytest.mark.parametrize("params", [{"state": "everything"}, {"page": "0"}, {"page": "x"}])
def test_bad_listing_parameters_are_400(moderator, client, params):
    assert client.get("/admin/", query_string=params).status_code == 400


@pytest.mark.parametrize("path", ["/admin/", "/admin/log", "/admin/threads/first-article"])
def test_a_page_number_of_thousands_of_digits_is_400_not_500(moderator, client, path):
    """int() refuses more than 4300 digits with a ValueError."""
    assert client.get(path, query_string={"page": "1" * 5000}).status_code == 400


@pytest.mark.parametrize("data, message", [
    ({"action": "publish", "ids": "1"}, "action must be one of"),
    ({"action": "approve"}, "Select at least one"),
    ({"action": "approve", "ids": "one"}, "by their numbers"),
    ({"action": "approve", "ids": str(2**40)}, "by their numbers"),
    ({"action": "approve", "ids": "1" * 5000}, "by their numbers"),
    ({"action": "approve", "ids": "0"}, "by their numbers"),
    ({"action": "approve", "ids": [str(n) for n in range(1, 502)]}, "at most 500"),
    ({"action": "delete", "ids": "1", "public": "on"}, "Write the reason"),
    ({"action": "reject", "ids": "1", "reason": "x" * 501}, "at most 500"),
])
def test_bad_moderation_input_is_400_with_a_message(moderator, api, data, message):
    held(api)
    response = moderator.post("/admin/moderate", **data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert moderator.log() == []


def test_next_never_leaves_the_admin_pages(moderator, api):
    comment_id = held(api)
    response = moderator.act("approve", comment_id, next="https://evil.example/admin/")
    assert response.headers["Location"] == "/admin/"


def test_lock_input_is_checked(moderator):
    assert moderator.post("/admin/threads/first-article/lock", locked="yes").status_code == 400
    assert moderator.post("/admin/threads/nowhere/lock", locked="1").status_code == 404
