"""Schemathesis against /api/v1/openapi.json: no server errors, no response breaking the schema.

Each operation gets property-based cases (valid and invalid bodies, odd path values) sent to
the real app through its WSGI interface, with the partner token.
"""

from __future__ import annotations

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fixtures.web import WebWorld

AUTH = {"Authorization": "Bearer test-partner-token-0123456789"}
EXAMPLES_PER_OPERATION = 40
# What the contract promises. "Positive data acceptance" is left out on purpose: a request can
# match the schema and still name a commune that does not exist, which is rightly a 400.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]


def test_the_api_keeps_its_openapi_contract(app: Flask, web_world: WebWorld) -> None:
    app.config["RATE_LIMITS_ENABLED"] = False  # hundreds of calls in a second are the point here
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} == {
        "POST /requests",
        "GET /requests/{reference}",
        "GET /communes/{code}/assignments",
    }
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=AUTH, checks=CHECKS)

        check()
