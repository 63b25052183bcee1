"""Reading the security log for site admins: filters (kind, outcome, account, Beijing dates), newest first, pages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from assessment.db import accounts
from assessment.db.accounts import SecurityEventRow
from assessment.domain.answers import N_
from assessment.services.security_log import KINDS, OUTCOMES

BEIJING: tzinfo
try:
    BEIJING = ZoneInfo("Asia/Shanghai")
except ZoneInfoNotFoundError:  # a system without the time zone database: China keeps UTC+8 all year
    BEIJING = timezone(timedelta(hours=8), "CST")
PAGE_SIZE = 50
MOBILE = re.compile(r"1\d{10}")


@dataclass(frozen=True)
class EventFilter:
    """What the admin asked for; empty fields match everything."""

    kind: str = ""
    outcome: str = ""
    account: str = ""
    """An account id, email address or mobile number; events where it is the subject or the actor."""
    since: date | None = None
    until: date | None = None
    """Inclusive, in Beijing time."""
    before: int | None = None
    """Continue after the entry with this id (the next, older page)."""

    def query(self, **changes: object) -> dict[str, str]:
        """The filter as query-string values (for links to other pages of the list)."""
        wanted = replace(self, **changes)  # type: ignore[arg-type]
        values = {"kind": wanted.kind, "outcome": wanted.outcome, "account": wanted.account,
                  "from": wanted.since.isoformat() if wanted.since else "",
                  "to": wanted.until.isoformat() if wanted.until else "",
                  "before": str(wanted.before) if wanted.before else ""}
        return {k: v for k, v in values.items() if v}


@dataclass(frozen=True)
class EventLine:
    """One entry as the admin page lists it, its time in Beijing time."""

    row: SecurityEventRow
    local_time: datetime


@dataclass(frozen=True)
class EventPage:
    """One page of entries, and where the next (older) page starts, if there is one."""

    lines: tuple[EventLine, ...]
    next_before: int | None


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()[:10]) if raw.strip() else None
    except ValueError:
        return None


def read_filter(args: Mapping[str, str]) -> tuple[EventFilter, dict[str, str]]:
    """The filter from a query string, and a message (English msgid) per field that could not be read."""
    problems: dict[str, str] = {}
    kind = str(args.get("kind", "")).strip()
    if kind and kind not in KINDS:
        problems["kind"], kind = N_("Choose an event from the list."), ""
    outcome = str(args.get("outcome", "")).strip()
    if outcome and outcome not in OUTCOMES:
        problems["outcome"], outcome = N_("Choose an outcome from the list."), ""
    dates: dict[str, date | None] = {}
    for name in ("from", "to"):
        raw = str(args.get(name, ""))[:40]
        dates[name] = _date(raw)
        if raw.strip() and dates[name] is None:
            problems[name] = N_("Enter a date as YYYY-MM-DD.")
    before = str(args.get("before", "")).strip()
    account = str(args.get("account", "")).strip()[:254]
    return EventFilter(kind, outcome, account, dates["from"], dates["to"],
                       int(before) if before.isdigit() and len(before) < 12 else None), problems


def _account_id(session: Session, account: str) -> int | None:
    """The account an id, email address or mobile number names (-1, matching nothing, if none)."""
    if account.isdigit() and not MOBILE.fullmatch(account):
        return int(account) if len(account) < 12 else -1
    contact = account.lower() if "@" in account else account
    if MOBILE.fullmatch(contact):
        contact = "+86" + contact
    found = accounts.user_id_by_contact(session, contact)
    return -1 if found is None else found


def _beijing_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), BEIJING).astimezone(UTC)


def events(session: Session, wanted: EventFilter, page_size: int = PAGE_SIZE) -> EventPage:
    """One page of the log, newest first, as the filter asks."""
    rows = accounts.security_events(
        session, kind=wanted.kind or None, outcome=wanted.outcome or None,
        account_id=_account_id(session, wanted.account) if wanted.account else None,
        since=_beijing_midnight(wanted.since) if wanted.since else None,
        until=_beijing_midnight(wanted.until + timedelta(days=1)) if wanted.until else None,
        before=wanted.before, limit=page_size + 1)
    shown = rows[:page_size]
    lines = tuple(EventLine(r, r.at.astimezone(BEIJING)) for r in shown)
    return EventPage(lines, shown[-1].id if len(rows) > page_size else None)
