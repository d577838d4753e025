"""One article's `Correction:` entries: where they are in the file, what they say, and whether an
editor must fix them.

`article_corrections(article, now, render, zone)` returns the article's corrections, oldest
first, or raises `BuildError` at the offending line (`read_entry` checks one value). `check_modified(article, now)` checks `Modified:`
against `Date:` and the build's time. Times without an offset are in the site's TIMEZONE, as Pelican reads `Date:`; every time
is shown in that zone.
"""

from __future__ import annotations

import html as html_entities
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from markdown.extensions.meta import BEGIN_RE, END_RE, META_MORE_RE, META_RE
from markupsafe import Markup

from plugins.build_errors import BuildError, metadata_line

#: The metadata key (Pelican lower-cases keys) and how editors spell it.
KEY = "correction"
FIELD = "Correction"
EXAMPLE = "Correction: 2025-07-16 10:00 | What was wrong and what is right."
INPUT_FORMAT = "%Y-%m-%d %H:%M"

# ISO 8601 with a time, optionally seconds and an offset; fromisoformat then checks the numbers.
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?( ?(Z|[+-]\d{2}:?\d{2}))?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_HREF = re.compile(r'href="([^"]*)"')
# What browsers drop from a URL before reading its scheme ("java\tscript:" runs as "javascript:").
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
SAFE_SCHEMES = ("http", "https", "mailto")


@dataclass(frozen=True)
class Correction:
    """One published correction of an article."""

    #: When it was made, in the site's time zone, and as the page prints it (`local_text`).
    when: datetime
    when_text: str
    #: The text as inline HTML (Markdown rendered once at build), and as plain text.
    html: Markup
    text: str
    #: The id of the notice on the article page, `{slug}-correction-{n}` (n: order in the file,
    #: stable while editors append).
    anchor: str

    @property
    def schema(self) -> dict:
        """schema.org `CorrectionComment`, for the article's JSON-LD."""
        return {"@type": "CorrectionComment", "text": self.text, "datePublished": self.when.isoformat()}


@dataclass(frozen=True)
class _Entry:
    """One `Correction:` field as written: its value (continuation lines joined) and first line."""

    value: str
    line: int | None


def raw_values(article) -> list[str]:
    """The `Correction:` values Pelican kept: one field is a string, several a list (Pelican's
    Markdown reader keeps every value of a key not in its DUPLICATES_DEFINITIONS_ALLOWED)."""
    value = article.metadata.get(KEY)
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(item) for item in value]


def header_lines(path: str, key: str) -> list[tuple[int, bool]]:
    """(line, is_continuation) of every value markdown.extensions.meta gives `key` in the file's
    header, with that extension's own patterns: an indented line continues the field before it,
    and becomes one more value of the list, indistinguishable there from a repeated key."""
    found: list[tuple[int, bool]] = []
    current = None
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as lines:
            for number, line in enumerate(lines, start=1):
                line = line.rstrip("\r\n")
                if number == 1 and BEGIN_RE.match(line):
                    continue
                field = META_RE.match(line)
                if not line.strip() or END_RE.match(line):
                    break
                if field:
                    current = field.group("key").lower().strip()
                    if current == key:
                        found.append((number, False))
                elif META_MORE_RE.match(line) and current:
                    if current == key:
                        found.append((number, True))
                else:
                    break
    except OSError:
        return []
    return found


def entries(article) -> list[_Entry]:
    """The article's `Correction:` fields, each with its line, continuation lines joined."""
    values = raw_values(article)
    if not values:
        return []
    path = article.source_path
    layout = header_lines(path, KEY)
    if len(layout) != len(values):
        # Not the Markdown header we know (another reader): one value per field.
        return [_Entry(value, metadata_line(path, FIELD, occurrence=n)) for n, value in enumerate(values, 1)]
    joined: list[_Entry] = []
    for value, (line, continuation) in zip(values, layout):
        if continuation and joined:
            joined[-1] = _Entry(f"{joined[-1].value} {value}".strip(), joined[-1].line)
        else:
            joined.append(_Entry(value, line))
    return joined


def local_text(moment: datetime) -> str:
    """'16 July 2025, 10:00 UTC', as the comments print their times; formatted once per build here,
    not on every page showing it (Pelican's `strftime` template filter costs ~0.2 ms a call)."""
    return f"{moment.day} {datetime.strftime(moment, '%B %Y, %H:%M %Z')}"


