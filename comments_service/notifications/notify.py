"""The mails the service sends, and when (docs/privacy.md says what they contain):

- a comment is held for moderation: every MODERATOR_EMAILS address gets the article, the
  author, the text, the reasons it was held and the link to /admin/;
- a comment asks for reply notifications (`notify`): its address gets a confirmation link
  (double opt-in, nothing else is ever sent to an unconfirmed address);
- a reply is published: the confirmed subscriber of the parent comment gets it, with an RFC 8058
  one-click unsubscribe link (not when they replied to themselves);
- under MODERATION=first, a moderator approves a comment whose address is not confirmed yet: the
  address gets a link confirming it (comments from a confirmed address skip moderation).

Call these after the write is committed (a rolled-back comment must not be mailed about), inside
a request: the mails link to the article (SITE_URL) and to the service (SERVICE_URL, else
SITE_URL; only development falls back to the request's host, see threads.site_base). A reader's
text is quoted line by line, so it cannot forge lines of the mail. They read on a connection of their own and
only queue mail (notifications/mail.py), so they cost a request one or two small queries and never fail it.
"""

import functools
import logging
from urllib.parse import urljoin

from flask import current_app, request, url_for
from sqlalchemy import Connection
from sqlalchemy.engine import Row

from .. import db
from ..core.comment import APPROVED, PENDING, Comment
from ..core.storage import comments as stored
from ..core.storage.addresses import is_confirmed
from ..core.storage.database import connect
from ..core.storage.subscriptions import confirmed_subscription, subscribe, subscription_of
from ..core.times import stamp
from ..core.tokens import issue_address_token, issue_confirm_token, issue_unsubscribe_token
from ..threads import find_thread, service_base, thread_url
from . import mail

log = logging.getLogger(__name__)


def subscribe_to_replies(conn: Connection, comment: Comment, email: str) -> None:
    """Store the (unconfirmed) reply subscription a new comment asks for, in the caller's
    transaction; nothing when mail is off, since it could never be confirmed."""
    if mail.mail_enabled():
        subscribe(conn, comment.id, email)


def _after_commit(function):
    """Mail follows a committed write: whatever fails here is logged, never answered with a 5xx
    (the reader's comment is stored; a client that retried would post it twice)."""
    @functools.wraps(function)
    def guarded(*args, **kwargs) -> None:
        try:
            function(*args, **kwargs)
        except Exception:  # noqa: BLE001
            log.exception("mail after a committed write failed (%s)", function.__name__)
    return guarded


@_after_commit
def comment_posted(comment: Comment) -> None:
    """The mails a new comment causes: moderator alert if held, confirmation if it asked for
    reply notifications, reply notification if published as a reply."""
    if not mail.mail_enabled():
        return
    with connect(db.engine()) as conn:
        posted = stored.get_comment(conn, comment.id)
        own_subscription = subscription_of(conn, comment.id)
        parent_subscription = _parent_subscription(conn, posted)
    if posted is None:
        return
    if posted.state == PENDING:
        _mail_moderators(posted)
    if own_subscription is not None and not own_subscription.confirmed:
        _mail_confirmation(posted, own_subscription)
    if parent_subscription is not None:
        _mail_reply(posted, parent_subscription)


@_after_commit
def notify_reply_published(comment: Comment) -> None:
    """Mail the confirmed subscriber of the comment `comment` replies to, now that `comment` is
    published (the approve action calls this after committing; `comment` needs only `.id`)."""
    if not mail.mail_enabled():
        return
    with connect(db.engine()) as conn:
        reply = stored.get_comment(conn, comment.id)
        subscription = _parent_subscription(conn, reply)
    if subscription is not None:
        _mail_reply(reply, subscription)


def _parent_subscription(conn: Connection, reply: Comment | None) -> Row | None:
    """The subscription a published reply must be mailed to: None when there is none, when the
    reply is not published, or when its author is the subscriber (same address)."""
    if reply is None or reply.parent is None or reply.state != APPROVED or reply.deleted:
        return None
    subscription = confirmed_subscription(conn, reply.parent)
    if subscription is None or (reply.email or "").casefold() == subscription.email.casefold():
        return None
    return subscription


