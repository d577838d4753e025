"""bodies.py's checked_first: a check run before the request's first statement, its refusal kept
for the point of the view that asks for the result (the body's own checks are test_api.py's)."""

import pytest
from werkzeug.exceptions import UnsupportedMediaType

from comments_service.bodies import checked_first
from comments_service.errors import APIError


def test_the_result_of_a_check_that_passed_is_given_when_asked():
    seen = []
    checked = checked_first(lambda *args: seen.append(args) or "fields", 1, 2)
    assert seen == [(1, 2)]  # run at once, not when asked
    assert checked() == "fields" and checked() == "fields"


@pytest.mark.parametrize("refusal", [APIError(400, "invalid", "No."), UnsupportedMediaType()])
def test_a_refusal_is_raised_only_when_the_result_is_asked_for(refusal):
    def check():
        raise refusal

    checked = checked_first(check)
    with pytest.raises(type(refusal)) as raised:
        checked()
    assert raised.value is refusal


def test_anything_else_a_check_raises_is_not_held_back():
    with pytest.raises(ZeroDivisionError):
        checked_first(lambda: 1 / 0)