def shown(moment: datetime) -> str:
    """A moment as the editor writes it, for messages."""
    return moment.strftime(INPUT_FORMAT)


def parse_moment(text: str, zone: ZoneInfo) -> datetime | None:
    """`2025-07-16 10:00` (naive: in `zone`) or with an offset, in `zone`; None if unreadable."""
    if not _MOMENT.fullmatch(text):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def has_date(article) -> bool:
    """Whether the editor gave a date (a draft without one gets Pelican's datetime.max)."""
    return "date" in article.metadata


def read_entry(value: str, zone: ZoneInfo, published: datetime | None, now: datetime) -> tuple[datetime, str]:
    """(when, text) of one `Correction:` value; `ValueError` with what the editor must fix."""
    stamp, bar, text = value.partition("|")
    stamp, text = stamp.strip(), text.strip()
    if not bar:
        raise ValueError(f"a correction needs its date and time, a `|`, then what was corrected, "
                         f"as in `{EXAMPLE}`")
    when = parse_moment(stamp, zone)
    if when is None:
        raise ValueError(f"cannot read the correction's date `{stamp}`: write it as YYYY-MM-DD HH:MM "
                         f"(24-hour, in the site's time zone, {zone.key}), as in `{EXAMPLE}`")
    if not text:
        raise ValueError("the correction has no text after the `|`: say what was wrong and what is right")
    if _CONTROL.search(text):
        raise ValueError("the correction's text contains an invisible control character: retype the line")
    if published is not None and when < published:
        raise ValueError(f"the correction is dated {shown(when)}, before the article's Date "
                         f"({shown(published.astimezone(zone))}): a correction comes after publication")
    if when > now:
        raise ValueError(f"the correction is dated {shown(when)}, which is in the future "
                         f"(times are in the site's time zone, {zone.key}): check the date")
    return when, text


def unsafe_link(html: str) -> str | None:
    """The first link target in rendered `html` that is neither a web address, a mailto: address
    nor a path on this site (a `javascript:` or `data:` URL runs on every page showing it)."""
    for quoted in _HREF.findall(html):
        target = html_entities.unescape(quoted)
        scheme = _SCHEME.match(_IGNORED_IN_SCHEME.sub("", target))
        if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
            return " ".join(target.split())
    return None


def article_corrections(article, now: datetime, render: Callable[[str], str], zone: ZoneInfo) -> tuple[Correction, ...]:
    """The article's corrections, oldest first; `BuildError` at the line of the first bad entry.

    `render` turns the text's inline Markdown into HTML; `now` is the build's time (aware)."""
    published = article.date if has_date(article) else None
    corrections = []
    for number, entry in enumerate(entries(article), start=1):
        try:
            when, text = read_entry(entry.value, zone, published, now)
        except ValueError as problem:
            raise BuildError(article.source_path, entry.line, str(problem)) from None
        html = Markup(render(text))
        if (link := unsafe_link(html)) is not None:
            raise BuildError(article.source_path, entry.line,
                             f"the correction links to `{link}`: a link in a correction must be a web "
                             "address (https://...), a mailto: address or a path on this site")
        corrections.append(Correction(when=when, when_text=local_text(when), html=html,
                                      text=html.striptags(), anchor=f"{article.slug}-correction-{number}"))
    return tuple(sorted(corrections, key=lambda correction: correction.when))


def check_modified(article, now: datetime) -> None:
    """`BuildError` at `Modified:` when it is earlier than `Date:`, or later than `now` on an
    article already published (a scheduled one may be updated before it appears)."""
    modified = getattr(article, "modified", None)
    if modified is not None and has_date(article) and modified < article.date:
        raise BuildError(article.source_path, metadata_line(article.source_path, "Modified"),
                         f"Modified ({shown(modified)}) is before Date ({shown(article.date)}): "
                         f"an update comes after publication; check both")
    if modified is not None and has_date(article) and article.date <= now < modified:
        raise BuildError(article.source_path, metadata_line(article.source_path, "Modified"),
                         f"Modified ({shown(modified)}) is in the future: an update is dated when "
                         "it is made; check the date")
