"""`flask --app comments_service set-password NAME`: makes a moderator's password hash.

It changes nothing itself: it prints the hash and the whole COMMENTS_ADMIN_USERS line (the
accounts configured already plus NAME) to put in the service's environment. The password is
read hidden and twice on a terminal, or as one line of standard input (scripts), and never
echoed.
"""

import json
import shlex
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.security import generate_password_hash

from ..core.limits import MODERATOR_NAME_MAX
from . import accounts


def _read_password() -> str:
    """Prompted twice, hidden, on a terminal; otherwise one line of standard input."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@click.command("set-password")
@click.argument("name")
@with_appcontext
def set_password_command(name: str) -> None:
    """Print a password hash for moderator NAME and the COMMENTS_ADMIN_USERS line that adds it
    (keeping the moderators configured already)."""
    if not accounts.is_valid_name(name):
        raise click.BadParameter(f"a moderator name has 1-{MODERATOR_NAME_MAX} characters, no control "
                                 f"characters and no outer spaces", param_hint="NAME")
    password = _read_password()
    if not accounts.PASSWORD_MIN <= len(password) <= accounts.PASSWORD_MAX:
        raise click.UsageError(f"The password must have {accounts.PASSWORD_MIN} to {accounts.PASSWORD_MAX} "
                               f"characters.")
    password_hash = generate_password_hash(password)
    users = {**current_app.config["ADMIN_USERS"], name: password_hash}
    click.echo(f"Password hash for {name}:\n{password_hash}\n")
    click.echo("Put this line in the service's environment (then restart it):")
    click.echo(f"COMMENTS_ADMIN_USERS={shlex.quote(json.dumps(users))}")
