"""The database session of a request: opened on first use, closed (and rolled back if uncommitted) at teardown."""

from __future__ import annotations

from flask import Flask, g
from sqlalchemy.orm import Session

from assessment.web.site import site


def db() -> Session:
    """This request's session; the view handling a POST commits it."""
    if "db" not in g:
        g.db = site().sessions()
    session: Session = g.db
    return session


def close_db(_exc: BaseException | None = None) -> None:
    """Close the request's session, if one was opened."""
    session: Session | None = g.pop("db", None)
    if session is not None:
        session.close()


def init_app(app: Flask) -> None:
    """Close each request's session at teardown."""
    app.teardown_appcontext(close_db)
