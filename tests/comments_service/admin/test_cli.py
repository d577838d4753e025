"""`flask set-password` (admin/cli.py): the hash and the COMMENTS_ADMIN_USERS line it prints,
and the messages for a bad name or password."""

import json

import pytest
from werkzeug.security import check_password_hash

from ..conftest import PASSWORD


def test_set_password_prints_a_hash_and_the_environment_line(app):
    result = app.test_cli_runner().invoke(args=["set-password", "bob"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    line = result.output.strip().splitlines()[-1]
    name, _, quoted = line.partition("=")
    users = json.loads(quoted.strip("'"))
    assert name == "COMMENTS_ADMIN_USERS" and set(users) == {"ann", "bob"}
    assert check_password_hash(users["bob"], PASSWORD) and users["bob"] in result.output
    assert PASSWORD not in result.output


@pytest.mark.parametrize("args, text, problem", [
    (["set-password", "bob"], "short\n", "12 to 1024 characters"),
    (["set-password", " bob"], PASSWORD + "\n", "moderator name"),
])
def test_set_password_names_the_problem(app, args, text, problem):
    result = app.test_cli_runner().invoke(args=args, input=text)
    assert result.exit_code != 0 and problem in result.output
