"""Schemathesis against the officials' and providers' endpoints with a working token of each (seeded, bounded): no
server error and no response outside the document, with data that fits the document and data that does not, on a
site with generated assessments and a provider's client with an on-site assessment."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.request import Request, urlopen

import pytest
import schemathesis
from api_callers import account, bearer, enrol, token
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from test_api_fuzzing import CHECKS
from werkzeug.serving import make_server
from world import World

from assessment.content.loader import Library
from assessment.db.engine import make_engine
from assessment.db.migrate import upgrade
from assessment.services import demo
from assessment.web.app import create_app
from assessment.web.site import site

OFFICIAL = {("/api/v1/official/dashboard", "get"), ("/api/v1/official/exports/{kind}", "get")}
PROVIDER = {("/api/v1/provider/clients", "get"), ("/api/v1/provider/clients/{enterprise_id}", "get"),
            ("/api/v1/provider/invitations", "get"), ("/api/v1/provider/invitations", "post"),
            ("/api/v1/provider/assessments/{assessment_id}", "get"),
            ("/api/v1/provider/assessments/{assessment_id}/evidence", "get"),
            ("/api/v1/provider/clients/{enterprise_id}/assessments", "post"),
            ("/api/v1/provider/assessments/{assessment_id}", "patch"),
            ("/api/v1/provider/assessments/{assessment_id}/submit", "post")}
RUNS = [(path, method, mode) for path, method in sorted(OFFICIAL | PROVIDER) for mode in GenerationMode]
EXAMPLES = int(os.environ.get("ASSESSMENT_API_FUZZ_EXAMPLES", "12"))
"""Per operation and mode: 12 take about 25 s for these eight operations on two shared cores."""


@pytest.fixture(scope="module")
def token_server(tmp_path_factory: pytest.TempPathFactory, library: Library) -> Iterator[tuple[str, dict[str, str]]]:
    """The app (CSRF on) on a migrated SQLite file with 80 generated assessments in 山东, an official of 山东 and a
    provider with a client, served on a free port; its URL and a read-write token per role."""
    folder = tmp_path_factory.mktemp("api-tokens")
    url = f"sqlite:///{folder / 'assessment.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app({"SECRET_KEY": "api tests", "DATABASE_URL": url, "CONTENT_LIBRARY": library,
                      "WTF_CSRF_ENABLED": True, "COOKIE_SECURE": False, "API_RATE_REQUESTS": 1_000_000,
                      "API_TOKEN_RATE_REQUESTS": 1_000_000, "EVIDENCE_DIR": str(Path(folder) / "evidence")})
    here = site(app)
    with here.sessions() as session:
        demo.generate(session, library=here.library, regions=here.region_list, industries=here.industry_list,
                      count=80, seed=5, provinces=("37",), pool=40)
    world = World(app)
    tenant = world.tenant("甲", "91370102MA3C00001")
    world.assessment(tenant)
    enrol(app, tenant.admin_id)
    tokens = {"official": token(app, account(app, "official@example.gov.cn", "official", region="370000")),
              "provider": token(app, tenant.admin_id, "read-write")}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="api-token-server", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    for role, path in (("official", "/api/v1/official/dashboard"), ("provider", "/api/v1/provider/clients")):
        with urlopen(Request(base + path, headers=bearer(tokens[role]))) as answer:  # the tokens work
            assert answer.status == 200
    yield base, tokens
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    here.engine.dispose()


@pytest.mark.parametrize(("path", "method", "mode"), RUNS, ids=[f"{m.upper()} {p} {g.value}" for p, m, g in RUNS])
def test_no_server_error_and_no_response_outside_the_document_with_a_token(
        token_server: tuple[str, dict[str, str]], path: str, method: str, mode: GenerationMode) -> None:
    url, tokens = token_server
    operation = schemathesis.openapi.from_url(f"{url}/api/v1/openapi.json")[path][method.upper()]
    headers = {"Authorization": bearer(tokens["official" if (path, method) in OFFICIAL else "provider"])[
        "Authorization"]}

    @given(case=operation.as_strategy(mode))
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def calls(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=url, headers=headers, checks=CHECKS)

    calls()


def test_every_official_and_provider_route_is_documented_with_the_token_and_its_problems(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").json
    routed = {(re.sub(r"<(?:int:)?(\w+)>", r"{\1}", rule.rule), method.lower()) for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith(("api_official.", "api_provider."))
              for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    assert routed == OFFICIAL | PROVIDER
    assert document["components"]["securitySchemes"]["token"] == {
        "type": "http", "scheme": "bearer", "description": "a personal access token, sat_…"}
    for path, method in routed:
        operation = document["paths"][path][method]
        assert operation["security"] == [{"token": []}]
        for status in ("401", "403", "429"):
            assert operation["responses"][status]["content"]["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"}
