"""The OpenAPI document and the interactive docs page (Swagger UI served from the app: no CDN, no inline script)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from flask import Blueprint, Response, abort, json, render_template, send_from_directory
from flask_smorest import Api

from assessment.api.problems import answer_as_problems, language, translate
from assessment.api.state import api_state

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1", template_folder="templates", static_folder="static",
               static_url_path="/docs/static")
answer_as_problems(bp)
SWAGGER_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE")
"""What the page loads from the swagger-ui-py package (Swagger UI 5, Apache-2.0); nothing else of it is served."""


class ApiDocument(Api):  # type: ignore[misc]
    """flask-smorest's Api as a document builder only: it leaves the site's error pages alone (the API's blueprints
    answer their own errors as problem+json) and documents each operation's problem responses itself."""

    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        """flask-smorest would answer every HTTP error of the whole site with JSON: not here."""


def swagger_dir() -> Path:
    """Where the swagger-ui-py package keeps Swagger UI's files (found without importing the package)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of /api/v1."""
    spec = api_state().spec
    if spec is None:
        abort(404)
    return Response(json.dumps(spec.to_dict(), ensure_ascii=False), mimetype="application/json")


@bp.get("/docs")
def page() -> str:
    """The interactive docs page: Swagger UI on the OpenAPI document."""
    _ = translate()
    return render_template("api/docs.html", lang="zh-CN" if language() == "zh" else "en",
                           title=_("API documentation"))


@bp.get("/docs/swagger/<name>")
def swagger_file(name: str) -> Response:
    """Swagger UI's script, style sheet and licence."""
    if name not in SWAGGER_FILES:
        abort(404)
    return send_from_directory(swagger_dir(), name, mimetype="text/plain" if name == "LICENSE" else None)
