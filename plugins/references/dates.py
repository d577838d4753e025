"""Dates as editors write them in a reference, read into the value of `<time datetime>`.

`date_value(text)` returns the ISO form of `text` when the whole of `text` is one of

* `2025-07-15`, `2025-07`, `2025` (ISO; a bare year is four digits);
* `15 July 2025`, `July 15, 2025` (the comma optional), `July 2025`;

month names in English, full or abbreviated to three letters (`Sept` too), an abbreviation
optionally followed by a period, any letter case. A date that does not exist (`2025-02-30`,
`31 April 2025`) is no date: None. `DATE` is the same shape as a regular expression (no
groups, no anchors) for callers looking for a date inside longer text.
"""

from __future__ import annotations

import re
from datetime import date

MONTHS = {name: number for number, names in enumerate([
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")], start=1) for name in names}

_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"\d{4}"
_DAY = r"\d{1,2}"
DATE = (rf"(?:{_YEAR}-\d{{2}}(?:-\d{{2}})?|{_DAY} {_MONTH} {_YEAR}|{_MONTH} {_DAY},? {_YEAR}"
        rf"|{_MONTH} {_YEAR}|{_YEAR})")

_FORMS = [
    re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?"),
    re.compile(rf"(?P<day>{_DAY}) (?P<name>{_MONTH}) (?P<year>{_YEAR})", re.IGNORECASE),
    re.compile(rf"(?P<name>{_MONTH}) (?P<day>{_DAY}),? (?P<year>{_YEAR})", re.IGNORECASE),
    re.compile(rf"(?P<name>{_MONTH}) (?P<year>{_YEAR})", re.IGNORECASE),
]


def date_value(text: str) -> str | None:
    """The `datetime` attribute for `text` (`2025-07-15`, `2025-07` or `2025`), or None."""
    for form in _FORMS:
        match = form.fullmatch(text)
        if match:
            return _iso(match.groupdict())
    return None


def _iso(parts: dict[str, str | None]) -> str | None:
    year = int(parts["year"])
    if parts.get("name"):
        month = MONTHS[parts["name"].lower().rstrip(".")]
    elif parts.get("month"):
        month = int(parts["month"])
    else:
        return f"{year:04d}" if year >= 1 else None
    day = int(parts["day"]) if parts.get("day") else None
    try:
        date(year, month, day or 1)
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")
