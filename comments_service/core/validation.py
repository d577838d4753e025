"""The one input check of the service: `verify()` turns a JSON object or a submitted form into clean
values, or raises `InvalidInput` with a message per field.

Limits (the documented contract; docs/api.md):
- author: required, 1-100 characters after trimming, no control characters;
- email: optional, at most 254 characters, one `@`, a dotted domain, no spaces;
- website: optional, at most 254 characters, an absolute http:// or https:// URL;
- text: required, 3-10 000 characters after trimming (Markdown subset, see render.py);
- parent: optional, the id of a comment in the same thread (the API checks the thread), given as
  an integer or a string of digits (the form and the widget post strings); "" means none;
- form_token, homepage: the anti-spam fields (security.py), strings of at most 1000 characters;
- notify: optional, mail me replies (notify.py): JSON true/false, or "on" from the form's checkbox
  (an unchecked checkbox is not sent at all); true needs an email.
Any other field is rejected (explicit allow-list). Empty optional strings become None.
"""

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from .limits import AUTHOR_MAX, EMAIL_MAX, ID_MAX, TEXT_MAX, TEXT_MIN, TOKEN_MAX, WEBSITE_MAX

COMMENT_FIELDS = frozenset({"author", "email", "website", "text", "parent", "form_token", "homepage",
                            "notify"})
EDIT_FIELDS = frozenset({"text"})
REQUIRED_FIELDS = frozenset({"author", "text"})

_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s.]+")


class InvalidInput(Exception):
    """Input that fails verify(); `fields` maps each bad field name to a message for the reader."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in fields.items()))
        self.fields = fields


class _FieldError(ValueError):
    pass


def _string(value: Any, max_length: int) -> str:
    if not isinstance(value, str):
        raise _FieldError("must be text")
    if not is_encodable(value):
        raise _FieldError("must not contain invalid characters (lone surrogates)")
    value = value.replace("\r\n", "\n").strip()
    if len(value) > max_length:
        raise _FieldError(f"must be at most {max_length} characters")
    return value


def _no_control_characters(value: str, allowed: str = "") -> str:
    if any(unicodedata.category(char) == "Cc" and char not in allowed for char in value):
        raise _FieldError("must not contain control characters")
    return value


def is_encodable(value: str) -> bool:
    """False for text no database can store as UTF-8: a lone surrogate (JSON's "\\ud800")."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_plain_name(value: str, max_length: int) -> bool:
    """A short identifier from a URL (a thread slug): 1-max_length characters, encodable, no
    control characters (PostgreSQL refuses a NUL in text)."""
    return (0 < len(value) <= max_length and is_encodable(value)
            and not any(unicodedata.category(char) == "Cc" for char in value))


def _author(value: Any) -> str:
    value = _no_control_characters(_string(value, AUTHOR_MAX))
    if not value:
        raise _FieldError("is required")
    return value


def _email(value: Any) -> str | None:
    value = _no_control_characters(_string(value, EMAIL_MAX))
    if value and not _EMAIL.fullmatch(value):
        raise _FieldError("must be an email address like name@example.org")
    return value or None


def _website(value: Any) -> str | None:
    value = _no_control_characters(_string(value, WEBSITE_MAX))
    if not value:
        return None
    try:
        parts = urlsplit(value)
        hostname = parts.hostname
    except ValueError:  # a bracketed host that is no IPv6 address: "http://[", "https://[x]"
        hostname = None
    if not hostname or parts.scheme.lower() not in ("http", "https") or " " in value:
        raise _FieldError("must be a web address starting with http:// or https://")
    return value


def _text(value: Any) -> str:
    value = _no_control_characters(_string(value, TEXT_MAX), allowed="\n\t")
    if len(value) < TEXT_MIN:
        raise _FieldError(f"must be at least {TEXT_MIN} characters")
    return value


def whole_number(value: str, maximum: int) -> int | None:
    """`value` as an int when it is ASCII digits naming at most `maximum`, else None. Never calls
    int() on thousands of digits: Python refuses more than 4300 with a ValueError."""
    digits = value.lstrip("0") or "0"
    if not (value.isascii() and value.isdigit()) or len(digits) > len(str(maximum)):
        return None
    number = int(digits)
    return number if number <= maximum else None


def _parent(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = whole_number(value, ID_MAX)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= ID_MAX:
        raise _FieldError("must be the number of a comment")
    return value


def _token(value: Any) -> str:
    return _string(value, TOKEN_MAX)


def _notify(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value == "on":
        return True
    raise _FieldError("must be true or false")


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "author": _author,
    "email": _email,
    "website": _website,
    "text": _text,
    "parent": _parent,
    "form_token": _token,
    "homepage": _token,
    "notify": _notify,
}
_ABSENT = {"email": None, "website": None, "parent": None, "form_token": "", "homepage": "",
           "notify": False}


def verify(data: Any, allowed: frozenset[str] = COMMENT_FIELDS) -> dict[str, Any]:
    """Check `data` (a mapping of field name to value) against the fields in `allowed`.

    Returns {field: clean value} for every allowed field (absent optional ones get their empty
    value); raises InvalidInput listing every problem at once.
    """
    if not isinstance(data, Mapping):
        raise InvalidInput({"body": "must be an object of named fields"})
    errors = {name: "is not a known field" for name in data if name not in allowed}
    clean: dict[str, Any] = {}
    for name in sorted(allowed):
        if name not in data:
            if name in REQUIRED_FIELDS:
                errors[name] = "is required"
            else:
                clean[name] = _ABSENT[name]
            continue
        try:
            clean[name] = _CHECKS[name](data[name])
        except _FieldError as problem:
            errors[name] = str(problem)
    if clean.get("notify") and "email" in clean and not clean["email"]:
        errors["notify"] = "needs your email address in the Email field"
    if errors:
        raise InvalidInput(errors)
    return clean
