"""The mails the service sends, and when (docs/privacy.md says what they contain):

- a comment is held for moderation (when posted, or when readers' reports take it back to the
  queue): every MODERATOR_EMAILS address gets the article, the author, the text, the reasons it
  was held and the link to /admin/;
- a comment asks for reply notifications (`notify`): its address gets a confirmation link
  (double opt-in, nothing else is ever sent to an unconfirmed address);
- a reply is published: the confirmed subscriber of the parent comment gets it, with an RFC 8058
  one-click unsubscribe link (not when they replied to themselves);
- under MODERATION=first, a moderator approves a comment whose address is not confirmed yet: the
  address gets a link confirming it (comments from a confirmed address skip moderation).

Call these with the caller's connection BEFORE it commits: they read the comment in that
transaction and queue the mails in the outbox (notifications/mail.py) in it, so the mails exist
exactly when the write commits (a rolled-back comment is never mailed about; a committed one's
mail waits in the outbox until it is sent) and are sent after the commit. The moderation UI still
calls the approval ones after its commit, without `conn`: they then queue in a transaction of
their own. Inside a request: the mails link to the article (SITE_URL) and to the service
(SERVICE_URL, else SITE_URL; only development falls back to the request's host, see
threads.site_base). A reader's text is quoted line by line, so it cannot
forge lines of the mail. A mail that cannot be built is logged and skipped, never failing the
write; a database error is raised (the caller's transaction could not commit anyway).
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from urllib.parse import urljoin

from flask import current_app, request, url_for
from sqlalchemy import Connection
from sqlalchemy.engine import Row
from sqlalchemy.exc import SQLAlchemyError

from .. import db
from ..core.comment import APPROVED, PENDING, Comment
from ..core.moderation import flag_words
from ..core.storage import comments as stored
from ..core.storage.addresses import is_confirmed
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


@contextmanager
def _never_failing_the_write(what: str) -> Iterator[None]:
    """Mail is a side effect of the reader's write: a mail that cannot be built is logged, and the
    comment is stored all the same; database errors go to the caller, whose transaction failed."""
    try:
        yield
    except SQLAlchemyError:
        raise
    except Exception:  # noqa: BLE001
        log.exception("mail about %s not queued", what)


def comment_posted(conn: Connection, comment: Comment) -> None:
    """Queue, in the caller's transaction, the mails a new comment causes: moderator alert if
    held, confirmation if it asked for reply notifications, reply notification if published as a
    reply. Call it after storing the comment (and its subscription), before the commit."""
    if not mail.mail_enabled():
        return
    with _never_failing_the_write(f"comment {comment.id}"):
        posted = stored.get_comment(conn, comment.id)
        if posted is None:
            return
        own_subscription = subscription_of(conn, comment.id)
        parent_subscription = _parent_subscription(conn, posted)
        if posted.state == PENDING:
            _mail_moderators(conn, posted)
        if own_subscription is not None and not own_subscription.confirmed:
            _mail_confirmation(conn, posted, own_subscription)
        if parent_subscription is not None:
            _mail_reply(conn, posted, parent_subscription)


def comment_held(conn: Connection, comment_id: int) -> None:
    """Queue, in the caller's transaction, the moderators' alert for a published comment that
    readers' reports took back to the queue (core/reactions.py)."""
    if not mail.mail_enabled():
        return
    with _never_failing_the_write(f"comment {comment_id}"):
        held = stored.get_comment(conn, comment_id)
        if held is not None:
            _mail_moderators(conn, held)


def notify_reply_published(comment: Comment, conn: Connection | None = None) -> None:
    """Queue the mail to the confirmed subscriber of the comment `comment` replies to, now that
    `comment` is published (`comment` needs only `.id`); `conn` as in `_queue`."""
    if mail.mail_enabled():
        _queue(f"the published reply {comment.id}", conn, partial(_queue_reply_mail, comment=comment))


def ask_to_confirm_addresses(approved: list[Comment], conn: Connection | None = None) -> None:
    """Under MODERATION=first, mail each address of these just-approved comments that is not
    confirmed yet (once, however many of its comments were approved) a link confirming it;
    `conn` as in `_queue`."""
    if mail.mail_enabled() and current_app.config["MODERATION"] == "first":
        _queue("confirming addresses", conn, partial(_mail_address_confirmations, approved=approved))


