"""CSRF protection, rate limits, login sessions and the security headers every response carries."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

from assessment.services.rate_limits import SCHEME, DatabaseLimits
from assessment.services.throttle import Throttle, throttle_from_config
from assessment.web.site import site

csrf = CSRFProtect()
# storage: RATELIMIT_STORAGE_URI; the database by default, Redis when REDIS_URL is set (services/rate_limits.py)
limiter = Limiter(get_remote_address)
login_manager = LoginManager()
THROTTLE = "assessment.throttle"

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def resume_limit() -> str:
    """How often one address may try resume tokens (config RESUME_RATE_LIMIT)."""
    return str(current_app.config["RESUME_RATE_LIMIT"])


def login_limit() -> str:
    """How often one address may try to log in or register (config LOGIN_RATE_LIMIT)."""
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def throttle() -> Throttle:
    """The app's store of failed attempts (services/throttle.py), shared by every worker."""
    store: Throttle = current_app.extensions[THROTTLE]
    return store


def _request_sessions() -> Session:
    """A session of the database of the app serving the request (the limiter is one object for every app)."""
    return site(current_app).sessions()


def security_headers(response: Response) -> Response:
    """Add CSP, framing, referrer, sniffing and caching headers."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint != "static":
        # answers and results are private: shared computers must not keep them in the browser cache
        headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def init_app(app: Flask) -> None:
    """Switch on CSRF for every POST, the rate limiter, login sessions and the headers."""
    secure = bool(app.config["COOKIE_SECURE"])
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=secure,
    )
    if app.config.get("REDIS_URL") and app.config.get("RATELIMIT_STORAGE_URI") == f"{SCHEME}://":
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    app.extensions[THROTTLE] = throttle_from_config(app.config)
    csrf.init_app(app)
    limiter.init_app(app)
    if isinstance(limiter.storage, DatabaseLimits):  # counted where every node counts: the database
        limiter.storage.bind(_request_sessions)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    app.after_request(security_headers)
