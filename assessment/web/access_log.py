"""Access logs without secrets: a token in a link's path (resume, invitation, confirmation, password reset,
respondent links) and secret query values (token=, code=, …) become "[redacted]" in gunicorn's access log
(`--logger-class assessment.web.access_log.ScrubbingLogger`, docs/deploy.md) and in the development server's
request log (a filter on werkzeug's logger, installed by create_app). Cookies and credentials never appear."""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask
from gunicorn.glogging import Logger  # type: ignore[import-untyped]

REDACTED = "[redacted]"
_SLASH = r"(?:/|%2[fF])"  # a path inside another URL's query string is percent-encoded
TOKEN_PATH = re.compile(
    rf"({_SLASH}(?:resume|invitation|account{_SLASH}verify|account{_SLASH}password{_SLASH}reset|respond{_SLASH}link)"
    rf"{_SLASH})(?!\[redacted\])[^/?#&\s\"%]+")
"""The routes whose last path segment is a secret token (assess.resume, account.invitation, account.verify,
account.reset_password, respondents.open_link)."""
SECRET_QUERY = re.compile(r"((?:^|[?&;])(?:token|code|password|secret|otp|recovery_code)=)[^&#\s\"]*", re.IGNORECASE)
SECRET_ATOMS = ("{cookie}i", "{authorization}i", "{set-cookie}o", "{http_cookie}e", "{http_authorization}e",
                "{x-csrftoken}i", "{x-csrf-token}i")
"""Header and environment atoms a custom access_log_format could print: left out entirely."""


def scrub(text: str) -> str:
    """A request line, path, query string or URL with its tokens and secret query values replaced by [redacted]."""
    if "/" not in text and "%" not in text and "=" not in text:
        return text
    return SECRET_QUERY.sub(rf"\g<1>{REDACTED}", TOKEN_PATH.sub(rf"\g<1>{REDACTED}", text))


class ScrubbingLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, whose access log entries carry no token, secret query value, cookie or credential."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        """The access log's atoms (gunicorn's, scrubbed)."""
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str):
                atoms[key] = scrub(value)
        for key in SECRET_ATOMS:
            if key in atoms:
                atoms[key] = REDACTED
        return atoms


class RequestLogFilter(logging.Filter):
    """Scrubs werkzeug's request log lines (the development server: `assessment run`, `flask run`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message and arguments; never drop it."""
        if isinstance(record.msg, str):
            record.msg = scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(scrub(a) if isinstance(a, str) else a for a in record.args)
        return True


REQUEST_LOG_FILTER = RequestLogFilter()


def init_app(app: Flask) -> None:
    """Install the filter on werkzeug's request logger (once per process)."""
    logger = logging.getLogger("werkzeug")
    if REQUEST_LOG_FILTER not in logger.filters:
        logger.addFilter(REQUEST_LOG_FILTER)
