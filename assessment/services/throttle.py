"""Growing delays after failed attempts (sign-in, MFA and SMS codes), counted in storage that every worker shares.

Keys name what is counted: `email_key(address)`, `address_key(ip)`, `phone:+86…`, `mfa:12`. The first few failures
of a key are free, then each failure makes the next try wait 1, 2, 4 … seconds up to a cap; the count starts again
after a quiet window or a success. The store is the database (`throttles` table) unless REDIS_URL is configured.
In the web layer, `assessment.web.security.throttle()` returns the app's store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from assessment.db.models import Throttle as ThrottleRow

FREE_FAILURES = 5  # per key, before the first delay
FREE_FAILURES_BY_KIND: Mapping[str, int] = {"address": 20}  # one office shares one address
FIRST_DELAY = 1.0  # seconds
MAX_DELAY = 15 * 60.0
WINDOW = 24 * 3600.0  # a quiet day forgets the failures


@dataclass(frozen=True)
class Policy:
    """How many failures are free and how the delay grows (config THROTTLE_*)."""

    free_failures: int = FREE_FAILURES
    free_failures_by_kind: Mapping[str, int] = field(default_factory=lambda: dict(FREE_FAILURES_BY_KIND))
    first_delay: float = FIRST_DELAY
    max_delay: float = MAX_DELAY
    window: float = WINDOW

    def free(self, key: str) -> int:
        """Failures allowed for this key before the first delay ('address:…' may have its own number)."""
        return int(self.free_failures_by_kind.get(key.partition(":")[0], self.free_failures))

    def delay(self, key: str, failures: int) -> float:
        """Seconds the next try must wait after this many failures in the window."""
        over = failures - self.free(key)
        if over <= 0:
            return 0.0
        return min(self.max_delay, self.first_delay * 2.0 ** min(over - 1, 60))

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Policy:
        """The policy from THROTTLE_FREE_FAILURES, THROTTLE_FREE_FAILURES_BY_KIND, THROTTLE_FIRST_DELAY, … settings."""
        return cls(free_failures=int(config.get("THROTTLE_FREE_FAILURES", FREE_FAILURES)),
                   free_failures_by_kind=dict(config.get("THROTTLE_FREE_FAILURES_BY_KIND", FREE_FAILURES_BY_KIND)),
                   first_delay=float(config.get("THROTTLE_FIRST_DELAY", FIRST_DELAY)),
                   max_delay=float(config.get("THROTTLE_MAX_DELAY", MAX_DELAY)),
                   window=float(config.get("THROTTLE_WINDOW", WINDOW)))


@dataclass(frozen=True)
class Count:
    """A key's failures in the current window and until when it is blocked."""

    failures: int = 0
    blocked_until: datetime | None = None


class Throttle(Protocol):
    """Where failures are counted: shared by every worker (the database, or Redis)."""

    policy: Policy

    def count(self, session: Session, key: str, now: datetime) -> Count:
        """The key's failures in the window (none once the window has passed)."""
        ...

    def fail(self, session: Session, key: str, now: datetime) -> Count:
        """Count one more failure atomically and block the key for the delay that follows."""
        ...

    def clear(self, session: Session, key: str) -> None:
        """Forget the key's failures."""
        ...


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def email_key(email: str) -> str:
    """The key of a sign-in address (hashed: the table keeps no addresses; known and unknown alike)."""
    return "email:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def address_key(address: str) -> str:
    """The key of a client network address."""
    return "address:" + address[:100]


def wait_seconds(store: Throttle, session: Session, keys: Sequence[str], now: datetime | None = None) -> float:
    """0.0 when a try is allowed now, else the seconds until the next try (the longest wait of the keys)."""
    moment = _now(now)
    waits = [(count.blocked_until - moment).total_seconds() for key in keys
             if (count := store.count(session, key, moment)).blocked_until is not None]
    return max([0.0, *waits])


def record_failure(store: Throttle, session: Session, keys: Sequence[str],
                   now: datetime | None = None) -> dict[str, Count]:
    """Count a failure for every key; each key's new count (the caller commits for the database store)."""
    moment = _now(now)
    return {key: store.fail(session, key, moment) for key in keys}


def failed(store: Throttle, session: Session, keys: Sequence[str], now: datetime | None = None) -> float:
    """Count a failure for every key; the seconds until the next try is allowed."""
    moment = _now(now)
    counts = record_failure(store, session, keys, moment)
    return max([0.0, *((c.blocked_until - moment).total_seconds() for c in counts.values() if c.blocked_until)])


def started_blocking(store: Throttle, key: str, count: Count) -> bool:
    """Whether this failure was the one that first blocked the key in its window (one notice per episode)."""
    return count.failures == store.policy.free(key) + 1


