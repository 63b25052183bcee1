"""Who is asking, and what they may see: the principal of a request, role checks, mail, session age and re-auth."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext
from flask_login import current_user

from assessment.db import providers
from assessment.db.queries import AssessmentRecord, UserRecord
from assessment.services import accounts
from assessment.services.mail import MailFailed, Message, Outbox, outbox_from_config
from assessment.services.onsite import Actor
from assessment.services.providers import Principal
from assessment.web.database import db
from assessment.web.language import current_language

MAIL = "assessment.mail"
SIGNED_IN_AT = "signed_in_at"
PASSWORD_AT = "password_at"
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
    organisation = providers.get_organisation(db(), who.organisation_id) if who.organisation_id else None
    name = current_user.display_name or current_user.email
    return Actor(who.user_id, str(name), organisation.name if organisation is not None else "")


def require_role(*roles: str) -> Principal:
    """The principal if it has one of these roles; anyone else gets a 404 (login first for visitors)."""
    who = principal()
    if who.user_id is None:
        abort(redirect(url_for("auth.login", next=request.full_path.rstrip("?")), code=303))
    if who.role not in roles or (who.role in ("provider_staff", "provider_admin") and who.organisation_id is None):
        abort(404)
    return who


# --- session age and re-authentication -----------------------------------------------------------------------

def _stamp(moment: Any) -> float:
    return float(moment.timestamp()) if moment is not None else 0.0


def mark_signed_in(record: UserRecord) -> None:
    """Start a signed-in session that expires: idle after PERMANENT_SESSION_LIFETIME, at the latest SESSION_MAX_AGE."""
    session.permanent = True
    session[SIGNED_IN_AT] = time.time()
    session[PASSWORD_AT] = _stamp(record.password_changed_at)


def session_current(record: UserRecord) -> bool:
    """Whether the signed-in session may go on: not too old, the password not changed since, the account active."""
    started = session.get(SIGNED_IN_AT)
    if not isinstance(started, (int, float)) or not record.active:
        return False
    if time.time() - started > float(current_app.config["SESSION_MAX_AGE"]):
        return False
    return _stamp(record.password_changed_at) <= float(session.get(PASSWORD_AT, 0.0)) + 1e-6


def recently_signed_in() -> bool:
    """Whether the password was given within REAUTH_AFTER seconds (sensitive actions ask for it again)."""
    started = session.get(SIGNED_IN_AT)
    return isinstance(started, (int, float)) and time.time() - started <= float(current_app.config["REAUTH_AFTER"])


def confirm_signed_in() -> None:
    """The password was given again just now."""
    session[SIGNED_IN_AT] = time.time()


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
    app.extensions[MAIL] = outbox_from_config(app.config, testing=bool(app.testing))


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
    if request.endpoint in ("assess.step", "assess.profile") and who.provider and record.user_id != who.user_id:
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
