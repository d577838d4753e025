"""Signed tokens, importable without a Flask app (the site build bakes form tokens into pages).

- Form token: {"thread": slug, "at": unix time}, signed. It stands in for a same-origin Origin
  header and proves the form was on screen at least MIN_FILL_SECONDS before it was sent.
- Edit token: [comment id, its creation stamp], signed and timestamped; valid for the edit window
  only. The stamp keeps a token from ever matching another comment that got the same id.
- Subscription tokens: [subscription id, its creation stamp], signed. The confirmation token is
  timestamped (valid SUBSCRIPTION_CONFIRM_MAX_AGE); the unsubscribe token never expires, since it
  sits in every reply mail. The stamp keeps a token from matching a later row that reuses the id.
- Address token: [comment id, its creation stamp], signed and timestamped (valid
  SUBSCRIPTION_CONFIRM_MAX_AGE): mailed to the address of a comment a moderator approved, it
  confirms that address (MODERATION=first trusts only confirmed ones). It names the comment, not
  the address, so the link does not carry the address.
- Reader token: a random reader id, signed (the `comments_reader` cookie, reactions.py). It names
  no person and carries no time: it only lets one browser's votes and reports be told apart.
  The database stores its HMAC (privacy.reader_digest), never the id.
"""

import secrets
import time
from functools import lru_cache

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

_FORM_SALT = "comments.form-token"
_EDIT_SALT = "comments.edit-token"
_CONFIRM_SALT = "comments.subscription-confirm"
_UNSUBSCRIBE_SALT = "comments.subscription-unsubscribe"
_ADDRESS_SALT = "comments.address-confirm"
_READER_SALT = "comments.reader"
#: Random bytes of a reader id (URL-safe base64: 22 characters).
_READER_ID_BYTES = 16


class TokenRejected(Exception):
    """A token that must not be honoured; the message is safe to show to the reader."""


def _loads(serializer, token: str, **options):
    """The payload `serializer` signed into `token`; BadSignature for anything but ASCII text.
    Tokens are URL-safe base64: one holding a lone surrogate ("\\ud800" in a JSON body) is no
    token, and itsdangerous would fail encoding it (UnicodeEncodeError: a 500 on votes and
    reports, whose token no other check had read)."""
    if not isinstance(token, str) or not token.isascii():
        raise BadSignature("not a token")
    return serializer.loads(token, **options)


def issue_form_token(secret_key: str, slug: str, now: float | None = None) -> str:
    """A form token for the thread `slug`, dated `now` (default: the current time)."""
    return _form_token(secret_key, slug, int(time.time() if now is None else now))


@lru_cache(maxsize=1024)
def _form_token(secret_key: str, slug: str, issued: int) -> str:
    """Tokens are dated to the second, so every GET of a thread within one second shares one
    (each GET hands one out, and signing costs as much as the rest of a small GET)."""
    return URLSafeSerializer(secret_key, salt=_FORM_SALT).dumps({"thread": slug, "at": issued})


def check_form_token(secret_key: str, token: str, slug: str, *, min_age: float, max_age: float,
                     now: float | None = None) -> None:
    """Raise TokenRejected unless `token` was issued for `slug` between max_age and min_age ago."""
    try:
        payload = _loads(URLSafeSerializer(secret_key, salt=_FORM_SALT), token)
    except BadSignature:
        raise TokenRejected("The form is not valid. Please reload the page and try again.") from None
    if not isinstance(payload, dict) or payload.get("thread") != slug:
        raise TokenRejected("The form belongs to another page. Please reload the page.")
    age = (time.time() if now is None else now) - payload.get("at", 0)
    if age < min_age:
        raise TokenRejected("That was quick! Please wait a few seconds and send it again.")
    if age > max_age:
        raise TokenRejected("The form has expired. Please reload the page and try again.")


