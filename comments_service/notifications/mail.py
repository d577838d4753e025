"""Outgoing mail, durable: the mails a write causes are rows of the outbox
(core/storage/outbox.py) committed in that write's transaction, and each worker process's
sender (sender.py) delivers them after the commit, retrying with backoff.

- `send(conn, ...)` queues a mail in the caller's transaction (call it before the commit): a
  rolled-back write leaves no mail, a committed one's mail survives the worker, SIGKILL and
  restarts, and the request never waits for the SMTP server.
- The sender starts in each process with its first request (and at once in gunicorn workers:
  gunicorn_conf.post_worker_init), is woken after a request that queued mail, and otherwise looks
  at the outbox every MAIL_POLL_SECONDS (mail from other processes, retries that come due).
- `flask --app comments_service send-mail` sends what is due once (cron, systemd, tests);
  `flush(app)` does the same in the caller's thread; `close(app)` stops the sender, waiting at
  most MAIL_SHUTDOWN_SECONDS (also at exit): what is not sent stays in the outbox.

Settings (core/defaults.py): SMTP_HOST ("" = mail off), SMTP_PORT, SMTP_SECURITY, SMTP_USERNAME,
SMTP_PASSWORD, SMTP_FROM, SMTP_TIMEOUT, and the outbox's MAIL_* settings. Failed attempts are
logged (loggers under `comments_service.notifications`); nothing here ever raises to a reader.
"""

from numbers import Real

import click
from flask import Flask, after_this_request, current_app, g, has_request_context
from flask.cli import with_appcontext
from sqlalchemy import Connection

from .. import db
from ..core.storage import outbox
from .message import Outgoing, SMTPSettings, build_message, header_text, new_message_id
from .sender import OutboxSender, RetryPolicy

__all__ = ["Outgoing", "SMTPSettings", "build_message", "close", "flush", "header_text",
           "init_app", "mail_enabled", "send", "smtp_settings", "start"]

_EXTENSION = "comments_mail"
_WAKE_AFTER_REQUEST = "comments_mail_wake"
_DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


def init_app(app: Flask) -> None:
    """Check the mail settings (a clear startup error when they are wrong) and attach the sender,
    started lazily in each process; without SMTP_HOST mail is off and nothing is started."""
    settings = smtp_settings(app.config)
    sender = None
    if settings is not None:
        with app.app_context():
            engine = db.engine()
        sender = OutboxSender(engine, settings, retry_policy(app.config),
                              poll_seconds=_seconds(app.config, "MAIL_POLL_SECONDS", positive=True),
                              shutdown_seconds=_seconds(app.config, "MAIL_SHUTDOWN_SECONDS"))
        app.before_request(sender.start)
    app.extensions[_EXTENSION] = sender
    app.cli.add_command(send_mail_command)


def smtp_settings(config) -> SMTPSettings | None:
    """The SMTP settings from `config`, None when SMTP_HOST is empty; RuntimeError when invalid.
    Strings are forced: from_prefixed_env turns a password like 123456 into a number."""
    host = config["SMTP_HOST"]
    if not host:
        return None
    security = config["SMTP_SECURITY"]
    if security not in _DEFAULT_PORTS:
        raise RuntimeError(f"COMMENTS_SMTP_SECURITY must be one of {', '.join(_DEFAULT_PORTS)}, "
                           f"not {security!r}")
    if not config["SMTP_FROM"]:
        raise RuntimeError("COMMENTS_SMTP_FROM must be set when COMMENTS_SMTP_HOST is "
                           "(the From address of the mails, e.g. comments@news.example.org)")
    moderators = config["MODERATOR_EMAILS"]
    if not isinstance(moderators, list) or not all(isinstance(item, str) for item in moderators):
        raise RuntimeError("COMMENTS_MODERATOR_EMAILS must be a JSON list of addresses, "
                           f"not {moderators!r}")
    return SMTPSettings(host=host, port=int(config["SMTP_PORT"]) or _DEFAULT_PORTS[security],
                        security=security, username=str(config["SMTP_USERNAME"]),
                        password=str(config["SMTP_PASSWORD"]), sender=str(config["SMTP_FROM"]),
                        timeout=_seconds(config, "SMTP_TIMEOUT", positive=True))


