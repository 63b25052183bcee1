"""What the token endpoints (officials, providers) share: their OpenAPI operations with the bearer scheme and problem
responses, the request's code lists and language, and JSON answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Response, current_app
from flask_smorest import Blueprint

from assessment.api.problems import PROBLEM, language, translate
from assessment.api.schemas import ProblemSchema
from assessment.domain.enterprise import Industries, Regions
from assessment.services.aggregates.cells import Labels

View = Callable[..., Response]
BEARER = "token"
"""The security scheme's name (the enterprise endpoints name it so too)."""
SECURITY: list[dict[str, list[str]]] = [{BEARER: []}]
LANGUAGE = {"name": "Accept-Language", "in": "header", "required": False, "schema": {"type": "string"},
            "description": "zh (default) or en"}
SITE = "assessment"
"""The app extension create_app keeps the loaded code lists in (the API imports no web module)."""


def operation(bp: Blueprint, rule: str, method: str, ok: Mapping[str, Any], problems: tuple[int, ...] = (),
              **doc: Any) -> Callable[[View], View]:
    """A token endpoint of the blueprint: its 200 (or `status`) response (and 304 for a GET: answers carry an ETag), 401 and 403
    and its own problem responses, the rate limit's 429, the bearer scheme and the Accept-Language parameter."""

    def register(view: View) -> View:
        documented: Any = view
        for status in sorted({401, 403, *problems, 429}):
            documented = bp.alt_response(status, schema=ProblemSchema, content_type=PROBLEM,
                                         description=f"problem details ({status})")(documented)
        if method == "GET" and "schema" in ok:
            documented = bp.alt_response(304, description="not modified (If-None-Match)")(documented)
        parameters = [LANGUAGE, *doc.pop("parameters", [])]
        status = doc.pop("status", 200)
        documented = bp.doc(parameters=parameters, security=SECURITY, **doc)(bp.response(status, **ok)(documented))
        bp.route(rule, methods=[method])(documented)
        return view

    return register


def document_bearer(spec: Any) -> None:
    """The bearer security scheme in the OpenAPI document (once, whoever asks first)."""
    schemes = spec.to_dict().get("components", {}).get("securitySchemes", {})
    if BEARER not in schemes:
        spec.components.security_scheme(BEARER, {"type": "http", "scheme": "bearer",
                                                 "description": "a personal access token, sat_…"})


def code_lists() -> tuple[Regions, Industries]:
    """The region and industry lists with names in the caller's language."""
    held = current_app.extensions[SITE]
    lang = language()
    return held.region_list.in_language(lang), held.industry_list.in_language(lang)


def labels() -> Labels:
    """How codes are named in the caller's language (as on the web's pages)."""
    regions, industries = code_lists()
    return Labels(regions, industries, translate(), language())
