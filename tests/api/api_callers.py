"""Accounts with personal access tokens for the token endpoints' tests: an account of a role (two-step verification
set up, as the roles that must use it need) and a working token of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import update

from assessment.db import providers
from assessment.db import tokens as token_records
from assessment.db.models import User
from assessment.services import tokens
from assessment.web.site import site


def account(app: Flask, email: str, role: str, *, region: str | None = None, organisation: int | None = None) -> int:
    """An active account of a role with two-step verification set up; its id."""
    with site(app).sessions() as session:
        record = providers.add_member(session, email, "not-a-password-hash", role=role, region_code=region,
                                      organisation_id=organisation)
        session.commit()
    enrol(app, record.id)
    return record.id


def enrol(app: Flask, user_id: int) -> None:
    """Two-step verification set up for the account (the roles that must use it get no working token without)."""
    with site(app).sessions() as session:
        session.execute(update(User).where(User.id == user_id).values(mfa_secret="JBSWY3DPEHPK3PXP",
                                                                     mfa_enabled_at=datetime.now(UTC)))
        session.commit()


def organisation(app: Flask, name: str, region: str = "370100") -> int:
    """A provider organisation; its id."""
    with site(app).sessions() as session:
        found = providers.add_organisation(session, name, "provider", region).id
        session.commit()
        return found


def token(app: Flask, user_id: int, scope: str = "read") -> str:
    """A working token of the account (90 days); the secret."""
    secret = tokens.new_secret()
    now = datetime.now(UTC)
    with site(app).sessions() as session:
        token_records.add_token(session, user_id=user_id, name="tests", prefix=tokens.public_prefix(secret),
                                secret_hash=tokens.secret_hash(secret), scope=scope, created_at=now,
                                expires_at=now + timedelta(days=90), address="")
        session.commit()
    return secret


def bearer(secret: str, language: str = "zh") -> dict[str, str]:
    """The request headers of a token (and a language)."""
    return {"Authorization": f"Bearer {secret}", "Accept-Language": language}
