"""The outbox's sender, with no Flask import: it delivers the rows of `mail_outbox`
(core/storage/outbox.py) and retries what fails.

Contract:
- One sender object per app; `start()` runs its thread in the calling process (a forked gunicorn
  worker starts its own: the object notices the new process id). The thread sends what is due,
  then sleeps until the next row is due, `wake()` or MAIL_POLL_SECONDS, whichever comes first.
- Each mail is claimed alone (a lease of MAIL_LEASE_SECONDS), sent over its own SMTP connection
  (every step bounded by SMTP_TIMEOUT), then deleted; no database connection is held while
  talking to the SMTP server. Senders in other threads, workers or hosts never take the same row.
- A failure is retried after MAIL_RETRY_BASE_SECONDS, doubled for every failed attempt up to
  MAIL_RETRY_MAX_SECONDS; the MAIL_MAX_ATTEMPTS-th failure (or a message that cannot be built at
  all) keeps the row as failed and logs an error. Every failed attempt is logged: no silent loss.
- A server that cannot be reached (refused, timed out, hung up) ends the pass at once: the other
  due mails are not tried and lose no attempt; the thread tries again after a pause of the same
  doubling delay, at most MAIL_POLL_SECONDS. A server's answer (a refused recipient, say) concerns
  one mail only.
- `close()` stops the thread: it claims nothing more and is waited for at most
  MAIL_SHUTDOWN_SECONDS (at interpreter exit too), so an SMTP server that never answers cannot
  hold up a shutdown. What is not sent stays in the outbox for the next sender.
- `send_due()` sends what is due now in the caller's thread (`flask send-mail`, tests); it never
  runs at the same time as this object's thread.
"""

import logging
import smtplib
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine

from ..core.queue_thread import QueueThread, running
from ..core.storage import outbox
from ..core.storage.database import connect
from ..core.storage.outbox import QueuedMail
from ..core.times import utcnow
from .message import Outgoing, SMTPSettings, deliver, header_text

log = logging.getLogger(__name__)
#: Seconds the thread waits at least before it looks again (a due row it could not take was being
#: claimed by another sender at that moment; a tiny retry delay must not make it spin).
_MIN_WAIT = 0.1


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_seconds: float
    max_seconds: float
    lease_seconds: float

    def delay(self, attempts: int) -> float:
        """Seconds before the next attempt after `attempts` failed ones: base, doubled each time,
        capped at max_seconds."""
        return min(self.base_seconds * 2 ** min(attempts - 1, 64), self.max_seconds)


@dataclass
class Summary:
    """What one `send_due()` did."""
    sent: int = 0
    retried: int = 0
    given_up: int = 0
    #: The pass ended because the SMTP server could not be reached.
    unreachable: bool = False


class OutboxSender(QueueThread):
    """One app's sender: the mails of its database, delivered through its SMTP settings."""

    thread_name = "comments-mail"

    def __init__(self, engine: Engine, smtp: SMTPSettings, policy: RetryPolicy, *,
                 poll_seconds: float, shutdown_seconds: float):
        self.engine = engine
        self.smtp = smtp
        self.policy = policy
        self.poll_seconds = poll_seconds
        self.shutdown_seconds = shutdown_seconds
        super().__init__()

    def close(self) -> None:
        """Stop the thread; wait for the mail in hand at most `shutdown_seconds`."""
        if not self.stop_thread(self.shutdown_seconds):
            log.warning("mail: the SMTP server still had not answered after %g s at shutdown; "
                        "stopped waiting. The mail in hand stays in the outbox and is tried "
                        "again once its lease of %g s has run out.",
                        self.shutdown_seconds, self.policy.lease_seconds)

    def send_due(self, stop: threading.Event | None = None) -> Summary:
        """Claim and send one due mail after another until none is due, the SMTP server cannot be
        reached, or `stop` is set."""
        summary = Summary()
        with self._busy:
            while not summary.unreachable and (stop is None or not stop.is_set()):
                mail = self._write(outbox.claim_due, self.policy.lease_seconds)
                if mail is None:
                    break
                self._send(mail, summary)
        return summary

    def retry_failed(self) -> int:
        """Make the mails kept as failed due again; return how many."""
        return self._write(outbox.retry_failed)

    def counts(self) -> tuple[int, int]:
        """(mails waiting, mails failed) in the outbox."""
        with connect(self.engine) as conn:
            return outbox.counts(conn)

    def _run(self, stop: threading.Event) -> None:
        unreachable = 0  # passes in a row that found the SMTP server unreachable
        while not stop.is_set():
            self._wake.clear()
            try:
                unreachable = unreachable + 1 if self.send_due(stop).unreachable else 0
                wait = (min(self.poll_seconds, max(_MIN_WAIT, self.policy.delay(unreachable)))
                        if unreachable else self._seconds_until_due())
            except Exception:  # a database that does not answer: the rows wait, nothing is lost
                log.exception("mail: the outbox could not be read or written; trying again in "
                              "%g s", self.poll_seconds)
                wait = self.poll_seconds
            self._wake.wait(wait)

    def _seconds_until_due(self) -> float:
        with connect(self.engine) as conn:
            due = outbox.next_attempt_at(conn)
        if due is None:
            return self.poll_seconds
        return max(_MIN_WAIT, min(self.poll_seconds, (due - utcnow()).total_seconds()))

    def _write(self, function, *args, **kwargs) -> Any:
        """`function(conn, ...)` in a write transaction of its own, committed."""
        with connect(self.engine, write=True) as conn:
            result = function(conn, *args, **kwargs)
            conn.commit()
        return result

    def _send(self, mail: QueuedMail, summary: Summary) -> None:
        try:
            deliver(self.smtp, Outgoing(mail.recipients, mail.subject, mail.body, mail.headers,
                                        mail.message_id, mail.created))
        except Exception as error:  # noqa: BLE001 - every failure is recorded and logged
            self._failed(mail, error, summary)
        else:
            if not self._write(outbox.delete_sent, mail):
                log.warning("mail %d was sent after its lease had run out; another sender may "
                            "have sent it too", mail.id)
            summary.sent += 1

    def _failed(self, mail: QueuedMail, error: Exception, summary: Summary) -> None:
        described = f"{type(error).__name__}: {error}"
        subject = header_text(mail.subject)
        summary.unreachable = _unreachable(error)
        if isinstance(error, ValueError) or mail.attempts >= self.policy.max_attempts:
            self._write(outbox.record_failure, mail, described, retry_at=None)
            summary.given_up += 1
            log.error("mail %r to %d recipients not sent after %d attempts; kept in the outbox "
                      "as failed (id %d)", subject, len(mail.recipients), mail.attempts, mail.id,
                      exc_info=error)
            return
        delay = self.policy.delay(mail.attempts)
        self._write(outbox.record_failure, mail, described,
                    retry_at=utcnow() + timedelta(seconds=delay))
        summary.retried += 1
        log.warning("mail %r to %d recipients not sent (attempt %d of %d); next attempt in %g s",
                    subject, len(mail.recipients), mail.attempts, self.policy.max_attempts, delay,
                    exc_info=error)


def close_all() -> None:
    """Stop every sender running in this process (tests after each test; at exit, queue_thread)."""
    for sender in running(OutboxSender):
        sender.close()


def _unreachable(error: Exception) -> bool:
    """The SMTP server could not be reached or stopped answering, as opposed to answering about
    this mail (smtplib's errors are OSErrors too)."""
    answered = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)
    return isinstance(error, OSError) and not isinstance(error, answered)
