"""Who is asking, and what they may see: the principal of a request, role checks, mail, session age and re-auth."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, TypeVar, cast

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext
from flask_login import current_user

from assessment.services import accounts, authorization, security_log, sessions
from assessment.services.authorization import Principal
from assessment.services.mail import MailFailed, Message, Outbox, outbox_from_config
from assessment.services.onsite import Actor
from assessment.services.records import AssessmentRecord, UserRecord
from assessment.web.database import db
from assessment.web.deferred import after_response
from assessment.web.language import current_language
from assessment.web.outbox import keeper

MAIL = "assessment.mail"
SIGNED_IN_AT = "signed_in_at"  # when the password was last given (re-authentication)
PASSWORD_AT = "password_at"
STARTED_AT = "session_started_at"  # the sign-in: the absolute timeout counts from here
SEEN_AT = "session_seen_at"  # the last request: the idle timeout counts from here
GENERATION = "session_generation"  # the account's session generation at sign-in; raising it ends the session
View = TypeVar("View", bound=Callable[..., Any])


def principal() -> Principal:
    """The account making this request, with its role and organisation (empty for a visitor)."""
    if not current_user.is_authenticated:
        return Principal()
    return Principal(int(current_user.id), str(current_user.role), current_user.organisation_id)


def actor() -> Actor:
    """The logged-in account as the audit trail names it: display name (or email) and organisation."""
    who = principal()
    if who.user_id is None:
        abort(404)
    organisation = accounts.organisation(db(), who.organisation_id)
    name = current_user.display_name or current_user.contact
    return Actor(who.user_id, str(name), organisation.name if organisation is not None else "")


def refuse(what: str, object_id: int | None = None) -> NoReturn:
    """Answer 404 for an object or part of the site the door refused; a signed-in account's refusal is logged."""
    who = principal()
    if who.user_id is not None:
        user_id, address, endpoint, method = who.user_id, request.remote_addr or "", request.endpoint, request.method

        def log() -> None:  # its own session, after the answer: the request's own writes are not committed by it
            security_log.record(db(), security_log.ACCESS_DENIED, user_id=user_id, address=address, outcome="failure",
                                endpoint=endpoint, method=method, what=what, object_id=object_id)
            db().commit()

        after_response(log)
    abort(404)


def require_role(*roles: str) -> Principal:
    """The principal if the door says it has one of these roles; anyone else gets a 404 (login first for visitors)."""
    who = principal()
    if who.user_id is None:
        abort(redirect(url_for("auth.login", next=request.full_path.rstrip("?")), code=303))
    if not authorization.has_role(who, *roles):
        refuse("role")
    return who


# --- session age and re-authentication -----------------------------------------------------------------------

def _stamp(moment: Any) -> float:
    return float(moment.timestamp()) if moment is not None else 0.0


def clock() -> float:
    """Now, in epoch seconds (config CLOCK, a function, lets tests move time; production leaves it unset)."""
    frozen = current_app.config.get("CLOCK")
    return float(frozen()) if callable(frozen) else time.time()


def signed_in_state(record: UserRecord, now: float) -> dict[str, Any]:
    """What a signed-in session remembers of its sign-in (server-side checks read it on every request)."""
    return {SIGNED_IN_AT: now, STARTED_AT: now, SEEN_AT: now, GENERATION: record.session_generation,
            PASSWORD_AT: _stamp(record.password_changed_at)}


def mark_signed_in(record: UserRecord) -> None:
    """Start a signed-in session; it ends when idle or old for the account's role (sessions.limits) or revoked."""
    session.permanent = True
    session.update(signed_in_state(record, clock()))


def keep_signed_in(record: UserRecord) -> None:
    """Go on with this browser's session after ending all others (password change): it takes the new generation."""
    session[GENERATION] = record.session_generation
    session[PASSWORD_AT] = _stamp(record.password_changed_at)


