"""The admin pages' input: each function reads one field of the current request (query string or
posted form) and returns it as a clean value, or raises APIError 400 whose message says what to
fix; the pages show that message (views.py). Nothing here touches the database.

Lengths shared with storage come from core.limits (ID_MAX, REASON_MAX); the bounds below are the
admin pages' own.
"""

import unicodedata

from flask import request, url_for

from ..core import moderation
from ..core.comment import KINDS, PENDING, STATES
from ..core.limits import ID_MAX, REASON_MAX
from ..core.validation import whole_number
from ..errors import APIError

#: Comments one form may act on: a queue page (ADMIN_PAGE_SIZE, 50 by default) shows far fewer,
#: and the bound keeps one forged form from becoming one huge transaction.
BULK_MAX = 500
#: Beyond any listing's real length; the bound keeps the OFFSET asked of the database sane.
PAGE_MAX = 1_000_000


def state() -> str:
    """?state=: which comments a listing shows, held (pending) ones by default."""
    value = request.args.get("state", PENDING)
    if value not in STATES:
        raise APIError(400, "invalid", f"`state` must be one of {', '.join(STATES)}.")
    return value


def kind() -> str | None:
    """?kind=: only comments of this kind (`correction`: the Corrections view); None (every kind)
    when absent or empty."""
    value = request.args.get("kind", "")
    if value and value not in KINDS:
        raise APIError(400, "invalid", f"`kind` must be one of {', '.join(KINDS)}.")
    return value or None


def page_number() -> int:
    """?page=: a listing's page, from 1."""
    number = whole_number(request.args.get("page", "1"), PAGE_MAX)
    if not number:
        raise APIError(400, "invalid", f"`page` must be a whole number from 1 to {PAGE_MAX}.")
    return number


def action() -> str:
    """The moderation action a form asks for (moderation.COMMENT_ACTIONS)."""
    value = request.form.get("action", "")
    if value not in moderation.COMMENT_ACTIONS:
        raise APIError(400, "invalid", f"The action must be one of {', '.join(moderation.COMMENT_ACTIONS)}.")
    return value


def comment_ids() -> list[int]:
    """The selected comment ids (`ids`, once per ticked box), in order, each once."""
    values = request.form.getlist("ids")
    if not values:
        raise APIError(400, "invalid", "Select at least one comment.")
    if len(values) > BULK_MAX:
        raise APIError(400, "invalid", f"Select at most {BULK_MAX} comments at once.")
    numbers = [whole_number(value, ID_MAX) for value in values]
    if not all(numbers):  # None (not a number in range) or 0
        raise APIError(400, "invalid", "The selected comments must be given by their numbers.")
    return list(dict.fromkeys(numbers))


def reason() -> str | None:
    """The moderator's reason, trimmed; None when empty. It goes to the log and, for a public
    deletion or a pick's note, onto the article, so control characters are refused rather than
    stored."""
    value = request.form.get("reason", "").strip()
    if len(value) > REASON_MAX:
        raise APIError(400, "invalid", f"A reason may have at most {REASON_MAX} characters.")
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise APIError(400, "invalid", "A reason must not contain control characters.")
    return value or None


def show_publicly(action: str, reason: str | None) -> bool:
    """Whether a deletion leaves its reason on the article (the `public` box), which needs one."""
    public = action == moderation.DELETE and request.form.get("public") == "on"
    if public and not reason:
        raise APIError(400, "invalid", "Write the reason to show it publicly.")
    return public


def locked() -> bool:
    """A thread's wanted lock state: `locked` is 1 (lock) or 0 (unlock)."""
    wanted = request.form.get("locked", "")
    if wanted not in ("0", "1"):
        raise APIError(400, "invalid", "`locked` must be 1 (lock) or 0 (unlock).")
    return wanted == "1"


def next_url() -> str:
    """Where to go after an action: the admin page the form came from (never another site)."""
    target = request.form.get("next", "")
    home = url_for("admin.queue")
    if target.startswith(home) and target.isascii() and target.isprintable() and "\\" not in target:
        return target
    return home