def retry_policy(config) -> RetryPolicy:
    """The outbox's MAIL_* settings; RuntimeError naming the variable when one is invalid."""
    attempts = config["MAIL_MAX_ATTEMPTS"]
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise RuntimeError(f"COMMENTS_MAIL_MAX_ATTEMPTS must be a whole number, 1 or more, "
                           f"not {attempts!r}")
    return RetryPolicy(max_attempts=attempts,
                       base_seconds=_seconds(config, "MAIL_RETRY_BASE_SECONDS", positive=True),
                       max_seconds=_seconds(config, "MAIL_RETRY_MAX_SECONDS", positive=True),
                       lease_seconds=_seconds(config, "MAIL_LEASE_SECONDS", positive=True))


def _seconds(config, name: str, *, positive: bool = False) -> float:
    value = config[name]
    if isinstance(value, bool) or not isinstance(value, Real) or value < 0 or (positive and value == 0):
        raise RuntimeError(f"COMMENTS_{name} must be a number of seconds, "
                           f"{'more than 0' if positive else '0 or more'}, not {value!r}")
    return float(value)


def mail_enabled() -> bool:
    return current_app.extensions[_EXTENSION] is not None


def send(conn: Connection, to: list[str], subject: str, body: str,
         headers: dict[str, str] | None = None) -> None:
    """Queue a plain-text mail from SMTP_FROM in the caller's transaction; it is sent once that
    commits (nothing when mail is off or `to` is empty). Inside a request, the process's sender
    is woken once the request is done (after the view's commit)."""
    sender = current_app.extensions[_EXTENSION]
    if sender is None or not to:
        return
    outbox.enqueue(conn, list(to), subject, body, list((headers or {}).items()),
                   message_id=new_message_id(sender.smtp.sender))
    if has_request_context() and _WAKE_AFTER_REQUEST not in g:
        setattr(g, _WAKE_AFTER_REQUEST, True)
        after_this_request(_wake_sender)


def _wake_sender(response):
    current_app.extensions[_EXTENSION].wake()
    return response


def start(app) -> None:
    """Start this process's sender for `app` (no-op when mail is off or `app` is not ours)."""
    sender = getattr(app, "extensions", {}).get(_EXTENSION)
    if sender is not None:
        sender.start()


def flush(app: Flask) -> None:
    """Send, in the caller's thread, every mail of `app`'s outbox that is due now (after the
    sender's thread has finished what it had in hand)."""
    sender = app.extensions[_EXTENSION]
    if sender is not None:
        sender.send_due()


def close(app: Flask) -> None:
    """Stop `app`'s sending thread, waiting at most MAIL_SHUTDOWN_SECONDS for the mail in hand."""
    sender = app.extensions[_EXTENSION]
    if sender is not None:
        sender.close()


@click.command("send-mail")
@click.option("--retry-failed", is_flag=True,
              help="First give the mails kept as failed a fresh round of attempts.")
@with_appcontext
def send_mail_command(retry_failed: bool) -> None:
    """Send the mail that is due in the outbox, once, then exit (for cron or a systemd timer)."""
    sender = current_app.extensions[_EXTENSION]
    if sender is None:
        raise click.ClickException("Mail is off: COMMENTS_SMTP_HOST is not set.")
    if retry_failed:
        click.echo(f"{sender.retry_failed()} failed mails are due again.")
    summary = sender.send_due()
    waiting, failed = sender.counts()
    click.echo(f"Sent {summary.sent}; not sent, to be retried: {summary.retried}; given up: "
               f"{summary.given_up}. In the outbox: {waiting} waiting, {failed} failed.")