def _queue(what: str, conn: Connection | None, queue_mails: Callable[[Connection], None]) -> None:
    """`queue_mails(conn)` with `conn`: in the caller's transaction, before its commit (the durable
    way). Without: after the caller's commit, in a transaction of its own on the request's
    connection; a failure there is logged, never raised (the caller's write is committed)."""
    if conn is not None:
        with _never_failing_the_write(what):
            queue_mails(conn)
        return
    try:
        conn = db.connection()
        try:
            queue_mails(conn)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    except Exception:  # noqa: BLE001
        log.exception("mail about %s not queued", what)


def _queue_reply_mail(conn: Connection, comment: Comment) -> None:
    reply = stored.get_comment(conn, comment.id)
    subscription = _parent_subscription(conn, reply)
    if subscription is not None:
        _mail_reply(conn, reply, subscription)


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


def _mail_moderators(conn: Connection, comment: Comment) -> None:
    title, url = _article(comment.thread)
    reasons = ", ".join(flag_words(comment.flags)) or "the moderation setting"
    body = (f"A comment is waiting for moderation.\n\n"
            f"Article: {title}\n         {url}\n"
            f"Author:  {mail.header_text(comment.author)}\n"
            f"Email:   {comment.email or '(none)'}\n"
            f"Website: {mail.header_text(comment.website or '(none)')}\n"
            f"Held because: {reasons}\n\n"
            f"The comment, as typed:\n{_quoted(comment.text)}\n\n"
            f"Approve or reject it: {_service_link(request.script_root + '/admin/')}\n")
    mail.send(conn, current_app.config["MODERATOR_EMAILS"],
              f"Held for moderation: comment by {comment.author} on “{title}”", body)


def _mail_confirmation(conn: Connection, comment: Comment, subscription: Row) -> None:
    title, url = _article(comment.thread)
    token = issue_confirm_token(current_app.secret_key, subscription.id,
                                stamp(subscription.created))
    days = max(1, current_app.config["SUBSCRIPTION_CONFIRM_MAX_AGE"] // 86400)
    body = (f"Someone, probably you, asked to be emailed when somebody replies to the comment "
            f"posted as {comment.author} on “{title}”:\n{url}#comment-{comment.id}\n\n"
            f"To confirm, open this link and press the button (it works for {days} days):\n"
            f"{_service_link(url_for('subscriptions.confirm', token=token))}\n\n"
            f"If it was not you, ignore this email: nothing more will be sent to you.\n")
    mail.send(conn, [comment.email], f"Confirm reply notifications for your comment on “{title}”", body)


def _mail_reply(conn: Connection, reply: Comment, subscription: Row) -> None:
    title, url = _article(reply.thread)
    token = issue_unsubscribe_token(current_app.secret_key, subscription.id,
                                    stamp(subscription.created))
    unsubscribe = _service_link(url_for("subscriptions.unsubscribe", token=token))
    body = (f"{reply.author} replied to your comment on “{title}”:\n\n"
            f"{_quoted(reply.text)}\n\n"
            f"Read the conversation: {url}#comment-{reply.id}\n\n"
            f"You get this email because you asked for replies to your comment. "
            f"To stop them: {unsubscribe}\n")
    mail.send(conn, [subscription.email], f"{reply.author} replied to your comment on “{title}”", body,
              {"List-Unsubscribe": f"<{unsubscribe}>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


def _mail_address_confirmations(conn: Connection, approved: list[Comment]) -> None:
    first_of = {comment.email: comment for comment in reversed(approved) if comment.email}
    for email, comment in first_of.items():
        if is_confirmed(conn, email):
            continue
        title, url = _article(comment.thread)
        token = issue_address_token(current_app.secret_key, comment.id, stamp(comment.created))
        days = max(1, current_app.config["SUBSCRIPTION_CONFIRM_MAX_AGE"] // 86400)
        body = (f"A moderator has published the comment posted with this address on “{title}”:\n"
                f"{url}#comment-{comment.id}\n\n"
                f"To have your next comments published without waiting for a moderator, confirm "
                f"that this address is yours: open this link and press the button (it works for "
                f"{days} days):\n{_service_link(url_for('subscriptions.confirm_address', token=token))}\n\n"
                f"If it was not you, ignore this email: nothing changes.\n")
        mail.send(conn, [comment.email], f"Your comment on “{title}” is published", body)
