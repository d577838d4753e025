"""Each comment's public view as JSON text, kept in `comments.public_json` by the database.

`public_object(dialect)` is the SQL expression of exactly core.comment.public_view's JSON for
the row it reads (SQLite json_object, PostgreSQL json_build_object): a deleted comment as its
placeholder ("[deleted]", no website, the moderator's escaped public reason as its html),
`picked` / `pick_note` only for a comment that is not deleted, times as ISO 8601 UTC to the
second with a Z. Database triggers write it on every INSERT of a comment and every UPDATE of a
column it reads (`trigger_ddl`), so a thread page on a page-cache miss is one concatenation of
stored texts (thread_json.py) instead of one JSON object built per row per read.

Why triggers rather than storage code: a comment row is written by the API, moderation, votes,
the importers' bulk staging, the transfer restore and raw SQL in migrations and tests; a trigger
catches every one of them, and a write path added later cannot forget it. Each write pays O(1)
for its own row (SQLite: one extra UPDATE by rowid; PostgreSQL: the value set in a BEFORE row
trigger, no extra write).

Contract for later migrations: the triggers are compiled from this module when a migration runs
them (0011). A change of public_object (or of the columns it reads) needs a new migration that
calls `drop_triggers`, `create_triggers` and `backfill`; a migration that rebuilds the comments
table on SQLite (which drops its triggers) must call `create_triggers` again.
tests/comments_service/core/storage/test_public_json.py fails when the database's triggers are
not what this module compiles.
"""

from sqlalchemy import (
    Column,
    Connection,
    String,
    Table,
    Text,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    null,
    true,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ColumnElement

from ..comment import DELETED_AUTHOR, REMOVED_PREFIX
from .tables import comments

_TRIGGER = "comments_public_json"
#: The SQLite triggers' names (one per event; PostgreSQL has one trigger and its function).
_SQLITE_TRIGGERS = (f"{_TRIGGER}_insert", f"{_TRIGGER}_update")


def _escaped(value: ColumnElement) -> ColumnElement:
    """html.escape(value, quote=True) in SQL: & first, then < > " '."""
    for character, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;")):
        value = func.replace(value, character, entity)
    return value


def _moment(column: ColumnElement, dialect: str) -> ColumnElement:
    """The time as core.times.isoformat writes it: 2026-01-01T09:00:00Z (seconds truncated)."""
    if dialect == "sqlite":
        # SQLAlchemy stores it as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC): cut and paste, a third of
        # the cost of strftime() parsing it.
        return func.substr(column, 1, 10) + "T" + func.substr(column, 12, 8) + "Z"
    return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')


def _boolean(condition: ColumnElement, dialect: str) -> ColumnElement:
    """A JSON true / false (SQLite has no boolean: json('true') keeps its JSON meaning)."""
    if dialect == "sqlite":
        return func.json(case((condition, literal("true")), else_=literal("false")))
    return case((condition, true()), else_=false())


def public_object(dialect: str, row: Table = comments) -> ColumnElement:
    """The JSON text of public_view(comment) for the comments row `row` (the table, or an alias
    of it: PostgreSQL's trigger reads the row as `new`)."""
    c = row.c
    deleted = c.deleted == true()
    shown_pick = and_(c.picked == true(), c.deleted == false())
    reason = c.moderation_reason
    removal = case((func.coalesce(reason, "") != "", literal(REMOVED_PREFIX) + _escaped(reason) + "</p>"),
                   else_=literal(""))
    fields = [
        ("id", c.id), ("parent", c.parent_id),
        ("author", case((deleted, literal(DELETED_AUTHOR)), else_=c.author)),
        ("website", case((deleted, null()), else_=c.website)),
        ("html", case((deleted, removal), else_=c.html)),
        ("created", _moment(c.created, dialect)), ("edited", _moment(c.edited, dialect)),
        ("likes", c.likes), ("dislikes", c.dislikes),
        ("picked", _boolean(shown_pick, dialect)),
        ("pick_note", case((shown_pick, c.pick_note), else_=null())),
        ("kind", c.kind), ("about_reference", c.about_reference), ("about_paragraph", c.about_paragraph),
    ]
    arguments = [item for name, value in fields for item in (literal(name), value)]
    if dialect == "sqlite":
        return func.json_object(*arguments, type_=String)
    return cast(func.json_build_object(*arguments), Text)


def read_columns() -> list[str]:
    """The comments columns public_object reads (in table order): an UPDATE of any of them
    changes the stored text."""
    used = {element.name for element in visitors.iterate(public_object("sqlite"))
            if isinstance(element, Column) and element.table is comments}
    return [column.name for column in comments.columns if column.name in used]


def _sql(statement, dialect: Dialect) -> str:
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def trigger_ddl(dialect: Dialect) -> list[str]:
    """The statements that create the triggers keeping public_json right, for `dialect`."""
    if dialect.name == "sqlite":
        # AFTER triggers: SQLite's BEFORE triggers cannot set NEW. The UPDATE names the row by
        # its id and is not among the columns the update trigger watches, so it fires nothing.
        refresh = _sql(update(comments).where(comments.c.id == literal_column("NEW.id"))
                       .values(public_json=public_object("sqlite")), dialect)
        watched = ", ".join(read_columns())
        return [f"CREATE TRIGGER {_SQLITE_TRIGGERS[0]} AFTER INSERT ON comments "
                f"BEGIN {refresh}; END",
                f"CREATE TRIGGER {_SQLITE_TRIGGERS[1]} AFTER UPDATE OF {watched} ON comments "
                f"BEGIN {refresh}; END"]
    # A BEFORE row trigger sets the column in the row being written: no second write. Defaults
    # (the id's sequence) are applied before it runs.
    return [f"CREATE FUNCTION {_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $${_function_body(dialect)}$$",
            f"CREATE TRIGGER {_TRIGGER} BEFORE INSERT OR UPDATE ON comments "
            f"FOR EACH ROW EXECUTE FUNCTION {_TRIGGER}()"]


def _function_body(dialect: Dialect) -> str:
    """PostgreSQL's trigger function: the expression over the row being written, `new`."""
    value = _sql(public_object("postgresql", comments.alias("new")), dialect)
    return f"\nBEGIN\n  NEW.public_json := {value};\n  RETURN NEW;\nEND\n"


def create_triggers(conn: Connection) -> None:
    for statement in trigger_ddl(conn.dialect):
        conn.exec_driver_sql(statement)


def drop_triggers(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        for name in _SQLITE_TRIGGERS:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        return
    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {_TRIGGER} ON comments")
    conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {_TRIGGER}()")


def backfill(conn: Connection) -> None:
    """Write every comment's public_json (existing rows, when the column or its shape is new)."""
    conn.execute(update(comments).values(public_json=public_object(conn.dialect.name)))


def triggers_in_database(conn: Connection) -> list[str]:
    """The definitions the database holds: SQLite's CREATE TRIGGER statements, PostgreSQL's
    function body (tests compare them with expected_triggers)."""
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                    "AND tbl_name = 'comments' ORDER BY name").all()
        return [row[0] for row in rows]
    function = conn.exec_driver_sql(
        f"SELECT prosrc FROM pg_proc WHERE proname = '{_TRIGGER}' "
        "AND pronamespace = current_schema()::regnamespace").scalar()
    return [function] if function is not None else []


def expected_triggers(dialect: Dialect) -> list[str]:
    """What triggers_in_database holds once create_triggers ran with this module's code."""
    if dialect.name == "sqlite":
        return trigger_ddl(dialect)
    return [_function_body(dialect)]
