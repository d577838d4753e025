"""Dates in references (`dates.py`): the forms editors write, read as `<time datetime>` values."""

import re

import pytest

from plugins.references.dates import DATE, date_value


@pytest.mark.parametrize(("text", "value"), [
    ("2025-07-15", "2025-07-15"),
    ("2025-07", "2025-07"),
    ("2025", "2025"),
    ("15 July 2025", "2025-07-15"),
    ("5 jul 2025", "2025-07-05"),
    ("July 15, 2025", "2025-07-15"),
    ("Sept. 3 2024", "2024-09-03"),
    ("Jul 2025", "2025-07"),
    ("December 2024", "2024-12"),
])
def test_the_forms_editors_write(text, value):
    assert date_value(text) == value
    assert re.fullmatch(DATE, text, re.IGNORECASE)


@pytest.mark.parametrize("text", [
    "2025-02-30", "31 April 2025", "2025-13", "0000", "Mayo 2025", "15 July", "25", "2025-7-15",
    "July 15 , 2025", "15th July 2025", " 2025",
])
def test_what_is_no_date(text):
    assert date_value(text) is None
