"""Queries of the `confirmed_addresses` table: the email addresses whose owner followed the link
mailed to them after a moderator approved one of their comments. Under MODERATION=first only
these skip moderation (core/moderation.py `holds`). Addresses are compared exactly as typed.
Functions run in the caller's transaction; the caller commits. No Flask import."""

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from ..times import utcnow
from .tables import confirmed_addresses


def is_confirmed(conn: Connection, email: str | None) -> bool:
    if not email:
        return False
    query = select(confirmed_addresses.c.email).where(confirmed_addresses.c.email == email)
    return conn.execute(query).first() is not None


def confirm_address(conn: Connection, email: str) -> None:
    """Trust `email` from now on; confirming it again (or two confirmations racing) is harmless."""
    if is_confirmed(conn, email):
        return
    try:
        with conn.begin_nested():
            conn.execute(confirmed_addresses.insert().values(email=email, confirmed=utcnow()))
    except IntegrityError:  # the other confirmation won: the address is trusted either way
        pass
