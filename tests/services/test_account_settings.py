"""Account look-ups and settings the pages use: the name, the language, and who gets a reset link."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessment.db.models import SecurityEvent, User
from assessment.services import accounts


def _user(session: Session, email: str = "a@example.com") -> int:
    record, _new = accounts.register(session, email, accounts.hash_password("x" * 20), None)
    return record.id


def test_an_address_is_stored_trimmed_and_in_lower_case() -> None:
    assert accounts.normalised_email("  Name@Example.COM ") == "name@example.com"
    assert accounts.EMAIL.fullmatch("name@example.com") and not accounts.EMAIL.fullmatch("name@localhost")


def test_a_blank_name_clears_the_name_and_the_language_is_kept(session: Session) -> None:
    user_id = _user(session)
    accounts.set_display_name(session, user_id, "  Wang Fang ")
    assert (found := accounts.account(session, user_id)) is not None and found.display_name == "Wang Fang"
    accounts.set_display_name(session, user_id, "   ")
    accounts.set_language(session, user_id, "en")
    found = accounts.account_by_email(session, "a@example.com")
    assert found is not None and (found.display_name, found.language) == (None, "en")
    assert accounts.organisation(session, found.organisation_id) is None


def test_a_reset_link_goes_to_active_accounts_only_and_every_request_is_logged(session: Session) -> None:
    active, off = _user(session, "on@example.com"), _user(session, "off@example.com")
    session.execute(update(User).where(User.id == off).values(active=False))
    found = accounts.reset_requested(session, "on@example.com", "192.0.2.1")
    assert found is not None and found.id == active
    assert accounts.reset_requested(session, "off@example.com", "192.0.2.1") is None
    assert accounts.reset_requested(session, "nobody@example.com", "192.0.2.1") is None
    session.flush()
    logged = session.execute(select(SecurityEvent.user_id, SecurityEvent.outcome).order_by(SecurityEvent.id)).all()
    assert [tuple(row) for row in logged] == [(active, "success"), (off, "failure"), (None, "failure")]
