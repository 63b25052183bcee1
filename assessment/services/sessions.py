"""Server-side session revocation: each account has a session generation; raising it ends all its sessions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from assessment.db.models import User

HOUR = 3600.0
IDLE_BY_ROLE: Mapping[str, float] = {
    "enterprise": 2 * HOUR, "provider_staff": 2 * HOUR,
    "provider_admin": HOUR / 2, "official": HOUR / 2, "site_admin": HOUR / 4,
}
"""Seconds without a request after which a signed-in session ends (config SESSION_IDLE_BY_ROLE overrides)."""
MAX_AGE_BY_ROLE: Mapping[str, float] = {
    "enterprise": 12 * HOUR, "provider_staff": 12 * HOUR,
    "provider_admin": 8 * HOUR, "official": 8 * HOUR, "site_admin": 4 * HOUR,
}
"""Seconds after sign-in at which a session ends however busy (config SESSION_MAX_AGE_BY_ROLE overrides)."""


def limits(config: Mapping[str, Any], role: str) -> tuple[float, float]:
    """The idle and the absolute limit of a role's sessions, in seconds (roles not named: the longest of each)."""
    idle = {**IDLE_BY_ROLE, **dict(config.get("SESSION_IDLE_BY_ROLE") or {})}
    age = {**MAX_AGE_BY_ROLE, **dict(config.get("SESSION_MAX_AGE_BY_ROLE") or {})}
    return float(idle.get(role, max(idle.values()))), float(age.get(role, max(age.values())))


def session_alive(config: Mapping[str, Any], role: str, *, started: float, seen: float, now: float) -> bool:
    """Whether a session signed in at `started` and last used at `seen` (epoch seconds) may go on at `now`."""
    idle, age = limits(config, role)
    return now - seen <= idle and now - started <= age and started <= now + 60


def end_all_sessions(session: Session, user_id: int) -> None:
    """End every signed-in session of the account on its next request (in the caller's transaction)."""
    session.execute(update(User).where(User.id == user_id)
                    .values(session_generation=User.session_generation + 1))
