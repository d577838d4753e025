"""The list's query parameters (params.py): `since`, `after`, `limit` as clean values or a 400
naming the field."""

import pytest

from .conftest import error_of

URL = "/api/threads/first-article/comments"


@pytest.mark.parametrize("name", ["since", "after"])
@pytest.mark.parametrize("value", ["-1", "abc", "1.5", "", str(2**64), "٣", "9" * 5000])
def test_a_bad_cursor_is_a_400_naming_it(client, name, value):
    response = client.get(URL, query_string={name: value})
    assert response.status_code == 400
    assert error_of(response)["fields"] == {name: "must be a whole number, 0 or more"}


@pytest.mark.parametrize("name", ["since", "after"])
@pytest.mark.parametrize("value", ["0", "2147483648", str(2**63 - 1), "0" * 5000 + "1"])
def test_a_cursor_up_to_the_documented_maximum_is_answered(api, name, value):
    api.comment()
    assert api.thread(**{name: value})["comments"] == ([] if value != "0" else api.thread()["comments"])


@pytest.mark.parametrize("value", ["0", "501", "-1", "", "ten", "1.0", "9" * 5000])
def test_a_limit_outside_1_to_500_is_a_400(client, value):
    response = client.get(URL, query_string={"limit": value})
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"limit": "must be a whole number from 1 to 500"}


@pytest.mark.parametrize("value", ["1", "500", "007"])
def test_a_limit_from_1_to_500_is_answered(api, value):
    api.comment()
    assert len(api.thread(limit=value)["comments"]) == 1
