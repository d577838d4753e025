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
- about_reference: optional, the reference [n] of the article the comment is about, 1-999 (an
  integer or a string of digits; "" means none); the API also refuses a number above the
  article's own count of references when the thread manifest knows it (`check_about_reference`);
- about_paragraph: optional, the paragraph of the article it is about, 1-9999 (same forms);
- kind: optional, "comment" (the default; "" too) or "correction" (always held for a moderator).
Any other field is rejected (explicit allow-list). Empty optional strings become None.
"""

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from .comment import COMMENT, KINDS
from .limits import (AUTHOR_MAX, EMAIL_MAX, ID_MAX, PARAGRAPH_MAX, REFERENCE_MAX, TEXT_MAX, TEXT_MIN,
                     TOKEN_MAX, WEBSITE_MAX)

COMMENT_FIELDS = frozenset({"author", "email", "website", "text", "parent", "form_token", "homepage",
                            "notify", "about_reference", "about_paragraph", "kind"})
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


def _number(value: Any, maximum: int, message: str) -> int | None:
    """An optional number 1-maximum, as an integer or a string of digits; None or "" is none."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = whole_number(value, maximum)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= maximum:
        raise _FieldError(message)
    return value


def _parent(value: Any) -> int | None:
    return _number(value, ID_MAX, "must be the number of a comment")


def _about_reference(value: Any) -> int | None:
    return _number(value, REFERENCE_MAX, f"must be the number of a reference, 1-{REFERENCE_MAX}")


def _about_paragraph(value: Any) -> int | None:
    return _number(value, PARAGRAPH_MAX, f"must be the number of a paragraph, 1-{PARAGRAPH_MAX}")


def _kind(value: Any) -> str:
    if value == "":
        return COMMENT
    if value not in KINDS:
        raise _FieldError(f"must be one of {', '.join(KINDS)}")
    return value


def check_about_reference(fields: dict[str, Any], reference_count: int) -> None:
    """Refuse an `about_reference` above the article's `reference_count` (from the thread
    manifest) when that is known (more than 0); verify() already bounded it by REFERENCE_MAX."""
    number = fields.get("about_reference")
    if number is not None and 0 < reference_count < number:
        plural = "reference" if reference_count == 1 else "references"
        raise InvalidInput({"about_reference": f"must be one of the article's {reference_count} {plural}, "
                                               f"1-{reference_count}"})


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
    "about_reference": _about_reference,
    "about_paragraph": _about_paragraph,
    "kind": _kind,
}
_ABSENT = {"email": None, "website": None, "parent": None, "form_token": "", "homepage": "",
           "notify": False, "about_reference": None, "about_paragraph": None, "kind": COMMENT}


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
