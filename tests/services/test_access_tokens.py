"""Personal access tokens: stored hashed and shown once, expiring, revocable by their owner only, cut off with a
switched-off or deleted account, scoped read or read-write, last use written at most once a minute, and made only
with a code from the authenticator app where the account uses two-step verification; on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessment.db import providers
from assessment.db.models import AccessToken, SecurityEvent, User
from assessment.services import accounts, data_rights, security_log, tokens
from assessment.services.authorization import Principal, may_with_token, may_write_with, principal_of
from assessment.services.throttle import DatabaseThrottle, Policy
from assessment.services.tokens import TokenRequest

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
STORE = DatabaseThrottle(Policy())
REQUIRED = ("site_admin", "provider_admin", "official")


def _account(session: Session, email: str = "owner@example.com", role: str = "enterprise") -> Principal:
    organisation = providers.add_organisation(session, f"服务商 {email}", "provider", "370100").id \
        if role.startswith("provider") else None
    record = providers.add_member(session, email, accounts.hash_password("x" * 20), role=role,
                                  organisation_id=organisation, region_code="370100" if role == "official" else None)
    return principal_of(session, record.id)


def _make(session: Session, who: Principal, scope: str = "read", days: int = 90, *, code: str | None = None,
          now: datetime = NOW) -> tokens.Created:
    return tokens.create(session, STORE, who, TokenRequest("同步脚本", scope, days), code=code,
                         required_roles=REQUIRED, address="192.0.2.7", now=now)


def _enrol(session: Session, user_id: int) -> str:
    secret = pyotp.random_base32()
    session.execute(update(User).where(User.id == user_id).values(mfa_secret=secret, mfa_enabled_at=NOW))
    return secret


def test_a_token_is_stored_only_as_its_hash_and_its_secret_is_given_once(session: Session) -> None:
    who = _account(session)
    made = _make(session, who)
    assert made.ok and made.token is not None
    assert made.secret.startswith("sat_") and len(made.secret) == 44 and made.secret[4:].isascii() and made.secret[4:].isalnum()
    row = session.scalars(select(AccessToken)).one()
    stored = [str(getattr(row, c.key)) for c in AccessToken.__table__.columns]
    assert made.secret not in " ".join(stored)
    assert row.secret_hash == tokens.secret_hash(made.secret) and row.prefix == made.secret[:12]
    [listed] = tokens.tokens_of(session, who)
    assert not hasattr(listed, "secret") and not hasattr(listed, "secret_hash") and listed.prefix == row.prefix
    assert _make(session, who).secret != made.secret


def test_a_token_acts_as_its_account_with_its_scope(session: Session) -> None:
    who = _account(session)
    made = _make(session, who, "read-write")
    found = tokens.authenticate(session, made.secret, NOW + timedelta(minutes=5))
    assert found is not None and found.principal == who and found.scope == "read-write" and found.may_write


@pytest.mark.parametrize("value", ["", "sat_", "Bearer x", "sat_" + "a" * 39, "sat_" + "a" * 41, "sat_" + "-" * 40,
                                   "pat_" + "a" * 40, "sat_" + "é" * 40, "x" * 10_000])
def test_a_malformed_or_unknown_token_acts_as_nobody(session: Session, value: str) -> None:
    _make(session, _account(session))
    assert tokens.authenticate(session, value, NOW) is None


def test_a_token_with_a_known_prefix_and_another_secret_acts_as_nobody(session: Session) -> None:
    made = _make(session, _account(session))
    forged = made.secret[:12] + ("A" if made.secret[12] != "A" else "B") + made.secret[13:]
    assert tokens.authenticate(session, forged, NOW) is None


def test_a_token_stops_working_when_it_expires(session: Session) -> None:
    made = _make(session, _account(session), days=1)
    assert made.token is not None and made.token.expires_at == NOW + timedelta(days=1)
    assert tokens.authenticate(session, made.secret, NOW + timedelta(hours=23, minutes=59)) is not None
    assert tokens.authenticate(session, made.secret, NOW + timedelta(days=1)) is None
    assert tokens.tokens_of(session, principal_of(session, made.token.user_id))[0].status(NOW + timedelta(days=2)) \
        == "expired"


@pytest.mark.parametrize(("name", "scope", "days", "field"), [
    ("", "read", "90", "name"), ("   ", "read", "90", "name"), ("x" * 61, "read", "90", "name"),
    ("a\x00b", "read", "90", "name"), ("ok", "admin", "90", "scope"), ("ok", None, "90", "scope"),
    ("ok", "read", "0", "days"), ("ok", "read", "367", "days"), ("ok", "read", "-1", "days"),
    ("ok", "read", "9" * 400, "days"), ("ok", "read", "1.5", "days"), ("ok", "read", "", "days")])
def test_every_field_of_a_request_is_bounded(name: str, scope: str | None, days: str, field: str) -> None:
    wanted, problems = tokens.read_request(name, scope, days)
    assert wanted is None and list(problems) == [field]


def test_the_expiry_is_at_most_366_days_and_full_width_digits_are_read() -> None:
    assert tokens.read_request(" 脚本 ", "read", "３６６") == (TokenRequest("脚本", "read", 366), {})
    assert tokens.LONGEST_DAYS == 366 and tokens.DEFAULT_DAYS == 90


def test_the_service_refuses_a_request_the_checks_refuse(session: Session) -> None:
    with pytest.raises(tokens.TokenInvalid):
        tokens.create(session, STORE, _account(session), TokenRequest("ok", "read", 400), code=None,
                      required_roles=REQUIRED, address="", now=NOW)


def test_only_the_owner_revokes_a_token_and_it_stops_at_once(session: Session) -> None:
    who, other = _account(session), _account(session, "other@example.com")
    made = _make(session, who)
    assert made.token is not None
    assert not tokens.revoke(session, other, made.token.id, address="", now=NOW)
    assert tokens.own_token(session, other, made.token.id) is None
    assert tokens.authenticate(session, made.secret, NOW) is not None
    assert tokens.revoke(session, who, made.token.id, address="192.0.2.7", now=NOW)
    assert tokens.authenticate(session, made.secret, NOW) is None
    assert tokens.revoke(session, who, made.token.id, address="", now=NOW)  # again: nothing more happens
    assert tokens.tokens_of(session, who)[0].status(NOW) == "revoked"
    session.flush()
    kinds = session.scalars(select(SecurityEvent.kind).order_by(SecurityEvent.id)).all()
    assert kinds == [security_log.ACCESS_TOKEN_CREATED, security_log.ACCESS_TOKEN_REVOKED]


def test_creation_and_revocation_are_in_the_security_log_without_the_secret(session: Session) -> None:
    who = _account(session)
    made = _make(session, who)
    session.flush()
    event = session.scalars(select(SecurityEvent)).one()
    assert (event.kind, event.user_id, event.address) == (security_log.ACCESS_TOKEN_CREATED, who.user_id, "192.0.2.7")
    assert event.detail["prefix"] == made.secret[:12] and made.secret not in str(event.detail)


def test_a_switched_off_account_s_tokens_stop_on_the_next_request(session: Session) -> None:
    who = _account(session)
    made = _make(session, who)
    session.execute(update(User).where(User.id == who.user_id).values(active=False))
    assert tokens.authenticate(session, made.secret, NOW) is None
    session.execute(update(User).where(User.id == who.user_id).values(active=True))
    assert tokens.authenticate(session, made.secret, NOW) is not None


def test_a_switched_off_account_gets_no_new_token(session: Session) -> None:
    who = _account(session)
    session.execute(update(User).where(User.id == who.user_id).values(active=False))
    assert _make(session, who).status == "inactive"


def test_deleting_the_account_removes_its_tokens(session: Session, tmp_path: Path) -> None:
    who, other = _account(session), _account(session, "other@example.com")
    made, kept = _make(session, who), _make(session, other)
    assert who.user_id is not None
    data_rights.erase_account(session, who.user_id, evidence_dir=tmp_path)
    assert tokens.authenticate(session, made.secret, NOW) is None
    assert session.scalars(select(AccessToken.user_id)).all() == [other.user_id]
    assert tokens.authenticate(session, kept.secret, NOW) is not None


def test_the_account_s_data_export_lists_its_tokens_without_secret_or_hash(session: Session, tmp_path: Path) -> None:
    who = _account(session)
    made = _make(session, who)
    assert who.user_id is not None and made.token is not None
    archive = io.BytesIO()
    data_rights.export_archive(session, who.user_id, archive, evidence_dir=tmp_path, report=lambda _record: None)
    data = json.loads(zipfile.ZipFile(archive).read("data.json"))
    [listed] = data["access_tokens"]
    assert (listed["id"], listed["prefix"], listed["scope"]) == (made.token.id, made.secret[:12], "read")
    assert made.secret not in json.dumps(data) and tokens.secret_hash(made.secret) not in json.dumps(data)


def test_a_token_acts_as_the_account_as_stored_now(session: Session) -> None:
    admin = _account(session, "admin@example.com", "site_admin")
    _enrol(session, admin.user_id or 0)
    made = tokens.create(session, STORE, admin, TokenRequest("运维", "read-write", 30),
                         code=None, required_roles=(), address="", now=NOW)
    assert made.status == "code_missing"
    session.execute(update(User).where(User.id == admin.user_id).values(mfa_enabled_at=None))
    made = tokens.create(session, STORE, admin, TokenRequest("运维", "read-write", 30), code=None,
                         required_roles=(), address="", now=NOW)
    found = tokens.authenticate(session, made.secret, NOW, required_roles=())
    assert found is not None and found.principal == principal_of(session, admin.user_id)  # the web's principal
    session.execute(update(User).where(User.id == admin.user_id).values(role="enterprise"))
    found = tokens.authenticate(session, made.secret, NOW)
    assert found is not None and found.principal.role == "enterprise"


def test_a_token_of_a_role_that_must_use_two_step_verification_stops_when_it_is_reset(session: Session) -> None:
    admin = _account(session, "admin@example.com", "site_admin")
    secret = _enrol(session, admin.user_id or 0)
    made = _make(session, admin, code=pyotp.TOTP(secret).at(NOW))
    assert tokens.authenticate(session, made.secret, NOW) is not None
    session.execute(update(User).where(User.id == admin.user_id).values(mfa_secret=None, mfa_enabled_at=None))
    assert tokens.authenticate(session, made.secret, NOW) is None  # the web would open nothing until it is set up
    assert tokens.authenticate(session, made.secret, NOW, required_roles=()) is not None


def test_a_read_token_never_writes_and_a_token_never_adds_to_what_the_door_allows() -> None:
    assert may_write_with(None) and may_write_with("read-write") and not may_write_with("read")
    assert may_with_token(True, "read", writes=False) and not may_with_token(True, "read", writes=True)
    assert may_with_token(True, "read-write", writes=True) and may_with_token(True, None, writes=True)
    assert not any(may_with_token(False, scope, writes=w) for scope in (None, "read", "read-write")
                   for w in (False, True))


def test_the_last_use_is_written_at_most_once_a_minute(session: Session) -> None:
    made = _make(session, _account(session))
    for seconds, expected in ((0, 0), (30, 0), (59, 0), (60, 60), (61, 60), (125, 125)):
        assert tokens.authenticate(session, made.secret, NOW + timedelta(seconds=seconds), address="198.51.100.4")
        [line] = tokens.tokens_of(session, principal_of(session, made.token.user_id if made.token else 0))
        session.expire_all()
        assert line.last_used_at == NOW + timedelta(seconds=expected), seconds
        assert line.last_used_address == "198.51.100.4"


def test_an_account_holds_at_most_twenty_usable_tokens(session: Session) -> None:
    who = _account(session)
    for _ in range(tokens.MOST_USABLE):
        assert _make(session, who).ok
    assert _make(session, who).status == "too_many"
    first = tokens.tokens_of(session, who)[-1]
    assert tokens.revoke(session, who, first.id, address="", now=NOW)
    assert _make(session, who).ok


@pytest.mark.parametrize("role", REQUIRED)
def test_a_role_that_must_use_two_step_verification_gets_no_token_without_it(session: Session, role: str) -> None:
    who = _account(session, f"{role}@example.com", role)
    assert _make(session, who).status == "mfa_required"
    assert session.scalars(select(AccessToken)).all() == []


@pytest.mark.parametrize("role", [*REQUIRED, "enterprise"])
def test_an_account_with_two_step_verification_gives_a_current_code(session: Session, role: str) -> None:
    who = _account(session, f"{role}@example.com", role)
    secret = _enrol(session, who.user_id or 0)
    assert _make(session, who).status == "code_missing"
    assert _make(session, who, code="000000" if pyotp.TOTP(secret).at(NOW) != "000000" else "111111").status \
        == "wrong_code"
    good = pyotp.TOTP(secret).at(NOW)
    assert _make(session, who, code=good).ok
    assert _make(session, who, code=good).status == "used_code"  # a code works once
    session.flush()
    assert session.scalar(select(SecurityEvent.detail).where(
        SecurityEvent.kind == security_log.MFA_VERIFIED, SecurityEvent.outcome == "success"))["purpose"] \
        == "access_token"
