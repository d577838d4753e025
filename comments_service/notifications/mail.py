"""Outgoing mail: plain-text messages delivered through SMTP by one background thread per app, so
a slow or dead mail server never slows down or fails a request.

`send()` only queues; the thread (started on first use, so it also starts in each forked
gunicorn worker) builds and delivers each message, one SMTP connection per message, and logs
what fails (logger `comments_service.mail`). Nothing here ever raises to a reader. At interpreter
exit the queue is drained for at most SMTP_TIMEOUT seconds; tests call `flush()`.

Settings (core/defaults.py): SMTP_HOST ("" = mail off), SMTP_PORT, SMTP_SECURITY, SMTP_USERNAME,
SMTP_PASSWORD, SMTP_FROM, SMTP_TIMEOUT. Header values are cleaned of line breaks and other
control characters, so reader input (names) can never add a header.
"""

import atexit
import logging
import queue
import re
import smtplib
import ssl
import threading
import unicodedata
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import Flask, current_app

log = logging.getLogger(__name__)

_EXTENSION = "comments_mail"
_DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
_LINE_BREAKS = frozenset({"Cc", "Zl", "Zp"})  # control characters, line and paragraph separators
_STOP = object()


@dataclass(frozen=True)
class SMTPSettings:
    host: str
    port: int
    security: str
    username: str
    password: str
    sender: str
    timeout: float


@dataclass(frozen=True)
class Outgoing:
    """A mail waiting in the queue: recipients' addresses, subject, plain-text body, extra headers."""
    to: tuple[str, ...]
    subject: str
    body: str
    headers: tuple[tuple[str, str], ...] = ()


def init_app(app: Flask) -> None:
    """Check the SMTP settings (a clear startup error when they are wrong) and attach the sender;
    without SMTP_HOST mail is off and nothing is started."""
    settings = smtp_settings(app.config)
    app.extensions[_EXTENSION] = MailSender(settings) if settings else None


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
                        timeout=float(config["SMTP_TIMEOUT"]))


def mail_enabled() -> bool:
    return current_app.extensions[_EXTENSION] is not None


def send(to: list[str], subject: str, body: str, headers: dict[str, str] | None = None) -> None:
    """Queue a plain-text mail from SMTP_FROM (nothing when mail is off or `to` is empty)."""
    sender = current_app.extensions[_EXTENSION]
    if sender is not None and to:
        sender.submit(Outgoing(tuple(to), subject, body, tuple((headers or {}).items())))


def flush(app: Flask) -> None:
    """Wait until every mail queued by `app` is delivered or has failed."""
    sender = app.extensions[_EXTENSION]
    if sender is not None:
        sender.flush()


def close(app: Flask) -> None:
    """Deliver what `app` has queued, then stop its mail thread."""
    sender = app.extensions[_EXTENSION]
    if sender is not None:
        sender.close()


def header_text(value: str) -> str:
    """`value` on one line: line breaks and control characters become spaces, runs of spaces one."""
    flat = "".join(" " if unicodedata.category(char) in _LINE_BREAKS else char for char in value)
    return re.sub(r"\s+", " ", flat).strip()


def build_message(sender: str, outgoing: Outgoing) -> EmailMessage:
    """The mail as sent: text/plain UTF-8 only, every header value on one line. Raises ValueError
    for an address that is not one (e.g. "a,b@example.org")."""
    message = EmailMessage()
    message["From"] = header_text(sender)
    message["To"] = [Address(addr_spec=address) for address in outgoing.to]
    message["Subject"] = header_text(outgoing.subject)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=message["From"].addresses[0].domain or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    for name, value in outgoing.headers:
        message[name] = header_text(value)
    message.set_content(outgoing.body)
    return message


class MailSender:
    """One app's mail queue and the thread that empties it."""

    def __init__(self, settings: SMTPSettings):
        self.settings = settings
        self._queue: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._exit_hook = False

    def submit(self, outgoing: Outgoing) -> None:
        self._start_worker()
        self._queue.put(outgoing)

    def flush(self) -> None:
        self._queue.join()

    def close(self) -> None:
        """Stop the thread once the queue is empty, waiting at most SMTP_TIMEOUT seconds."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is None or not thread.is_alive():
            return
        self._queue.put(_STOP)
        thread.join(self.settings.timeout)
        if thread.is_alive():
            log.error("mail: %d messages still queued were not sent", self._queue.qsize() - 1)

    def _start_worker(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._work, name="comments-mail", daemon=True)
            self._thread.start()
            if not self._exit_hook:
                atexit.register(self.close)
                self._exit_hook = True

    def _work(self) -> None:
        while True:
            outgoing = self._queue.get()
            try:
                if outgoing is _STOP:
                    return
                self._deliver(outgoing)
            except Exception:  # a worker that dies would silently drop every later mail
                log.exception("mail %r to %d recipients not sent", header_text(outgoing.subject),
                              len(outgoing.to))
            finally:
                self._queue.task_done()

    def _deliver(self, outgoing: Outgoing) -> None:
        settings = self.settings
        message = build_message(settings.sender, outgoing)
        tls = ssl.create_default_context()
        if settings.security == "ssl":
            smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=tls)
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with smtp:
            if settings.security == "starttls":
                smtp.starttls(context=tls)
            if settings.username:
                smtp.login(settings.username, settings.password)
            smtp.send_message(message, to_addrs=list(outgoing.to))
