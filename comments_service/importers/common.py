"""What every reader shares: a thread's slug from its URL, times, the text of an HTML comment,
and the one conversion of a Foreign comment into the values stored for it.

Contract: `stored_values(comment, ip_salt)` normalises each field the same way for every source
(author trimmed, "Anonymous" when empty; email and website kept only when storable; the IP
address replaced by its salted hash; a deleted comment reduced to a "[deleted]" placeholder
without personal data), and raises SourceRejected saying what cannot be stored (an author name
too long, a NUL character or a lone surrogate, which PostgreSQL refuses and SQLite accepts). The
other control characters a posted comment may not hold are made readable rather than refused
(_readable): a real export's comment is imported, and the feeds can carry it.
"""

import re
import unicodedata
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from ..core.comment import APPROVED, DELETED_AUTHOR
from ..core.limits import AUTHOR_MAX, EMAIL_MAX, SLUG_MAX, WEBSITE_MAX
from ..core.privacy import hash_ip
from ..core.render import render
from ..core.times import as_utc
from ..core.validation import is_encodable, is_plain_name
from .html_text import markdown_text
from .items import Foreign, SourceRejected, Thread

ANONYMOUS = "Anonymous"  # the author of a comment whose source has no name for it


# Thread identity and fields ----------------------------------------------------------------------

def article_slug(url: str) -> str | None:
    """An article's slug from its URL or path: the last path segment without `.html`
    (`/2024/budget-vote.html` and `https://news.example/budget-vote/` -> `budget-vote`;
    `.../budget-vote/index.html` -> `budget-vote`). None for a site's root or a malformed URL."""
    try:
        path = urlsplit(url.strip()).path
    except ValueError:  # e.g. an unclosed IPv6 host
        return None
    segments = [segment for segment in unquote(path).split("/") if segment]
    if segments and segments[-1] == "index.html":
        segments.pop()
    if not segments:
        return None
    return segments[-1].removesuffix(".html") or None


def thread_slug(thread: Thread) -> str:
    """The slug of `thread`; SourceRejected saying why when it names no article."""
    if thread.slug is not None:
        slug = thread.slug
    elif thread.url is None:
        raise SourceRejected("it has no URL, so it names no article")
    elif (slug := article_slug(thread.url)) is None:
        raise SourceRejected(f"its URL {thread.url!r} names no article (expected a path ending "
                             "in the article's slug)")
    if not is_plain_name(slug, SLUG_MAX):
        raise SourceRejected(f"its slug {slug[:80]!r} cannot be an article's (at most {SLUG_MAX} "
                             "characters, no control character or lone surrogate)")
    return slug


def utc(text: str | None, field: str) -> datetime:
    """A source's date and time (ISO 8601; UTC when it has no offset). One that UTC cannot hold
    (0001-01-01T00:00+01:00 is in year 0) is refused like one that is not a date."""
    try:
        return as_utc(datetime.fromisoformat((text or "").strip()))
    except (ValueError, OverflowError):
        raise SourceRejected(f"{field} {text!r} is not a date and time") from None


def foreign_text(source_html: str) -> tuple[str, str]:
    """(text, html) of a comment a source holds as HTML: Markdown that keeps its words, layout
    and link targets (html_text.py), and the HTML rendered from that text, exactly as a later
    edit by its author or a moderator would render it."""
    text = markdown_text(source_html)
    return text, render(text)


# Stored values -----------------------------------------------------------------------------------

def stored_values(comment: Foreign, ip_salt: str) -> dict[str, Any]:
    """The columns stored for `comment` (without its id, thread and parent); see the contract."""
    values = {"state": comment.state, "created": comment.created, "edited": comment.edited,
              "likes": comment.likes, "dislikes": comment.dislikes}
    if comment.deleted:
        return values | {"state": APPROVED, "deleted": True, "author": DELETED_AUTHOR,
                         "email": None, "website": None, "text": "", "html": "", "ip_hash": None}
    text = _readable(comment.text, line_breaks=True)
    values |= {"deleted": False, "author": _author(_readable(comment.author or "", line_breaks=False)),
               "email": _email(comment.email), "website": _website(comment.website), "text": text,
               "html": comment.html if text == comment.text else render(text),
               "ip_hash": hash_ip(ip_salt, (comment.ip or "").strip())}
    for field in ("author", "email", "website", "text", "html"):  # email, website: None or clean
        if values[field] is not None and not _storable(values[field]):
            raise SourceRejected(f"its {field} holds a NUL character or a lone surrogate, which "
                                 "cannot be stored; remove it in the source")
    return values


#: The control characters a text may hold (core/validation.py: tab and line breaks; a source's
#: CRLF too). XML 1.0 cannot hold most others: one in a stored comment would make the Atom feeds
#: unwritable, so _readable replaces them.
_LAYOUT = "\t\n\r"
#: Word's line break and page break: a line break in a text, a space in a name.
_BREAKS = "\x0b\x0c"


def _storable(value: str) -> bool:
    return "\x00" not in value and is_encodable(value)


#: Unicode's control characters (category Cc: U+0001-U+001F and U+007F-U+009F; NUL is left to
#: _storable), without and with the layout ones: one regular expression scan per field, in C (a
#: Python test per character made the import three times slower).
_CONTROLS = re.compile("[\x01-\x1f\x7f-\x9f]")
_CONTROLS_BUT_LAYOUT = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _control_character(value: str, allowed: str) -> str | None:
    """The first control character of `value` that is not NUL nor in `allowed` (nothing, or
    _LAYOUT), if any."""
    found = (_CONTROLS_BUT_LAYOUT if allowed else _CONTROLS).search(value)
    return found.group() if found else None


def _readable(value: str, *, line_breaks: bool) -> str:
    """`value` without the control characters a posted comment may not hold, so that a real
    export's comment is imported rather than refused: a vertical tab or form feed becomes a line
    break (`line_breaks`, a text) or a space (a name); a C1 control that is a Windows-1252 byte
    decoded as Latin-1 (U+0092 for a right quote, as mis-encoded exports hold) becomes the
    character Windows-1252 meant; any other is dropped. NUL is left for _storable to refuse."""
    if _control_character(value, _LAYOUT if line_breaks else "") is None:
        return value
    kept = []
    for char in value:
        if unicodedata.category(char) != "Cc" or char == "\x00" or (line_breaks and char in _LAYOUT):
            kept.append(char)
        elif char in _BREAKS or char in _LAYOUT:
            kept.append("\n" if line_breaks else " ")
        elif 0x80 <= ord(char) <= 0x9F:
            try:
                kept.append(bytes([ord(char)]).decode("cp1252"))
            except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D mean nothing in cp1252
                pass
    return "".join(kept) if line_breaks else " ".join("".join(kept).split())


def _website(url: str | None) -> str | None:
    """Only a well-formed http(s) address of at most WEBSITE_MAX characters is kept."""
    url = (url or "").strip()
    if _control_character(url, ""):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 host
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc and len(url) <= WEBSITE_MAX:
        return url
    return None


def _email(address: str | None) -> str | None:
    """An address is kept when it has at most EMAIL_MAX characters and no control character
    (a mail header could not hold it)."""
    address = (address or "").strip()
    return address if address and len(address) <= EMAIL_MAX and not _control_character(address, "") else None


def _author(name: str | None) -> str:
    author = (name or "").strip() or ANONYMOUS
    if len(author) > AUTHOR_MAX:
        raise SourceRejected(f"the author name has {len(author)} characters, at most "
                             f"{AUTHOR_MAX} can be stored; shorten it in the source")
    return author