def succeeded(store: Throttle, session: Session, keys: Sequence[str]) -> None:
    """Forget the failures of these keys (e.g. the account's after a good sign-in)."""
    for key in keys:
        store.clear(session, key)


class DatabaseThrottle:
    """Failures in the `throttles` table, in the caller's transaction (commit it, even on a failed attempt)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def count(self, session: Session, key: str, now: datetime) -> Count:
        """The key's failures in the window."""
        row = session.execute(select(ThrottleRow.failures, ThrottleRow.last_failure_at, ThrottleRow.blocked_until)
                              .where(ThrottleRow.key == key)).one_or_none()
        if row is None or (now - row.last_failure_at).total_seconds() > self.policy.window:
            return Count()
        blocked = row.blocked_until if row.blocked_until is not None and row.blocked_until > now else None
        return Count(row.failures, blocked)

    def fail(self, session: Session, key: str, now: datetime) -> Count:
        """One more failure: an upsert, so two workers counting the same key at once both count."""
        quiet_since = now - timedelta(seconds=self.policy.window)
        stale = ThrottleRow.last_failure_at < quiet_since
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(ThrottleRow).values(key=key, failures=1, first_failure_at=now, last_failure_at=now,
                                               blocked_until=None)
        statement = statement.on_conflict_do_update(index_elements=[ThrottleRow.key], set_={
            "failures": case((stale, 1), else_=ThrottleRow.failures + 1),
            "first_failure_at": case((stale, now), else_=ThrottleRow.first_failure_at),
            "last_failure_at": now,
        })
        failures = int(session.execute(statement.returning(ThrottleRow.failures)).scalar_one())
        delay = self.policy.delay(key, failures)
        blocked = now + timedelta(seconds=delay) if delay > 0 else None
        session.execute(update(ThrottleRow).where(ThrottleRow.key == key).values(blocked_until=blocked))
        return Count(failures, blocked)

    def clear(self, session: Session, key: str) -> None:
        """Forget the key."""
        session.execute(delete(ThrottleRow).where(ThrottleRow.key == key))


# Atomic in Redis: reset after the quiet window, count, block for the delay the caller's policy gives.
_FAIL = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local free = tonumber(ARGV[3])
local first = tonumber(ARGV[4])
local cap = tonumber(ARGV[5])
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '-1e300')
local failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0')
if now - last > window then failures = 0 end
failures = failures + 1
local blocked = 0
if failures > free then
  local over = math.min(failures - free - 1, 60)
  blocked = now + math.min(cap, first * (2 ^ over))
end
redis.call('HSET', KEYS[1], 'failures', failures, 'last', tostring(now), 'blocked', tostring(blocked))
redis.call('EXPIRE', KEYS[1], math.ceil(window + cap) + 1)
return {failures, tostring(blocked)}
"""


class RedisThrottle:
    """Failures in Redis hashes under `prefix`; expired by Redis once the window and the longest delay have passed."""

    def __init__(self, policy: Policy, url: str, prefix: str = "assessment:throttle:") -> None:
        import redis  # only needed where REDIS_URL is configured

        self.policy = policy
        self.prefix = prefix
        self.client = redis.Redis.from_url(url, decode_responses=True)
        self._fail = self.client.register_script(_FAIL)

    def count(self, session: Session, key: str, now: datetime) -> Count:
        """The key's failures in the window."""
        values = {str(k): str(v) for k, v in self.client.hgetall(self.prefix + key).items()}
        if not values or now.timestamp() - float(values.get("last", "0")) > self.policy.window:
            return Count()
        blocked = float(values.get("blocked", "0"))
        return Count(int(values.get("failures", "0")),
                     datetime.fromtimestamp(blocked, UTC) if blocked > now.timestamp() else None)

    def fail(self, session: Session, key: str, now: datetime) -> Count:
        """One more failure, counted atomically by a script."""
        failures, blocked = self._fail(keys=[self.prefix + key],
                                       args=[repr(now.timestamp()), self.policy.window, self.policy.free(key),
                                             self.policy.first_delay, self.policy.max_delay])
        until = float(blocked)
        return Count(int(failures), datetime.fromtimestamp(until, UTC) if until > 0 else None)

    def clear(self, session: Session, key: str) -> None:
        """Forget the key."""
        self.client.delete(self.prefix + key)


def throttle_from_config(config: Mapping[str, Any]) -> Throttle:
    """The database store by default; Redis when REDIS_URL (env ASSESSMENT_REDIS_URL) is set."""
    policy = Policy.from_config(config)
    url = config.get("REDIS_URL")
    if url:
        return RedisThrottle(policy, str(url), str(config.get("REDIS_THROTTLE_PREFIX", "assessment:throttle:")))
    return DatabaseThrottle(policy)
