"""Flask-Limiter's counters (login, resume links) in the `throttles` table, so every worker on every node counts
together when no Redis is configured (with REDIS_URL they are in Redis): a `limits` storage, scheme
`assessment+database://`, over sessions of the app serving the request (given by `bind` once the limiter has made the
storage: the web layer binds a function of the current app, since one limiter serves every app of a process).

A counter is a row `limit:<sha256 of the limiter's key>`: `failures` counts the hits of the window, which started at
`first_failure_at` and ends at `blocked_until`; a hit after the end starts a new window. Only the fixed-window
strategy (Flask-Limiter's default) is served.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from limits.storage import Storage
from sqlalchemy import CursorResult, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from assessment.db.models import Throttle as ThrottleRow

SCHEME = "assessment+database"
PREFIX = "limit:"


def row_key(key: str) -> str:
    """The row of a limiter key (hashed: the limiter's keys carry addresses and may be long)."""
    return PREFIX + hashlib.sha256(key.encode()).hexdigest()


class DatabaseLimits(Storage):
    """Fixed-window hit counters in the database every node shares."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012 - the limits registry reads this class attribute

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions, **options)
        self._sessions: Callable[[], Session] | None = None

    def bind(self, sessions: Callable[[], Session]) -> None:
        """Count in the database these sessions open (the app's)."""
        self._sessions = sessions

    def sessions(self) -> Session:
        """A session of the bound database."""
        if self._sessions is None:
            raise RuntimeError("the rate-limit storage is not bound to a database")
        return self._sessions()

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        """What a failing database raises."""
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count `amount` hits: an upsert, so hits on two nodes at once both count; a window past its end restarts."""
        now = datetime.now(UTC)
        ends = now + timedelta(seconds=expiry)
        with self.sessions() as session:
            dialect = session.get_bind().dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            over = ThrottleRow.blocked_until <= now
            statement = insert(ThrottleRow).values(key=row_key(key), failures=amount, first_failure_at=now,
                                                   last_failure_at=now, blocked_until=ends)
            statement = statement.on_conflict_do_update(index_elements=[ThrottleRow.key], set_={
                "failures": case((over, amount), else_=ThrottleRow.failures + amount),
                "first_failure_at": case((over, now), else_=ThrottleRow.first_failure_at),
                "blocked_until": case((over, ends), else_=ThrottleRow.blocked_until),
                "last_failure_at": now,
            })
            hits = int(session.execute(statement.returning(ThrottleRow.failures)).scalar_one())
            session.commit()
        return hits

    def _window(self, key: str) -> tuple[int, datetime | None]:
        with self.sessions() as session:
            row = session.execute(select(ThrottleRow.failures, ThrottleRow.blocked_until)
                                  .where(ThrottleRow.key == row_key(key))).one_or_none()
        if row is None or row.blocked_until is None or row.blocked_until <= datetime.now(UTC):
            return 0, None
        return int(row.failures), row.blocked_until

    def get(self, key: str) -> int:
        """The hits of the key's current window."""
        return self._window(key)[0]

    def get_expiry(self, key: str) -> float:
        """When the key's window ends (epoch seconds; now when there is none)."""
        ends = self._window(key)[1]
        return ends.timestamp() if ends is not None else time.time()

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            with self.sessions() as session:
                session.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        """Forget every limiter counter (the sign-in throttle's rows stay)."""
        with self.sessions() as session:
            result = cast(CursorResult[Any], session.execute(delete(ThrottleRow)
                                                             .where(ThrottleRow.key.startswith(PREFIX))))
            session.commit()
        return int(result.rowcount)

    def clear(self, key: str) -> None:
        """Forget one counter."""
        with self.sessions() as session:
            session.execute(delete(ThrottleRow).where(ThrottleRow.key == row_key(key)))
            session.commit()
