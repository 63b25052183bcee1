"""Work done after the answer has gone out (mail that only some requests send), so every answer takes as long.

The WSGI server closes a response once it has sent it; the work runs then, in a request context made from the same
request (same host for links, same language), with its own database session. The test client closes every
response too (`ClosingClient`), so tests see the work done when the request returns, as a browser would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, after_this_request, current_app, request
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

Work = Callable[[], None]


def after_response(work: Work) -> None:
    """Run `work` once this request's response has been sent (it may use db(), url_for and the language)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    environ = request.environ

    def run() -> None:
        with app.request_context(environ):  # its teardown closes the work's database session
            work()

    @after_this_request
    def register(response: Response) -> Response:
        response.call_on_close(run)
        return response


class ClosingClient(FlaskClient):
    """The test client, closing each response as soon as it is read, as a WSGI server does once it has sent it."""

    def open(self, *args: Any, buffered: bool = True, **kwargs: Any) -> TestResponse:
        """Send a request; the response is read and closed (work after the response has run) when this returns."""
        return super().open(*args, buffered=buffered, **kwargs)
