"""Queries of the `mail_outbox` table: the mails still to send, with no Flask import.

The contract (the senders are comments_service/notifications/sender.py and `flask send-mail`):

- A mail is a row that `enqueue` writes in the caller's transaction: it exists exactly when the
  write that caused it commits. A rolled-back comment leaves no mail; a committed one's mail
  survives the worker, a SIGKILL and restarts.
- A sender takes one due row with `claim_due`, in a write transaction that it commits before it
  talks to the SMTP server. The claim adds one to `attempts` and moves `next_attempt_at` to the
  end of a lease, so no other sender (thread, worker or host) takes the row while it is being
  sent. On PostgreSQL the row is selected FOR UPDATE SKIP LOCKED: concurrent claimers skip each
  other's rows instead of waiting, and never take the same one. On SQLite the write transaction
  (BEGIN IMMEDIATE, one writer at a time) is the claim. A sender killed mid-send leaves the row
  to the next sender once the lease has run out (at-least-once: the SMTP server may have taken
  it; the Message-ID, fixed when queued, lets the copy be recognised).
- The outcome names the claim (`QueuedMail`: id and attempt number), so a sender whose lease ran
  out and whose row was claimed again changes nothing. Sent: `delete_sent` deletes the row (no
  copy of a sent mail is kept: it holds addresses and readers' text). Not sent:
  `record_failure` keeps the error and the time of the next attempt, or, with `retry_at=None`,
  marks the row failed (`failed_at`): it is kept, never sent again unless `retry_failed` makes
  it due, and deleted by `delete_failed_before` (the daily purge).

Every function runs in the caller's transaction and never commits. Times are aware UTC.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, and_, delete, func, select, update

from ..times import as_utc, utcnow
from .tables import mail_outbox

#: Characters of an SMTP error kept in `last_error`.
ERROR_MAX = 1000


@dataclass(frozen=True)
class QueuedMail:
    """A claimed row: what to send, and the claim (`id`, `attempts` counting this one)."""
    id: int
    attempts: int
    recipients: tuple[str, ...]
    subject: str
    body: str
    headers: tuple[tuple[str, str], ...]
    message_id: str
    created: datetime


def enqueue(conn: Connection, recipients: Sequence[str], subject: str, body: str,
            headers: Sequence[tuple[str, str]] = (), *, message_id: str,
            now: datetime | None = None) -> int:
    """Queue one mail, due at once; return its id. The values are stored as given: headers are
    made safe when the message is built (notifications/message.py)."""
    now = now or utcnow()
    result = conn.execute(mail_outbox.insert().values(
        recipients=json.dumps(list(recipients)), subject=subject, body=body,
        headers=json.dumps([list(pair) for pair in headers]), message_id=message_id,
        created=now, attempts=0, next_attempt_at=now))
    return result.inserted_primary_key[0]


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(mail_outbox.c.failed_at.is_(None), mail_outbox.c.next_attempt_at <= now)


def claim_due(conn: Connection, lease_seconds: float, now: datetime | None = None) -> QueuedMail | None:
    """Take the row due longest (None when nothing is due) and lease it for `lease_seconds`."""
    now = now or utcnow()
    query = (select(mail_outbox).where(_due(now))
             .order_by(mail_outbox.c.next_attempt_at, mail_outbox.c.id)
             .limit(1).with_for_update(skip_locked=True))
    row = conn.execute(query).first()
    if row is None:
        return None
    attempts = row.attempts + 1
    conn.execute(update(mail_outbox).where(mail_outbox.c.id == row.id).values(
        attempts=attempts, next_attempt_at=now + timedelta(seconds=lease_seconds)))
    return QueuedMail(id=row.id, attempts=attempts, recipients=tuple(json.loads(row.recipients)),
                      subject=row.subject, body=row.body,
                      headers=tuple((name, value) for name, value in json.loads(row.headers)),
                      message_id=row.message_id, created=as_utc(row.created))


def _still_claimed(mail: QueuedMail) -> ColumnElement[bool]:
    return and_(mail_outbox.c.id == mail.id, mail_outbox.c.attempts == mail.attempts,
                mail_outbox.c.failed_at.is_(None))


def delete_sent(conn: Connection, mail: QueuedMail) -> bool:
    """Forget a mail the SMTP server accepted; False when the claim had been taken over."""
    return conn.execute(delete(mail_outbox).where(_still_claimed(mail))).rowcount == 1


def record_failure(conn: Connection, mail: QueuedMail, error: str, *, retry_at: datetime | None,
                   now: datetime | None = None) -> bool:
    """Keep the error; the row is due again at `retry_at`, or failed for good when it is None.
    False when the claim had been taken over (nothing is changed)."""
    values: dict = {"last_error": error[:ERROR_MAX]}
    if retry_at is None:
        values["failed_at"] = now or utcnow()
    else:
        values["next_attempt_at"] = retry_at
    return conn.execute(update(mail_outbox).where(_still_claimed(mail)).values(**values)).rowcount == 1


def next_attempt_at(conn: Connection) -> datetime | None:
    """When the next row is due (now or in the past when one is due); None: nothing to send."""
    earliest = conn.execute(select(func.min(mail_outbox.c.next_attempt_at))
                            .where(mail_outbox.c.failed_at.is_(None))).scalar()
    return None if earliest is None else as_utc(earliest)


def counts(conn: Connection) -> tuple[int, int]:
    """(mails waiting to be sent, mails failed for good)."""
    failed = mail_outbox.c.failed_at.is_not(None)
    row = conn.execute(select(func.count().filter(~failed), func.count().filter(failed))
                       .select_from(mail_outbox)).one()
    return row[0], row[1]


def retry_failed(conn: Connection, now: datetime | None = None) -> int:
    """Make every failed mail due again, with a fresh count of attempts; return how many."""
    return conn.execute(update(mail_outbox).where(mail_outbox.c.failed_at.is_not(None))
                        .values(failed_at=None, attempts=0, next_attempt_at=now or utcnow())).rowcount


def delete_failed_before(conn: Connection, before: datetime) -> int:
    """Delete the mails that failed for good before `before`; return how many."""
    return conn.execute(delete(mail_outbox).where(mail_outbox.c.failed_at < before)).rowcount
