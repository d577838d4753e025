"""Moderator accounts: who may log in to /admin/, and with which password.

The accounts are the ADMIN_USERS setting, {"name": "<werkzeug password hash>"}, checked once at
start-up (`checked_users`: a bad name or a value that is not a scrypt or pbkdf2 hash stops the
app with a message saying how to fix it) and read from the app's config on every request, so a
new hash or a removed name takes effect on the next request. `flask --app comments_service
set-password NAME` (cli.py) makes the hashes.

`authenticate` always checks one password hash, against a dummy hash of the same kind when the
name is unknown, so how long a login takes does not tell which names exist.
"""

import functools
import secrets
import unicodedata
from typing import Any

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.limits import MODERATOR_NAME_MAX

#: A new password's length (set-password); longer ones are never hashed at login either, so a
#: megabyte "password" cannot buy a megabyte of hashing.
PASSWORD_MIN, PASSWORD_MAX = 12, 1024
#: Werkzeug's slow hashes; anything else in ADMIN_USERS is a mistake (a plain password, say).
_HASH_METHODS = frozenset({"scrypt", "pbkdf2"})


def is_valid_name(name: Any) -> bool:
    """A moderator name: 1-100 characters, no control characters, no surrounding spaces."""
    return (isinstance(name, str) and 0 < len(name) <= MODERATOR_NAME_MAX and name == name.strip()
            and not any(unicodedata.category(char) == "Cc" for char in name))


def _hash_method(password_hash: Any) -> str | None:
    """The method part of a Werkzeug password hash ("scrypt:32768:8:1"), None if it is not one."""
    if not isinstance(password_hash, str) or password_hash.count("$") != 2:
        return None
    method = password_hash.split("$", 1)[0]
    return method if method.split(":", 1)[0] in _HASH_METHODS else None


def checked_users(users: Any) -> dict[str, str]:
    """ADMIN_USERS as configured, or a startup error naming what is wrong with it."""
    if not isinstance(users, dict):
        raise RuntimeError('COMMENTS_ADMIN_USERS must be a JSON object {"name": "<password hash>"}')
    for name, password_hash in users.items():
        if not is_valid_name(name):
            raise RuntimeError(f"COMMENTS_ADMIN_USERS: {name!r} is not a usable moderator name "
                               f"(1-{MODERATOR_NAME_MAX} characters, no control characters or outer spaces)")
        if _hash_method(password_hash) is None:
            raise RuntimeError(f"COMMENTS_ADMIN_USERS: the value for {name!r} is not a password hash; "
                               f"make one with `flask --app comments_service set-password {name}`")
    return users


def stored_hash(name: Any) -> str | None:
    """Moderator `name`'s password hash as configured now; None for anything else."""
    return current_app.config["ADMIN_USERS"].get(name) if isinstance(name, str) else None


@functools.cache
def _dummy_hash(method: str) -> str:
    """A hash of a random password made like the real ones, checked for unknown names."""
    return generate_password_hash(secrets.token_hex(16), method=method)


def authenticate(name: str, password: str) -> str | None:
    """The moderator `name` when `password` is theirs; the same work is done either way."""
    users = current_app.config["ADMIN_USERS"]
    stored = users.get(name) if len(password) <= PASSWORD_MAX else None
    # The dummy is made with the first account's method: an unknown name then costs what a
    # known one does, whichever method (and cost) the accounts were hashed with.
    checked = stored or _dummy_hash(_hash_method(next(iter(users.values()))))
    valid = check_password_hash(checked, password[:PASSWORD_MAX])
    return name if stored is not None and valid else None
