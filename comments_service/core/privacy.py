"""Personal data the comments keep, and how it is reduced (docs/privacy.md): a client address is
only ever stored as a salted HMAC, and that hash is cleared after IP_RETENTION_DAYS, on comments,
votes and reports alike. A reader's cookie id (tokens.issue_reader_token) is stored as an HMAC
too."""

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import Connection, update

from .storage.tables import comment_reports, comment_votes, comments


def hash_ip(salt: str, address: str | None) -> str | None:
    """Salted HMAC of a client address: lets rate limits and moderators match, never reversible."""
    if not address:
        return None
    return hmac.new(salt.encode(), address.encode(), hashlib.sha256).hexdigest()


def reader_digest(secret_key: str, reader_id: str) -> str:
    """What is stored of a reader's cookie id (votes, reports): its HMAC under the secret key, so
    neither a copy of the database nor an export can be turned back into anyone's cookie."""
    return hmac.new(secret_key.encode(), f"comments.reader:{reader_id}".encode(), hashlib.sha256).hexdigest()


def purge_ip_hashes(conn: Connection, posted_before: datetime) -> int:
    """Clear the IP hash of every comment posted before `posted_before`; return how many."""
    return _clear_ip_hashes(conn, comments, posted_before)


def purge_reader_ip_hashes(conn: Connection, cast_before: datetime) -> int:
    """Clear the IP hash of every vote and report made before `cast_before`; return how many.
    The vote stays, still matched by the reader's cookie."""
    return sum(_clear_ip_hashes(conn, table, cast_before) for table in (comment_votes, comment_reports))


def _clear_ip_hashes(conn: Connection, table, before: datetime) -> int:
    result = conn.execute(update(table).where(table.c.created < before, table.c.ip_hash.is_not(None))
                          .values(ip_hash=None))
    return result.rowcount
