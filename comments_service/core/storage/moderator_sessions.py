"""Queries of the `moderator_sessions` table: the logins of the moderation UI, with no Flask
import (the cookie side is comments_service/admin/sessions.py).

A session is stored under the SHA-256 of its random id (`id_hash`; the id itself is only in the
moderator's cookie). It is live while it is younger than `lifetime` and was seen within `idle`,
both measured against the stored timestamps, so every worker and host agrees and a deleted row
(logout) is gone for all of them. Functions run in the caller's transaction; the caller commits.
"""

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, or_, select, update
from sqlalchemy.engine import Row

from .tables import moderator_sessions


def start_session(conn: Connection, id_hash: str, moderator: str, password_key: str,
                  now: datetime) -> None:
    conn.execute(moderator_sessions.insert().values(id_hash=id_hash, moderator=moderator,
                                                    password_key=password_key, created=now,
                                                    last_seen=now))


def live_session(conn: Connection, id_hash: str, *, now: datetime, idle: timedelta,
                 lifetime: timedelta) -> Row | None:
    """The session stored as `id_hash` (moderator, password_key, created, last_seen) when it is
    still live at `now`; None when it is unknown, ended or expired."""
    query = select(moderator_sessions).where(moderator_sessions.c.id_hash == id_hash,
                                             moderator_sessions.c.last_seen > now - idle,
                                             moderator_sessions.c.created > now - lifetime)
    return conn.execute(query).first()


def touch_session(conn: Connection, id_hash: str, now: datetime) -> None:
    """Record that the session was used at `now` (its idle time starts again)."""
    conn.execute(update(moderator_sessions).where(moderator_sessions.c.id_hash == id_hash)
                 .values(last_seen=now))


def end_session(conn: Connection, id_hash: str) -> None:
    conn.execute(delete(moderator_sessions).where(moderator_sessions.c.id_hash == id_hash))


def purge_expired_sessions(conn: Connection, *, now: datetime, idle: timedelta,
                           lifetime: timedelta) -> int:
    """Delete every session that is no longer live at `now`; return how many."""
    result = conn.execute(delete(moderator_sessions).where(or_(
        moderator_sessions.c.last_seen <= now - idle, moderator_sessions.c.created <= now - lifetime)))
    return result.rowcount
