"""Personal data the comments keep, and how it is reduced (docs/privacy.md): a client address is
only ever stored as a salted HMAC, and that hash is cleared after IP_RETENTION_DAYS."""

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import Connection, update

from .storage.tables import comments


def hash_ip(salt: str, address: str | None) -> str | None:
    """Salted HMAC of a client address: lets rate limits and moderators match, never reversible."""
    if not address:
        return None
    return hmac.new(salt.encode(), address.encode(), hashlib.sha256).hexdigest()


def purge_ip_hashes(conn: Connection, posted_before: datetime) -> int:
    """Clear the IP hash of every comment posted before `posted_before`; return how many."""
    result = conn.execute(update(comments)
                          .where(comments.c.created < posted_before, comments.c.ip_hash.is_not(None))
                          .values(ip_hash=None))
    return result.rowcount
