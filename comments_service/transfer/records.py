"""What an export holds besides threads and comments: one top-level array per table (since
version 3), each described once by a Section that export, the checks and the writer all follow.

Contract (no Flask, no click):
- SECTIONS: the moderation log and the import keys, always exported, then the reply
  subscriptions and confirmed addresses, exported only when asked for (`personal`: email
  addresses kept apart from comments). Absent from version 1 and 2 files: read as empty.
- export_records(conn, with_addresses): the sections' items, sorted in Python (never by the
  database's collation, which differs between backends and servers), times exact as for
  comments; the personal sections only `with_addresses`.
- check_records(document, comment_ids): the rows (column values) of every section, once no two
  items share a key and every item that names a comment names one of the file
  (`comment_ids`); else RecordProblem with the item's path and what is wrong.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, select

from ..core.storage.tables import (confirmed_addresses, imported_comments, moderation_log,
                                   reply_subscriptions)
from ..core.times import as_utc, exact_isoformat


@dataclass(frozen=True)
class Section:
    """One table as a top-level array of the export document."""

    key: str  # the document's array
    one: str  # what an item is, in messages: "moderation log entry"
    many: str  # and several: "moderation log entries"
    table: Table
    fields: dict[str, str]  # item field -> column
    order: tuple[str, ...]  # the fields exports sort by
    unique: tuple[tuple[str, ...], ...]  # fields whose values no two items may share
    timestamps: tuple[str, ...] = ()
    comment: str | None = None  # a field that must name a comment of the file (when not null)
    personal: bool = False  # email addresses: exported only with --with-addresses

    def counted(self, count: int) -> str:
        """"1 import key", "2 import keys"."""
        return f"{count} {self.one if count == 1 else self.many}"

    @property
    def explicit_ids(self) -> bool:
        """The items carry their rows' ids (kept on import)."""
        return self.fields.get("id") == "id"


MODERATION_LOG = Section(
    key="moderation_log", one="moderation log entry", many="moderation log entries",
    table=moderation_log,
    fields={"id": "id", "at": "at", "actor": "actor", "action": "action",
            "comment": "comment_id", "thread": "thread_slug", "reason": "reason"},
    # No reference check: the log names comments by plain number (no foreign key), so that an
    # entry outlives the comment it is about.
    order=("id",), unique=(("id",),), timestamps=("at",))
IMPORT_KEYS = Section(
    key="import_keys", one="import key", many="import keys", table=imported_comments,
    fields={"source": "source", "source_id": "source_id", "comment": "comment_id"},
    order=("source", "source_id"), unique=(("source", "source_id"),), comment="comment")
REPLY_SUBSCRIPTIONS = Section(
    key="reply_subscriptions", one="reply subscription", many="reply subscriptions",
    table=reply_subscriptions,
    fields={"id": "id", "comment": "comment_id", "email": "email", "confirmed": "confirmed",
            "created": "created"},
    # Ids and creation times are kept: the links in mails already sent name both.
    order=("id",), unique=(("id",), ("comment",)), timestamps=("created",), comment="comment",
    personal=True)
CONFIRMED_ADDRESSES = Section(
    key="confirmed_addresses", one="confirmed address", many="confirmed addresses",
    table=confirmed_addresses,
    fields={"email": "email", "confirmed": "confirmed"},
    order=("email",), unique=(("email",),), timestamps=("confirmed",), personal=True)
SECTIONS = (MODERATION_LOG, IMPORT_KEYS, REPLY_SUBSCRIPTIONS, CONFIRMED_ADDRESSES)


class RecordProblem(ValueError):
    """An item that cannot be imported: `path` (["moderation_log", 3]) and the message."""

    def __init__(self, path: list[str | int], message: str):
        super().__init__(message)
        self.path = path


def export_records(conn: Connection, *, with_addresses: bool) -> dict[str, list[dict[str, Any]]]:
    return {section.key: _exported(conn, section) for section in SECTIONS
            if with_addresses or not section.personal}


def _exported(conn: Connection, section: Section) -> list[dict[str, Any]]:
    items = []
    for row in conn.execute(select(section.table)):
        item = {field: row._mapping[column] for field, column in section.fields.items()}
        for field in section.timestamps:
            item[field] = exact_isoformat(item[field])
        items.append(item)
    return sorted(items, key=lambda item: tuple(item[field] for field in section.order))


def check_records(document: dict[str, Any],
                  comment_ids: set[int]) -> dict[str, list[dict[str, Any]]]:
    """Every section's rows, column by column; RecordProblem for the first bad item, or for
    personal sections in a file that does not say `with_addresses`."""
    for section in SECTIONS:
        if section.personal and section.key in document and not document.get("with_addresses"):
            raise RecordProblem([section.key], "listed although `with_addresses` is not true: a "
                                "file that holds them says so")
    return {section.key: _checked(section, document.get(section.key, []), comment_ids)
            for section in SECTIONS}


def _checked(section: Section, items: list[dict[str, Any]],
             comment_ids: set[int]) -> list[dict[str, Any]]:
    seen: dict[tuple[str, ...], set] = {fields: set() for fields in section.unique}
    rows = []
    for index, item in enumerate(items):
        try:
            _check_item(section, item, seen, comment_ids)
            rows.append(_stored(section, item))
        except ValueError as problem:
            raise RecordProblem([section.key, index], str(problem)) from None
    return rows


def _check_item(section: Section, item: dict[str, Any], seen: dict[tuple[str, ...], set],
                comment_ids: set[int]) -> None:
    for fields, values in seen.items():
        value = tuple(item[field] for field in fields)
        if value in values:
            raise ValueError(f"its {' and '.join(fields)} {_shown(value)} listed twice")
        values.add(value)
    comment = item.get(section.comment) if section.comment else None
    if comment is not None and comment not in comment_ids:
        raise ValueError(f"its {section.comment} {comment} is not a comment of the file")


def _shown(value: tuple) -> str:
    return f"{value[0]!r} is" if len(value) == 1 else f"{value!r} are"


def _stored(section: Section, item: dict[str, Any]) -> dict[str, Any]:
    """Column values of an item (ValueError for a time Python cannot represent)."""
    row = {column: item.get(field) for field, column in section.fields.items()}
    for field in section.timestamps:
        column = section.fields[field]
        if row[column] is not None:
            row[column] = utc_timestamp(field, row[column])
    return row


def utc_timestamp(field: str, text: str) -> datetime:
    """A document's RFC 3339 time (the schema checked its form) as an aware UTC datetime;
    ValueError naming `field` for one Python cannot hold (an offset from 0001-01-01 or
    9999-12-31 takes it out of the years 1 to 9999)."""
    try:
        return as_utc(datetime.fromisoformat(text))
    except OverflowError:
        raise ValueError(f"its {field} {text!r} is outside the years 1 to 9999 in UTC") from None
