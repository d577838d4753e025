"""Queries of the `rebake_queue` table: the threads whose static page must be baked again, with no
Flask import.

The contract (the bakers are comments_service/rebake.py: a thread of each worker on the static
host, and `flask --app comments_service rebake-worker`):

- `enqueue` runs in the transaction of the write that changed what readers see, so the row is
  there exactly when the write commits. One row per thread, ever: enqueueing again adds one to
  its `version` (coalescing: a hundred posts while a bake runs make one more bake, not a hundred)
  and makes it due within `delay` seconds (REBAKE_DELAY_SECONDS: the posts of that moment are
  baked together), unless failed bakes have pushed it back (a new post does not turn a broken
  static root into a busy loop).
- A baker takes one due, pending row (version > baked_version) with `claim_due`, in a write
  transaction it commits BEFORE baking; the claim leases the row (due_at moves to the lease's
  end) and names the version it saw. The bake then reads the thread afresh, so it shows at least
  every write up to that version (each enqueue committed with its write). On PostgreSQL the row
  is taken FOR UPDATE SKIP LOCKED: claimers skip each other's rows, and a row whose enqueueing
  write has not committed yet is left for the next look. On SQLite the write transaction
  (BEGIN IMMEDIATE, one writer at a time) is the claim.
- `record_baked(claim)` sets baked_version to the claim's version (never lowers it); a write
  enqueued meanwhile has raised `version` beyond it, so the row stays pending and is baked again.
  `record_failure(claim, error, retry_at)` keeps the row pending, due at `retry_at`: a bake that
  fails is never lost, only retried (and logged by the baker).
- `baked_version(slug)` tells a waiting reader whether the bake covered their write yet.
Each function runs in the caller's transaction and never commits.
"""

from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Connection, Insert, bindparam, case, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..times import as_utc, utcnow
from .tables import rebake_queue

#: Characters of a failure's message kept in `last_error`.
ERROR_MAX = 2000


class Claim(NamedTuple):
    """A row a baker has taken: the thread and the version it must bake at least."""

    slug: str
    version: int
    failures: int


class QueueRow(NamedTuple):
    slug: str
    version: int
    baked_version: int
    due_at: datetime
    failures: int
    last_error: str | None


def enqueue(conn: Connection, slug: str, delay: float = 0.0, now: datetime | None = None) -> int:
    """Ask for a bake of `slug` covering this transaction's write, due `delay` seconds from now
    (the writes of that moment join the same bake); return the version to wait for."""
    due = (now or utcnow()) + timedelta(seconds=delay)
    return conn.execute(_UPSERTS[conn.dialect.name], {"queued_slug": slug, "queued_due": due}).scalar_one()


def _upsert(insert) -> Insert:
    """enqueue's statement for one dialect, built once (it runs inside every write's transaction:
    on SQLite, inside the writer's turn every other write waits for)."""
    table, due = rebake_queue.c, bindparam("queued_due", type_=rebake_queue.c.due_at.type)
    statement = insert(rebake_queue).values(slug=bindparam("queued_slug"), version=1, baked_version=0,
                                            due_at=due, failures=0)
    return statement.on_conflict_do_update(
        index_elements=[table.slug],
        set_={"version": table.version + 1,
              # Due by `due` (a leased row too: it is baked again after the bake in hand), never
              # later than it already was (a stream of writes does not postpone the bake), unless
              # failures have pushed it back.
              "due_at": case((table.failures > 0, table.due_at), (table.due_at > due, due),
                             else_=table.due_at)}).returning(table.version)


_UPSERTS = {"postgresql": _upsert(postgresql_insert), "sqlite": _upsert(sqlite_insert)}


def claim_due(conn: Connection, lease_seconds: float, now: datetime | None = None) -> Claim | None:
    """Take the pending row due longest (None when none is due) and lease it for `lease_seconds`."""
    now = now or utcnow()
    table = rebake_queue.c
    query = (select(table.slug, table.version, table.failures)
             .where(table.version > table.baked_version, table.due_at <= now)
             .order_by(table.due_at, table.slug).limit(1).with_for_update(skip_locked=True))
    row = conn.execute(query).first()
    if row is None:
        return None
    conn.execute(update(rebake_queue).where(table.slug == row.slug)
                 .values(due_at=now + timedelta(seconds=lease_seconds)))
    return Claim(slug=row.slug, version=row.version, failures=row.failures)


def record_baked(conn: Connection, claim: Claim) -> None:
    """The bake of `claim` is done: every write up to its version is on the page."""
    table = rebake_queue.c
    conn.execute(update(rebake_queue).where(table.slug == claim.slug).values(
        baked_version=case((table.baked_version < claim.version, claim.version),
                           else_=table.baked_version),
        failures=0, last_error=None))


def record_failure(conn: Connection, claim: Claim, error: str, *, retry_at: datetime) -> int:
    """The bake of `claim` failed: keep the row pending, due at `retry_at`; return the number of
    failures in a row."""
    table = rebake_queue.c
    return conn.execute(update(rebake_queue).where(table.slug == claim.slug)
                        .values(failures=table.failures + 1, last_error=error[:ERROR_MAX], due_at=retry_at)
                        .returning(table.failures)).scalar_one()


def baked_version(conn: Connection, slug: str) -> int | None:
    """The newest version of `slug` the static page shows (None: never queued)."""
    return conn.execute(select(rebake_queue.c.baked_version).where(rebake_queue.c.slug == slug)).scalar()


def next_due_at(conn: Connection) -> datetime | None:
    """When the next pending row is due (in the past when one is due now); None: nothing pending."""
    table = rebake_queue.c
    due = conn.execute(select(func.min(table.due_at)).where(table.version > table.baked_version)).scalar()
    return None if due is None else as_utc(due)


def pending(conn: Connection) -> list[QueueRow]:
    """The rows still to bake, due first (for the worker's report and the tests)."""
    table = rebake_queue.c
    rows = conn.execute(select(rebake_queue).where(table.version > table.baked_version)
                        .order_by(table.due_at, table.slug))
    return [QueueRow(row.slug, row.version, row.baked_version, as_utc(row.due_at), row.failures,
                     row.last_error) for row in rows]