def _article(slug: str) -> tuple[str, str]:
    """The article's title and absolute URL (the slug and no URL for a thread no longer built)."""
    thread = find_thread(slug)
    if thread is None:
        return slug, ""
    return thread.title or slug, thread_url(thread)


def _service_link(path: str) -> str:
    return urljoin(service_base(), path)


def _quoted(text: str) -> str:
    """A reader's text in a mail, every line marked as quoted: no line of it (whatever line
    separator it uses) can pass for a line of ours, such as a forged "Approve:" link."""
    return "\n".join(f"> {line}" for line in (text or "").splitlines()) or ">"


def _mail_moderators(comment: Comment) -> None:
    title, url = _article(comment.thread)
    reasons = ", ".join((comment.flags or "").split()) or "the moderation setting"
    body = (f"A comment is waiting for moderation.\n\n"
            f"Article: {title}\n         {url}\n"
            f"Author:  {mail.header_text(comment.author)}\n"
            f"Email:   {comment.email or '(none)'}\n"
            f"Website: {mail.header_text(comment.website or '(none)')}\n"
            f"Held because: {reasons}\n\n"
            f"The comment, as typed:\n{_quoted(comment.text)}\n\n"
            f"Approve or reject it: {_service_link(request.script_root + '/admin/')}\n")
    mail.send(current_app.config["MODERATOR_EMAILS"],
              f"Held for moderation: comment by {comment.author} on “{title}”", body)


def _mail_confirmation(comment: Comment, subscription: Row) -> None:
    title, url = _article(comment.thread)
    token = issue_confirm_token(current_app.secret_key, subscription.id,
                                stamp(subscription.created))
    days = max(1, current_app.config["SUBSCRIPTION_CONFIRM_MAX_AGE"] // 86400)
    body = (f"Someone, probably you, asked to be emailed when somebody replies to the comment "
            f"posted as {comment.author} on “{title}”:\n{url}#comment-{comment.id}\n\n"
            f"To confirm, open this link and press the button (it works for {days} days):\n"
            f"{_service_link(url_for('subscriptions.confirm', token=token))}\n\n"
            f"If it was not you, ignore this email: nothing more will be sent to you.\n")
    mail.send([comment.email], f"Confirm reply notifications for your comment on “{title}”", body)


def _mail_reply(reply: Comment, subscription: Row) -> None:
    title, url = _article(reply.thread)
    token = issue_unsubscribe_token(current_app.secret_key, subscription.id,
                                    stamp(subscription.created))
    unsubscribe = _service_link(url_for("subscriptions.unsubscribe", token=token))
    body = (f"{reply.author} replied to your comment on “{title}”:\n\n"
            f"{_quoted(reply.text)}\n\n"
            f"Read the conversation: {url}#comment-{reply.id}\n\n"
            f"You get this email because you asked for replies to your comment. "
            f"To stop them: {unsubscribe}\n")
    mail.send([subscription.email], f"{reply.author} replied to your comment on “{title}”", body,
              {"List-Unsubscribe": f"<{unsubscribe}>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


@_after_commit
def ask_to_confirm_addresses(approved: list[Comment]) -> None:
    """Under MODERATION=first, mail each address of these just-approved comments that is not
    confirmed yet (once, however many of its comments were approved) a link confirming it."""
    if not mail.mail_enabled() or current_app.config["MODERATION"] != "first":
        return
    first_of = {comment.email: comment for comment in reversed(approved) if comment.email}
    with connect(db.engine()) as conn:
        unconfirmed = [comment for email, comment in first_of.items() if not is_confirmed(conn, email)]
    for comment in unconfirmed:
        title, url = _article(comment.thread)
        token = issue_address_token(current_app.secret_key, comment.id, stamp(comment.created))
        days = max(1, current_app.config["SUBSCRIPTION_CONFIRM_MAX_AGE"] // 86400)
        body = (f"A moderator has published the comment posted with this address on “{title}”:\n"
                f"{url}#comment-{comment.id}\n\n"
                f"To have your next comments published without waiting for a moderator, confirm "
                f"that this address is yours: open this link and press the button (it works for "
                f"{days} days):\n{_service_link(url_for('subscriptions.confirm_address', token=token))}\n\n"
                f"If it was not you, ignore this email: nothing changes.\n")
        mail.send([comment.email], f"Your comment on “{title}” is published", body)
