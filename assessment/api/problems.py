"""Errors as application/problem+json (RFC 9457): a title and detail in the caller's language, one entry per field."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask import Blueprint, Response, json, request
from werkzeug.exceptions import HTTPException, InternalServerError

from assessment.domain.answers import N_, Problem
from assessment.services.language import LANGUAGES, translator

PROBLEM = "application/problem+json"
API_ROOT = "/api/v1/"
TITLES: Mapping[int, str] = {
    400: N_("The request could not be read"),
    401: N_("An access token is needed"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("This method is not allowed here"),
    409: N_("Conflict"),
    412: N_("Changed since you read it"),
    413: N_("Too much data"),
    415: N_("Send the body as JSON"),
    422: N_("The request has problems"),
    428: N_("A condition is needed"),
    429: N_("Too many requests"),
    500: N_("Something went wrong on the server"),
}
DETAILS: Mapping[int, str] = {
    400: N_("The body is not valid JSON text."),
    401: N_("Send a valid personal access token as Authorization: Bearer sat_…"),
    403: N_("This token may not do this: its account's role or its read-only scope does not allow it."),
    404: N_("There is nothing at this address."),
    405: N_("This address does not take this method."),
    409: N_("The request conflicts with what is stored; see errors."),
    412: N_("It was saved elsewhere since the version in If-Match. Read it again and resend."),
    413: N_("The body is larger than {limit} bytes."),
    415: N_("Send the body with the content type application/json."),
    422: N_("Correct the fields listed in errors and send the request again."),
    428: N_("Send the ETag you read in If-Match."),
    429: N_("There were too many requests from your address. Wait {seconds} seconds and try again."),
    500: N_("The error has been logged. Try again later."),
}


def language() -> str:
    """The caller's language from Accept-Language: zh (the default) or en."""
    return request.accept_languages.best_match(LANGUAGES, default="zh") or "zh"


def translate() -> Callable[[str], str]:
    """The gettext function of the caller's language."""
    return translator(language())


def problem(status: int, *, errors: Sequence[Problem] = (), headers: Mapping[str, str] | None = None,
            **params: Any) -> Response:
    """A problem+json response with this status, its title and detail, and one entry per problem."""
    _ = translate()
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _(TITLES.get(status, TITLES[500])),
        "status": status,
        "detail": _(DETAILS.get(status, DETAILS[500])).format(**params),
        "instance": request.path,
    }
    if errors:
        body["errors"] = [{"field": p.item or "", "code": p.code, "detail": p.render(_)} for p in errors]
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM)
    response.headers.update(headers or {})
    return response


def http_problem(error: HTTPException) -> Response:
    """Any HTTP error raised in the API as problem+json (a 429 keeps its Retry-After)."""
    status = error.code or 500
    if status not in TITLES:
        status = 500 if status >= 500 else 400
    headers = {}
    if error.response is not None and "Retry-After" in error.response.headers:
        headers["Retry-After"] = error.response.headers["Retry-After"]
    if status == 405 and isinstance(getattr(error, "valid_methods", None), list):
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    limit = request.max_content_length or 0
    return problem(status, headers=headers, limit=limit, seconds=headers.get("Retry-After", "60"))


def server_problem(error: InternalServerError) -> Response:
    """An unexpected failure: logged by Flask, answered as problem+json without internals."""
    return problem(500)


def answer_as_problems(blueprint: Blueprint) -> None:
    """Every error of the blueprint's views as problem+json (before the site's HTML error pages)."""
    for status in (400, 404, 405, 413, 415, 422, 429):
        blueprint.register_error_handler(status, http_problem)
    blueprint.register_error_handler(HTTPException, http_problem)
    blueprint.register_error_handler(InternalServerError, server_problem)


def routing_problem() -> Response | None:
    """Before any view: an address under the API that has no route, or not for this method, as problem+json."""
    error = request.routing_exception
    if error is None or not request.path.startswith(API_ROOT):
        return None
    return http_problem(error) if isinstance(error, HTTPException) else problem(400)
