"""Accounts with personal access tokens for the API tests, made through the services as the account page makes them."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask

from assessment.db import providers
from assessment.domain.enterprise import uscc_check_character
from assessment.services import accounts, tokens
from assessment.services.authorization import principal_of
from assessment.services.throttle import DatabaseThrottle, Policy
from assessment.services.tokens import TokenRequest
from assessment.web.site import site

USCC = "91110108MA01B2C3X" + uscc_check_character("91110108MA01B2C3X")
PROFILE = {"name": "北京精工机械有限公司", "uscc": USCC, "region_code": "110108",
           "industry_code": "34", "employees": "120", "revenue_10k_cny": "8000", "zhuanjingtexin": "none"}


def account_with_token(app: Flask, email: str, role: str = "enterprise", scope: str = "read-write") -> tuple[int, str]:
    """A new account of this role and a token of this scope for it: (account id, the token)."""
    with site(app).sessions() as session:
        organisation = providers.add_organisation(session, f"服务商 {email}", "provider", "370100").id \
            if role.startswith("provider") else None
        record = providers.add_member(session, email, accounts.hash_password("x" * 20), role=role,
                                      organisation_id=organisation,
                                      region_code="370100" if role == "official" else None)
        made = tokens.create(session, DatabaseThrottle(Policy()), principal_of(session, record.id),
                             TokenRequest("脚本", scope, 30), code=None, required_roles=(), address="192.0.2.1",
                             now=datetime.now(UTC))
        session.commit()
    assert made.ok, made.status
    return record.id, made.secret


def bearer(token: str, **more: str) -> dict[str, str]:
    """The request headers that carry the token."""
    return {"Authorization": f"Bearer {token}", **more}
