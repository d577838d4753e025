"""Privacy housekeeping (docs/privacy.md): the salted IP hash stored with each comment is kept
IP_RETENTION_DAYS days, then `flask --app comments_service purge` clears it. Run purge daily, e.g.
from the systemd timer in docs/deploy.md."""

from datetime import datetime, timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import Connection, update

from . import db, storage
from .models import comments


def init_app(app: Flask) -> None:
    app.cli.add_command(purge_command)


def purge_ip_hashes(conn: Connection, posted_before: datetime) -> int:
    """Clear the IP hash of every comment posted before `posted_before`; return how many."""
    result = conn.execute(update(comments)
                          .where(comments.c.created < posted_before, comments.c.ip_hash.is_not(None))
                          .values(ip_hash=None))
    return result.rowcount


def _retention() -> timedelta:
    days = current_app.config["IP_RETENTION_DAYS"]
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise click.UsageError(f"IP_RETENTION_DAYS must be a whole number of days, 0 or more, "
                               f"not {days!r}")
    return timedelta(days=days)


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Clear stored IP hashes older than IP_RETENTION_DAYS."""
    posted_before = storage.utcnow() - _retention()
    with storage.connect(db.engine(), write=True) as conn, conn.begin():
        cleared = purge_ip_hashes(conn, posted_before)
    click.echo(f"Cleared the IP hash of {cleared} comments posted before "
               f"{storage.isoformat(posted_before)}.")
