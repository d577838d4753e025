"""Writing staged comments into the database, beside the comments it already holds.

Contract (no Flask): `write_staged(conn, source, staging, on_progress)` runs inside the caller's
transaction, which must hold the write lock (`connect(engine, write=True)`); the caller commits,
or rolls back for a dry run. It creates the threads that are new (existing ones are kept and
marked changed, so cached pages are not served stale), gives the staged comments ids above
every id the database has ever given (sqlite_sequence, the PostgreSQL sequence), in the staged
order, in batches, and records which source id each comment came from (imported_comments) so
that the next import of the same source adds only what is new. A comment whose author asked for
reply mails gets a confirmed reply subscription. A row the database refuses raises
SourceRejected naming the source's comment and the database's reason.
"""

from collections.abc import Callable
from itertools import islice

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..core.storage.ids import advance_ids, lock_tables, next_id
from ..core.storage.imported import remember_imported
from ..core.storage.tables import (
    comments,
    imported_comments,
    reply_subscriptions,
    threads,
)
from ..core.storage.threads import changed_thread_id
from .items import SourceRejected
from .staging import Staged, Staging

_BATCH = 500  # comments per INSERT (and per progress step)


def write_staged(conn: Connection, source: str, staging: Staging,
                 on_progress: Callable[[int], None] = lambda done: None) -> None:
    """Insert the staged comments (see the module's contract)."""
    lock_tables(conn, threads, comments, imported_comments, reply_subscriptions)
    thread_ids = {slug: changed_thread_id(conn, slug) for slug in staging.slugs()}
    first_id = next_id(conn, comments)
    rows = staging.rows()
    while batch := list(islice(rows, _BATCH)):
        _insert(conn, source, batch, first_id, thread_ids)
        on_progress(len(batch))
    advance_ids(conn, comments, reply_subscriptions)


def _insert(conn: Connection, source: str, batch: list[Staged], first_id: int,
            thread_ids: dict[str, int]) -> None:
    def comment_id(number: int) -> int:
        return first_id + number - 1

    values = [staged.values | {
        "id": comment_id(staged.number), "thread_id": thread_ids[staged.slug],
        "parent_id": (comment_id(staged.parent_number) if staged.parent_number is not None
                      else staged.parent_id)} for staged in batch]
    subscriptions = [{"comment_id": comment_id(staged.number), "email": staged.values["email"],
                      "confirmed": True, "created": staged.values["created"]}
                     for staged in batch if staged.subscribed and staged.values["email"]]
    try:
        with conn.begin_nested():
            conn.execute(comments.insert(), values)
    except SQLAlchemyError:
        _refused_row(conn, batch, values)
    if subscriptions:
        conn.execute(reply_subscriptions.insert(), subscriptions)
    try:
        with conn.begin_nested():
            remember_imported(conn, source,
                              ((staged.key, comment_id(staged.number)) for staged in batch))
    except IntegrityError:
        raise SourceRejected(f"another import of this {source} source wrote some of these "
                             "comments while this one was reading: run it again, it will add "
                             "only what is still missing") from None


def _refused_row(conn: Connection, batch: list[Staged], values: list[dict]) -> None:
    """Find the row of a refused batch that the database refuses, and name it."""
    for staged, row in zip(batch, values, strict=True):
        try:
            with conn.begin_nested():
                conn.execute(comments.insert(), [row])
        except SQLAlchemyError as error:
            cause = getattr(error, "orig", None) or error
            raise SourceRejected(f"{staged.name} could not be stored: "
                                 f"{str(cause).strip().splitlines()[0]}") from error
    raise SourceRejected(f"comments {batch[0].name} to {batch[-1].name} could not be stored "
                         "together, though each one can")
