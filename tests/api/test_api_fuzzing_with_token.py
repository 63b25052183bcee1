"""Schemathesis on the token operations, with an enterprise's read-write token (seeded, bounded like the public
ones in test_api_fuzzing.py): no server error and no response outside the document, with data that fits the
document and data that does not."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import schemathesis
from api_accounts import account_with_token, bearer
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from test_api_fuzzing import CHECKS, EXAMPLES
from test_openapi_document import ENTERPRISE
from werkzeug.serving import make_server

from assessment.content.loader import Library
from assessment.db.engine import make_engine
from assessment.db.migrate import upgrade
from assessment.web.app import create_app
from assessment.web.site import site

RUNS = [(path, method, mode) for path, method in sorted(ENTERPRISE) for mode in GenerationMode]


@pytest.fixture(scope="module")
def token_server(tmp_path_factory: pytest.TempPathFactory, library: Library) -> Iterator[tuple[str, str]]:
    """The whole app on a fresh SQLite file with an enterprise account and its read-write token: (URL, token)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('api-token') / 'assessment.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app({"SECRET_KEY": "api tests", "DATABASE_URL": url, "CONTENT_LIBRARY": library,
                      "WTF_CSRF_ENABLED": True, "COOKIE_SECURE": False, "API_RATE_REQUESTS": 1_000_000,
                      "API_TOKEN_RATE_REQUESTS": 1_000_000})
    _, token = account_with_token(app, "fuzz@example.com")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="api-token-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", token
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    site(app).engine.dispose()


@pytest.mark.parametrize(("path", "method", "mode"), RUNS, ids=[f"{m.upper()} {p} {g.value}" for p, m, g in RUNS])
def test_no_server_error_and_no_response_outside_the_document_with_a_token(
        token_server: tuple[str, str], path: str, method: str, mode: GenerationMode) -> None:
    base, token = token_server
    operation = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")[path][method.upper()]

    @given(case=operation.as_strategy(mode))
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def calls(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=base, checks=CHECKS, headers=bearer(token))

    calls()
