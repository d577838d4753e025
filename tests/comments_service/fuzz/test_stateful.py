"""Schemathesis' stateful run over the links of comments_service/openapi.yaml, on SQLite and
PostgreSQL: it posts comments (JSON or the form), then follows the links with what the answers
gave back (the comment's id and edit token) to list the thread, edit, delete, reply, vote and
report, in sequences Hypothesis chooses. Every answer must be no 5xx and match the description (status
codes, content types, headers, schemas)."""

from collections import Counter

import schemathesis
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from comments_service import create_app
from comments_service.core.storage import database
from comments_service.core.storage.tables import metadata
from comments_service.core.validation import InvalidInput, verify
from comments_service.db import engine as app_engine
from tests.comments_service.conftest import ORIGIN

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, use_after_free]


def acceptable(body: dict, posted: set) -> dict:
    """The fields of a generated comment that verify() accepts, so most scenarios get past their
    first post to the links (the schema cannot say "no control characters" or "notify needs an
    email"): the anti-spam fields and a `parent` that is not one of the `posted` ids are left
    out, and a valid author and text stand in."""
    body = {name: value for name, value in body.items()
            if name not in ("form_token", "homepage") and (name != "parent" or str(value) in posted)}
    for _ in range(2):  # dropping the email can make `notify` wrong in turn
        try:
            verify(body)
        except InvalidInput as problem:
            body = {name: value for name, value in body.items() if name not in problem.fields}
    return {"author": "Reader", "text": "Posted by schemathesis."} | body


def test_linked_calls_conform_to_the_openapi_description(any_database_url, app_config):
    app = create_app(app_config | {"DATABASE_URL": any_database_url, "MIN_FILL_SECONDS": 0})
    schema = schemathesis.openapi.from_wsgi("/api/openapi.yaml", app)
    calls: Counter = Counter()
    posted: set[str] = set()

    class Readers(schema.as_state_machine()):
        def before_call(self, case):
            if "slug" in (case.path_parameters or {}):
                case.path_parameters["slug"] = "first-article"  # random slugs would all be 404
            if case.operation.method.upper() == "POST" and isinstance(case.body, dict):
                if case.operation.path == "/api/threads/{slug}/comments":
                    case.body = acceptable(case.body, posted)
                else:  # a vote or report: the same-origin header stands in for the form token
                    case.body.pop("form_token", None)

        def get_call_kwargs(self, case):
            return {"headers": {"Origin": ORIGIN}}

        def after_call(self, response, case):
            calls[(case.operation.label, response.status_code)] += 1
            if case.operation.path == "/api/threads/{slug}/comments" and response.status_code in (201, 202):
                posted.add(str(response.json()["comment"]["id"]))

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

        def teardown(self):
            """Each scenario starts from an empty database: what it draws depends on the answers
            it gets (a listing's comments feed the calls that follow), and Hypothesis replays a
            scenario expecting the same ones, so rows left by earlier scenarios made it flaky."""
            with app.app_context(), database.connect(app_engine(), write=True) as conn:
                for table in reversed(metadata.sorted_tables):
                    conn.execute(table.delete())
                conn.commit()
            posted.clear()

    try:
        Readers.run(settings=settings(max_examples=20, stateful_step_count=6, deadline=None, database=None))
    finally:
        print(f"\n{sum(calls.values())} calls: {sorted(calls.items())}")
        with app.app_context():
            app_engine().dispose()
