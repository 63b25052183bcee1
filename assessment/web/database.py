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


def close_db(_exc: BaseException | None = None) -> None:
    """Close the request's session, if one was opened."""
    session: Session | None = g.pop("db", None)
    if session is not None:
        session.close()


def init_app(app: Flask) -> None:
    """Close each request's session at teardown."""
    app.teardown_appcontext(close_db)
