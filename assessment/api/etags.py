"""Entity tags for the API's answers: a strong ETag from the body, 304 for a GET whose If-None-Match matches, and the
If-Match check of a change (412 on a mismatch, 428 without one)."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Response, json, request

from assessment.api.problems import problem


def etag_of(body: bytes) -> str:
    """A strong entity tag for a body: a hash of its bytes, quoted."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def json_body(data: Any) -> bytes:
    """The JSON text the API sends for this data (the same bytes each time for the same data)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _listed(header: str | None) -> list[str]:
    return [tag.strip() for tag in (header or "").split(",") if tag.strip()]


def tagged(body: bytes, *, mimetype: str = "application/json", status: int = 200,
           headers: dict[str, str] | None = None) -> Response:
    """The body with its ETag; 304 (no body) on a GET or HEAD whose If-None-Match names that tag or `*`."""
    tag = etag_of(body)
    wanted = _listed(request.headers.get("If-None-Match"))
    if request.method in ("GET", "HEAD") and (tag in wanted or "*" in wanted):
        return Response(status=304, headers={"ETag": tag})
    response = Response(body, status=status, mimetype=mimetype, headers=headers or {})
    response.headers["ETag"] = tag
    return response


def tagged_json(data: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON data with its ETag (304 when the caller has it already)."""
    return tagged(json_body(data), status=status, headers=headers)


def precondition(current: bytes) -> Response | None:
    """The If-Match check of a change against the current body: 428 without If-Match, 412 if it names another
    version, None to go on."""
    given = request.headers.get("If-Match")
    if given is None or not given.strip():
        return problem(428)
    wanted = _listed(given)
    return None if "*" in wanted or etag_of(current) in wanted else problem(412)
