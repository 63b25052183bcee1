"""Signing in with a password: the throttle decides before any password is checked, and every try is logged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessment.db.models import SecurityEvent, User
from assessment.services import accounts, sign_in, throttle
from assessment.services.throttle import DatabaseThrottle, Policy

ADDRESS = "192.0.2.7"
PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _store() -> DatabaseThrottle:
    return DatabaseThrottle(Policy(free_failures=2, free_failures_by_kind={"address": 100}, first_delay=10.0))


def _account(session: Session, email: str = "a@example.com") -> int:
    record, new = accounts.register(session, email, accounts.hash_password(PASSWORD), "en")
    assert new
    session.commit()
    return record.id


def _kinds(session: Session) -> list[tuple[str, str]]:
    session.flush()
    return [(e.kind, e.outcome) for e in session.scalars(select(SecurityEvent).order_by(SecurityEvent.id))]


def test_the_right_password_signs_in_and_forgets_the_failures_of_the_address(session: Session) -> None:
    user_id = _account(session)
    store = _store()
    wrong = sign_in.with_password(session, store, "a@example.com", "wrong", address=ADDRESS, now=NOW)
    assert wrong.user is None and not wrong.throttled and wrong.wait == 0
    right = sign_in.with_password(session, store, "a@example.com", PASSWORD, address=ADDRESS, now=NOW)
    assert right.user is not None and right.user.id == user_id
    assert store.count(session, throttle.email_key("a@example.com"), NOW).failures == 0
    assert _kinds(session) == [("sign_in", "failure")]  # the success is logged once every factor is given


def test_failures_past_the_free_ones_make_the_next_try_wait_and_pause_the_account_once(session: Session) -> None:
    _account(session)
    store = _store()
    tries = [sign_in.with_password(session, store, "a@example.com", "wrong", address=ADDRESS, now=NOW)
             for _ in range(4)]
    assert [t.wait for t in tries] == [0.0, 0.0, 10.0, 10.0]
    assert [t.throttled for t in tries] == [False, False, False, True]  # the try that waits is not counted
    assert [t.paused is not None for t in tries] == [False, False, True, False]
    after = sign_in.with_password(session, store, "a@example.com", "wrong", address=ADDRESS,
                                  now=NOW + timedelta(seconds=10))
    assert after.wait == 20.0 and after.paused is None


def test_while_the_address_waits_no_password_is_checked(session: Session) -> None:
    _account(session)
    store = _store()
    for _ in range(3):
        sign_in.with_password(session, store, "a@example.com", "wrong", address=ADDRESS, now=NOW)
    held = sign_in.with_password(session, store, "a@example.com", PASSWORD, address=ADDRESS,
                                 now=NOW + timedelta(seconds=3))
    assert held.user is None and held.throttled and held.wait == 7.0
    assert _kinds(session)[-1] == ("sign_in_throttled", "failure")
    later = sign_in.with_password(session, store, "a@example.com", PASSWORD, address=ADDRESS,
                                  now=NOW + timedelta(seconds=11))
    assert later.user is not None


def test_an_unknown_address_fails_like_a_wrong_password(session: Session) -> None:
    _account(session)
    attempt = sign_in.with_password(session, _store(), "nobody@example.com", PASSWORD, address=ADDRESS, now=NOW)
    assert attempt.user is None and not attempt.throttled and attempt.paused is None
    assert _kinds(session) == [("sign_in", "failure")]


def test_a_switched_off_account_does_not_sign_in_with_its_password(session: Session) -> None:
    user_id = _account(session)
    session.execute(update(User).where(User.id == user_id).values(active=False))
    attempt = sign_in.with_password(session, _store(), "a@example.com", PASSWORD, address=ADDRESS, now=NOW)
    assert attempt.user is None


def test_the_password_given_again_counts_wrong_ones_against_the_account(session: Session) -> None:
    user_id = _account(session)
    user = accounts.account(session, user_id)
    assert user is not None
    store, keys = _store(), sign_in.reauth_keys(user_id, ADDRESS)
    assert sign_in.password_again(session, store, user, PASSWORD, keys, address=ADDRESS, now=NOW) == (True, 0.0)
    for _ in range(3):
        assert sign_in.password_again(session, store, user, "wrong", keys, address=ADDRESS, now=NOW)[0] is False
    assert sign_in.password_again(session, store, user, PASSWORD, keys, address=ADDRESS, now=NOW) == (False, 10.0)
    assert _kinds(session)[-1] == ("sign_in_throttled", "failure")


def test_signing_out_everywhere_raises_the_session_generation(session: Session) -> None:
    user_id = _account(session)
    before = accounts.account(session, user_id)
    sign_in.sign_out_everywhere(session, user_id, "sign_out_everywhere", ADDRESS)
    after = accounts.account(session, user_id)
    assert before is not None and after is not None
    assert after.session_generation == before.session_generation + 1
    assert _kinds(session) == [("sign_out_everywhere", "success")]