def session_current(record: UserRecord) -> bool:
    """Whether the signed-in session may go on (checked on every request): the account active, its session
    generation unchanged since sign-in, the password not changed since, neither idle nor old for its role."""
    started, seen, generation = session.get(STARTED_AT), session.get(SEEN_AT), session.get(GENERATION)
    if not record.active or not isinstance(generation, int) or generation != record.session_generation:
        return False
    if not isinstance(started, (int, float)) or not isinstance(seen, (int, float)):
        return False
    now = clock()
    if now - started > float(current_app.config["SESSION_MAX_AGE"]):
        return False
    if not sessions.session_alive(current_app.config, record.role, started=started, seen=seen, now=now):
        return False
    if _stamp(record.password_changed_at) > float(session.get(PASSWORD_AT, 0.0)) + 1e-6:
        return False
    if now - seen > SEEN_RESOLUTION:  # the cookie is rewritten only now and then, not on every request
        session[SEEN_AT] = now
    return True


SEEN_RESOLUTION = 15.0
"""Seconds: how precisely the idle time is kept (rewriting the cookie on every request would gain nothing)."""


def recently_signed_in() -> bool:
    """Whether the password was given within REAUTH_AFTER seconds (sensitive actions ask for it again)."""
    started = session.get(SIGNED_IN_AT)
    return isinstance(started, (int, float)) and clock() - started <= float(current_app.config["REAUTH_AFTER"])


def confirm_signed_in() -> None:
    """The password was given again just now."""
    session[SIGNED_IN_AT] = clock()


def recent_login_required(view: View) -> View:
    """Ask for the password again before a sensitive page or action when the login is older than REAUTH_AFTER."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user.is_authenticated and not recently_signed_in():
            target = request.full_path.rstrip("?") if request.method == "GET" else (request.referrer or "/")
            return redirect(url_for("account.reauth", next=target), code=303)
        return view(*args, **kwargs)

    return cast(View, wrapped)


# --- mail ----------------------------------------------------------------------------------------------------

def outbox(app: Flask | None = None) -> Outbox:
    """The app's outbox (MAIL_* settings)."""
    found: Outbox = (app or current_app).extensions[MAIL]
    return found


def send(message: Message) -> bool:
    """Send a message; False (logged) if the mail server failed, so the page can say so."""
    try:
        outbox().send(message)
    except MailFailed:
        return False
    return True


def init_app(app: Flask) -> None:
    """Set up the outbox."""
    app.extensions[MAIL] = outbox_from_config(app.config, testing=bool(app.testing), debug=bool(app.debug),
                                              keep=keeper(app))  # the console outbox keeps mail for /dev/outbox


def external(endpoint: str, **values: Any) -> str:
    """An absolute link for an email."""
    return url_for(endpoint, _external=True, **values)


def send_verification(record: UserRecord) -> bool:
    """Email a link that confirms the account's address (committed first, so the link works at once)."""
    token = accounts.issue_token(db(), str(current_app.config["SECRET_KEY"]), record.id, "verify")
    db().commit()
    return send(accounts.verification_message(record, external("account.verify", token=token),
                                              record.language or current_language()))


def send_password_link(record: UserRecord, *, first: bool = False) -> bool:
    """Email a link to choose a password: a reset, or a new member's first password."""
    token = accounts.issue_token(db(), str(current_app.config["SECRET_KEY"]), record.id, "reset")
    db().commit()
    return send(accounts.reset_message(record, external("account.reset_password", token=token),
                                       record.language or current_language(), first=first))


def onsite_guard(record: AssessmentRecord) -> None:
    """On site, the self-report is the enterprise's and the assessor submits: stop other changes with a message."""
    who = principal()
    if request.endpoint in ("assess.step", "assess.profile", "workbooks.upload") and not authorization.may_edit_answers(who, record):
        flash(gettext("On site, the enterprise's own answers stay as it gave them: record your validated answer "
                      "with its reason instead."), "info")
        abort(redirect(url_for("onsite.interview", assessment_id=record.id,
                               section_id=request.view_args.get("section_id") if request.view_args else None
                               ) if request.endpoint == "assess.step" else
                       url_for("onsite.workspace", assessment_id=record.id), code=303))
    if request.endpoint == "assess.submit":
        flash(gettext("An on-site assessment is submitted by the assessor after checking the answers. Your answers "
                      "are saved."), "info")
        target = (url_for("onsite.workspace", assessment_id=record.id) if who.provider
                  else url_for("assess.review", assessment_id=record.id))
        abort(redirect(target, code=303))
