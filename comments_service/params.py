"""The query parameters of GET /api/threads/<slug>/comments (docs/api.md): `since`, `after` and
`limit`, each read from the request as a clean value or refused with a 400 naming the field."""

from flask import request

from .core.limits import ID_MAX
from .core.validation import whole_number
from .errors import APIError

#: The largest `since` / `after` the API answers (a 64-bit integer); both are then clamped to the
#: largest id a comment can have (PostgreSQL refuses a bigger integer).
CURSOR_MAX = 2**63 - 1
#: Top-level comments one page may hold (`limit`).
PAGE_LIMIT_MAX = 500


def _cursor(name: str) -> int:
    """A comment id parameter: any whole number up to CURSOR_MAX, 0 when absent, clamped to
    ID_MAX (no comment is newer than that)."""
    args = request.args
    if name not in args:  # the usual GET: nothing to parse (and no KeyError raised inside .get)
        return 0
    value = whole_number(args[name], CURSOR_MAX)
    if value is None:
        raise APIError(400, "invalid", f"`{name}` must be a comment id (a whole number, 0 or more).",
                       {name: "must be a whole number, 0 or more"})
    return min(value, ID_MAX)


def since() -> int:
    """`since`: only comments with a greater id (the widget's "new comments since the page")."""
    return _cursor("since")


def after() -> int:
    """`after`: only top-level comments with a greater id (the `next` of the previous page)."""
    return _cursor("after")


def limit() -> int | None:
    """`limit`: top-level comments per page, 1-PAGE_LIMIT_MAX; None when absent (everything)."""
    args = request.args
    if "limit" not in args:
        return None
    raw = args["limit"]
    value = whole_number(raw, PAGE_LIMIT_MAX)
    if not value:
        raise APIError(400, "invalid", f"`limit` must be a whole number from 1 to {PAGE_LIMIT_MAX}.",
                       {"limit": f"must be a whole number from 1 to {PAGE_LIMIT_MAX}"})
    return value
