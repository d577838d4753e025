"""Queries of the `reply_subscriptions` table, behind the notification mails
(comments_service/notifications), with no Flask import.

Reply subscriptions are double opt-in: a row is stored unconfirmed together with the comment that
asked for it, and confirmed only from the link mailed to its address. A subscription belongs to
its comment: deleting the comment deletes it (storage/comments.py delete_comment, and the foreign key's
ON DELETE CASCADE). Functions run in the caller's transaction; the caller commits.
"""

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.engine import Row

from ..times import stamp, utcnow
from .tables import reply_subscriptions


def subscribe(conn: Connection, comment_id: int, email: str) -> None:
    """Store an unconfirmed subscription of `email` to replies to `comment_id`."""
    conn.execute(reply_subscriptions.insert().values(
        comment_id=comment_id, email=email, confirmed=False, created=utcnow()))


def find_subscription(conn: Connection, subscription_id: int, token_stamp: str) -> Row | None:
    """The subscription a token names, or None when it is gone (unsubscribed, comment deleted)."""
    row = conn.execute(select(reply_subscriptions)
                       .where(reply_subscriptions.c.id == subscription_id)).first()
    if row is None or stamp(row.created) != token_stamp:
        return None
    return row


def confirm_subscription(conn: Connection, subscription_id: int) -> None:
    conn.execute(update(reply_subscriptions).where(reply_subscriptions.c.id == subscription_id)
                 .values(confirmed=True))


def remove_subscription(conn: Connection, subscription_id: int) -> None:
    conn.execute(delete(reply_subscriptions).where(reply_subscriptions.c.id == subscription_id))


def confirmed_subscription(conn: Connection, comment_id: int) -> Row | None:
    """The confirmed subscription to replies to `comment_id`, if there is one."""
    query = select(reply_subscriptions).where(reply_subscriptions.c.comment_id == comment_id,
                                              reply_subscriptions.c.confirmed)
    return conn.execute(query).first()


def subscription_of(conn: Connection, comment_id: int) -> Row | None:
    """The subscription (confirmed or not) a comment asked for, if any."""
    query = select(reply_subscriptions).where(reply_subscriptions.c.comment_id == comment_id)
    return conn.execute(query).first()
