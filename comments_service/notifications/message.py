"""One mail as it goes over SMTP, with no Flask import: the SMTP settings, the message built from
an outbox row, and its delivery over one connection.

Header values are cleaned of line breaks and other control characters, and recipients must be
single addresses, so reader input (names, titles) can never add a header or a recipient.
"""

import re
import smtplib
import ssl
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formatdate, make_msgid

_LINE_BREAKS = frozenset({"Cc", "Zl", "Zp"})  # control characters, line and paragraph separators


@dataclass(frozen=True)
class SMTPSettings:
    host: str
    port: int
    security: str  # "none", "starttls" or "ssl"
    username: str
    password: str
    sender: str
    timeout: float


@dataclass(frozen=True)
class Outgoing:
    """A mail to send: recipients' addresses, subject, plain-text body, extra headers, and the
    Message-ID and Date fixed when it was queued (None: made when the message is built)."""
    to: tuple[str, ...]
    subject: str
    body: str
    headers: tuple[tuple[str, str], ...] = ()
    message_id: str | None = None
    date: datetime | None = None


def header_text(value: str) -> str:
    """`value` on one line: line breaks and control characters become spaces, runs of spaces one."""
    flat = "".join(" " if unicodedata.category(char) in _LINE_BREAKS else char for char in value)
    return re.sub(r"\s+", " ", flat).strip()


def sender_domain(sender: str) -> str | None:
    """The domain of a From value such as "News <comments@news.example.org>" (for Message-IDs)."""
    message = EmailMessage()
    message["From"] = header_text(sender)
    return message["From"].addresses[0].domain or None


def new_message_id(sender: str) -> str:
    return make_msgid(domain=sender_domain(sender))


def build_message(sender: str, outgoing: Outgoing) -> EmailMessage:
    """The mail as sent: text/plain UTF-8 only, every header value on one line. Raises ValueError
    for an address that is not one (e.g. "a,b@example.org")."""
    message = EmailMessage()
    message["From"] = header_text(sender)
    message["To"] = [Address(addr_spec=address) for address in outgoing.to]
    message["Subject"] = header_text(outgoing.subject)
    message["Date"] = (format_datetime(outgoing.date, usegmt=True) if outgoing.date
                       else formatdate(usegmt=True))
    message["Message-ID"] = header_text(outgoing.message_id or new_message_id(sender))
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    for name, value in outgoing.headers:
        message[name] = header_text(value)
    message.set_content(outgoing.body)
    return message


def deliver(settings: SMTPSettings, outgoing: Outgoing) -> None:
    """Send one mail over a connection of its own; raises what fails (OSError, smtplib errors,
    ValueError for a message that cannot be built). Every step (connect and each command) waits
    at most SMTP_TIMEOUT seconds."""
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
