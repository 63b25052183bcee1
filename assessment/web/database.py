"""The database session of a request: opened on first use, closed (and rolled back if uncommitted) at teardown."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from assessment.web.site import site

READ_SESSIONS = "assessment.read_sessions"
"""The app's read sessions (on the replica, when one is configured), set by create_app."""


def db() -> Session:
    """This request's session; the view handling a POST commits it."""
    if "db" not in g:
        g.db = site().sessions()
    session: Session = g.db
    return session


def reading() -> Session:
    """This request's session for a request that only reads: on a database server, outside a transaction.

    A transaction on PostgreSQL costs a BEGIN and a ROLLBACK round trip around the reads of a page; without one each
    read sees what is committed when it runs, as it would in a READ COMMITTED transaction. SQLite, in the process,
    starts no transaction for reads anyway, and switching its connection's mode would cost more than it saves.
    """
    session = db()
    if not session.in_transaction() and session.get_bind().dialect.name != "sqlite":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return session


def read_db() -> Session:
    """This request's session for the officials' aggregates: on the read replica when one is configured (a read-only
    copy a moment behind the primary), else the request's own session. Nothing written through it."""
    if "read_db" not in g:
        sessions: Callable[[], Session] | None = current_app.extensions.get(READ_SESSIONS)
        g.read_db = sessions() if sessions is not None else db()
    session: Session = g.read_db
    return session


def close_db(_exc: BaseException | None = None) -> None:
    """Close the request's session, if one was opened."""
    for name in ("read_db", "db"):
        session: Session | None = g.pop(name, None)
        if session is not None:
            session.close()


def init_app(app: Flask) -> None:
    """Close each request's session at teardown."""
    app.teardown_appcontext(close_db)
