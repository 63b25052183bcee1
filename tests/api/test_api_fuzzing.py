"""Schemathesis against the live app, seeded and bounded: no server error and no response that breaks the document,
for every operation, with data that fits the document and data that does not.

Longer runs: docs/api.md ("Fuzzing for longer").
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from test_openapi_document import PUBLIC

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, allow_header_conformance]
UNCONSTRAINED = {("/api/v1/models", "get"), ("/api/v1/questionnaires", "get")}
"""Operations whose only input is a free-text header: no request can be outside their document."""
RUNS = [(path, method, mode) for path, method in sorted(PUBLIC) for mode in GenerationMode
        if mode is GenerationMode.POSITIVE or (path, method) not in UNCONSTRAINED]
EXAMPLES = int(os.environ.get("ASSESSMENT_API_FUZZ_EXAMPLES", "25"))
"""Per operation and mode; 25 take about 40 s for all of them on two shared cores (docs/api.md: longer runs)."""


@pytest.fixture(scope="module")
def api_schema(api_server: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{api_server}/api/v1/openapi.json")


@pytest.mark.parametrize(("path", "method", "mode"), RUNS, ids=[f"{m.upper()} {p} {g.value}" for p, m, g in RUNS])
def test_no_server_error_and_no_response_outside_the_document(api_schema: schemathesis.BaseSchema, api_server: str,
                                                              path: str, method: str, mode: GenerationMode) -> None:
    operation = api_schema[path][method.upper()]

    @given(case=operation.as_strategy(mode))
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def calls(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=api_server, checks=CHECKS)

    calls()
