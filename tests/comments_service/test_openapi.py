"""Schemathesis against comments_service/openapi.yaml (docs/openapi.yaml links to it), served by the app and called in-process (WSGI): no
server errors, and every response matches the documented status codes, types, headers and
schemas. (schemathesis.pytest.from_fixture does not work with pytest 9, so each operation's
Hypothesis strategy is driven directly.)"""

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.definitions import OPENAPI_30_VALIDATOR
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from comments_service.api import OPENAPI_SPEC

from .conftest import ORIGIN, CommentsAPI

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
OPERATIONS = [(path, method.upper())
              for path, item in yaml.safe_load(OPENAPI_SPEC.read_text())["paths"].items()
              for method in item if method != "parameters"]


def test_the_description_is_valid_openapi_3_0():
    """YAML flow mappings split an unquoted description at its comma into a bogus key."""
    errors = [error.message for error in OPENAPI_30_VALIDATOR.iter_errors(yaml.safe_load(OPENAPI_SPEC.read_text()))]
    assert errors == []


@pytest.mark.parametrize("path, method", OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_operation_conforms_to_the_openapi_description(app, path, method):
    """Same-origin calls on a known thread, so valid input gets through to the 2xx answers."""
    CommentsAPI(app.test_client()).comment()  # something to list, count and feed
    operation = schemathesis.openapi.from_wsgi("/api/openapi.yaml", app)[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def call_and_validate(case):
        if "slug" in (case.path_parameters or {}):
            case.path_parameters["slug"] = "first-article"  # random slugs would all be 404
        case.call_and_validate(checks=CHECKS, headers={"Origin": ORIGIN})

    call_and_validate()