def issue_edit_token(secret_key: str, comment_id: int, stamp: str) -> str:
    """An edit token for the comment `comment_id` created at `stamp` (core.times.stamp)."""
    return URLSafeTimedSerializer(secret_key, salt=_EDIT_SALT).dumps([comment_id, stamp])


def check_edit_token(secret_key: str, token: str, comment_id: int, max_age: float) -> str:
    """The creation stamp `token` names, if it was issued for `comment_id` less than max_age ago;
    TokenRejected otherwise. The caller compares the stamp with the stored comment's."""
    serializer = URLSafeTimedSerializer(secret_key, salt=_EDIT_SALT)
    try:
        payload = _loads(serializer, token, max_age=max_age)
    except SignatureExpired:
        raise TokenRejected("The time to edit or delete this comment is over.") from None
    except BadSignature:
        raise TokenRejected("This edit token is not valid.") from None
    signed_id, stamp = _row_reference(payload)
    if signed_id != comment_id:
        raise TokenRejected("This edit token belongs to another comment.")
    return stamp


def issue_confirm_token(secret_key: str, subscription_id: int, stamp: str) -> str:
    return URLSafeTimedSerializer(secret_key, salt=_CONFIRM_SALT).dumps([subscription_id, stamp])


def check_confirm_token(secret_key: str, token: str, max_age: float) -> tuple[int, str]:
    """The (subscription id, stamp) of a confirmation token issued less than max_age ago."""
    return _timed_row_reference(_CONFIRM_SALT, secret_key, token, max_age)


def issue_address_token(secret_key: str, comment_id: int, stamp: str) -> str:
    return URLSafeTimedSerializer(secret_key, salt=_ADDRESS_SALT).dumps([comment_id, stamp])


def check_address_token(secret_key: str, token: str, max_age: float) -> tuple[int, str]:
    """The (comment id, stamp) of an address token issued less than max_age ago."""
    return _timed_row_reference(_ADDRESS_SALT, secret_key, token, max_age)


def _timed_row_reference(salt: str, secret_key: str, token: str, max_age: float) -> tuple[int, str]:
    try:
        payload = _loads(URLSafeTimedSerializer(secret_key, salt=salt), token, max_age=max_age)
    except SignatureExpired:
        raise TokenRejected("This confirmation link has expired.") from None
    except BadSignature:
        raise TokenRejected("This confirmation link is not valid.") from None
    return _row_reference(payload)


def issue_unsubscribe_token(secret_key: str, subscription_id: int, stamp: str) -> str:
    return URLSafeSerializer(secret_key, salt=_UNSUBSCRIBE_SALT).dumps([subscription_id, stamp])


def check_unsubscribe_token(secret_key: str, token: str) -> tuple[int, str]:
    """The (subscription id, stamp) of an unsubscribe token."""
    try:
        payload = _loads(URLSafeSerializer(secret_key, salt=_UNSUBSCRIBE_SALT), token)
    except BadSignature:
        raise TokenRejected("This unsubscribe link is not valid.") from None
    return _row_reference(payload)


def issue_reader_token(secret_key: str) -> tuple[str, str]:
    """A new random reader id and its signed token (the cookie's value)."""
    reader_id = secrets.token_urlsafe(_READER_ID_BYTES)
    return reader_id, URLSafeSerializer(secret_key, salt=_READER_SALT).dumps(reader_id)


def check_reader_token(secret_key: str, token: str) -> str | None:
    """The reader id `token` carries; None for a token this key did not sign (a new id is due)."""
    try:
        reader_id = _loads(URLSafeSerializer(secret_key, salt=_READER_SALT), token)
    except BadSignature:
        return None
    return reader_id if isinstance(reader_id, str) and reader_id else None


def _row_reference(payload: object) -> tuple[int, str]:
    match payload:
        case [int() as subscription_id, str() as stamp] if not isinstance(subscription_id, bool):
            return subscription_id, stamp
    raise TokenRejected("This link is not valid.")
