"""The WSGI entry point for gunicorn behind a reverse proxy: `gunicorn "assessment.web.wsgi:app"` (docs/deploy.md)."""

from __future__ import annotations

from werkzeug.middleware.proxy_fix import ProxyFix

from assessment.web.app import create_app

app = create_app()
_hops = int(app.config.get("PROXY_HOPS", 0))
if _hops:
    # Trust X-Forwarded-For/-Proto/-Host from exactly this many proxies, so rate limits see the client's address
    # and url_for builds https links; never set it when clients reach gunicorn directly (they could forge them).
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=_hops, x_proto=_hops, x_host=_hops)  # type: ignore[method-assign]
