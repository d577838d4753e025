"""Privacy housekeeping (docs/privacy.md): the salted IP hash stored with each comment, vote and
report is kept IP_RETENTION_DAYS days, then `flask --app comments_service purge` clears it; mails the outbox
gave up on (they hold addresses and readers' text) are deleted after as many days. Run purge
daily, e.g. from the systemd timer in docs/deploy.md."""

from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from . import db
from .core.privacy import purge_ip_hashes, purge_reader_ip_hashes
from .core.storage.database import connect
from .core.storage.outbox import delete_failed_before
from .core.times import isoformat, utcnow


def init_app(app: Flask) -> None:
    app.cli.add_command(purge_command)


def _retention() -> timedelta:
    days = current_app.config["IP_RETENTION_DAYS"]
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise click.UsageError(f"IP_RETENTION_DAYS must be a whole number of days, 0 or more, "
                               f"not {days!r}")
    return timedelta(days=days)


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Clear stored IP hashes older than IP_RETENTION_DAYS; delete mails failed before then."""
    posted_before = utcnow() - _retention()
    with connect(db.engine(), write=True) as conn, conn.begin():
        cleared = purge_ip_hashes(conn, posted_before)
        reactions = purge_reader_ip_hashes(conn, posted_before)
        mails = delete_failed_before(conn, posted_before)
    click.echo(f"Cleared the IP hash of {cleared} comments and {reactions} votes and reports made before "
               f"{isoformat(posted_before)}; deleted {mails} mails that failed before then.")
