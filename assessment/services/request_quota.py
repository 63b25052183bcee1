"""Requests per client within a fixed window (the JSON API's rate limits), counted in the throttle storage.

Each window has its own key (`api:<client>:<window number>`), counted atomically by the store every worker shares
(the `throttles` table, or Redis when REDIS_URL is set); starting a window forgets the one before, so the table
keeps at most one row per recent client.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from assessment.services.throttle import Throttle, throttle_from_config

REQUESTS = 60
PERIOD = 60  # seconds


@dataclass(frozen=True)
class Quota:
    """How many requests one client may make per period, and the store that counts them."""

    requests: int
    period: int
    store: Throttle


def quota_from_config(config: Mapping[str, Any]) -> Quota:
    """API_RATE_REQUESTS requests per API_RATE_PERIOD seconds, in the same storage as the sign-in throttle."""
    requests = int(config.get("API_RATE_REQUESTS", REQUESTS))
    period = int(config.get("API_RATE_PERIOD", PERIOD))
    store = throttle_from_config({**config, "THROTTLE_FREE_FAILURES": requests, "THROTTLE_FREE_FAILURES_BY_KIND": {},
                                  "THROTTLE_FIRST_DELAY": period, "THROTTLE_MAX_DELAY": period,
                                  "THROTTLE_WINDOW": period})
    return Quota(requests, period, store)


def spend(quota: Quota, session: Session, client: str, now: datetime | None = None) -> int:
    """Count one request of the client: 0 if it is within the quota, else the seconds until the next window."""
    moment = now if now is not None else datetime.now(UTC)
    window = int(moment.timestamp()) // quota.period
    key = f"api:{client[:100]}:{window}"
    count = quota.store.fail(session, key, moment)
    if count.failures == 1:
        quota.store.clear(session, f"api:{client[:100]}:{window - 1}")
    if count.failures <= quota.requests:
        return 0
    return max(1, math.ceil((window + 1) * quota.period - moment.timestamp()))
