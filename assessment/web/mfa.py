"""The `mfa` journey: two-step verification at sign-in, enrolment with a QR code, recovery codes, switching it
off, and a site admin's reset for a lost phone.

Settings: MFA_REQUIRED_ROLES (roles that must enrol; default site_admin, provider_admin, official),
MFA_PENDING_SECONDS (how long a sign-in waits for its second factor), MFA_ISSUER (the name shown in the app).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from assessment.services import mfa
from assessment.services.mfa import Outcome
from assessment.services.records import UserRecord
from assessment.services.sms import shown_contact
from assessment.web.auth import MFA_PENDING, finish_sign_in, home_page
from assessment.web.database import db
from assessment.web.security import throttle
from assessment.web.tenancy import clock, keep_signed_in, principal, recent_login_required, require_role

bp = Blueprint("mfa", __name__)

PENDING_SECONDS = 10 * 60  # time to install an authenticator app and scan the code at a first sign-in
# Pages a signed-in account that must enrol may still open: the enrolment itself, leaving, and the language.
BEFORE_ENROLMENT = frozenset({"static", "mfa.enrol", "mfa.cancel", "auth.logout", "main.set_language",
                              "main.health"})

_CODE = [DataRequired(lazy_gettext("Enter the code")),
         Length(max=mfa.LONGEST_INPUT, message=lazy_gettext("The code is too long"))]
_PASSWORD = [DataRequired(lazy_gettext("Enter your password")),
             Length(max=1024, message=lazy_gettext("The password is too long"))]


class CodeForm(FlaskForm):  # type: ignore[misc]
    """A 6-digit code from the authenticator app (or, at sign-in, a recovery code)."""

    code = StringField(lazy_gettext("Code"), validators=_CODE)


class PasswordCheckForm(FlaskForm):  # type: ignore[misc]
    """The password again, for new recovery codes."""

    password = PasswordField(lazy_gettext("Password"), validators=_PASSWORD)


class DisableForm(FlaskForm):  # type: ignore[misc]
    """The password and a code, to switch two-step verification off."""

    password = PasswordField(lazy_gettext("Password"), validators=_PASSWORD)
    code = StringField(lazy_gettext("Code from your app, or a recovery code"), validators=_CODE)


class ResetForm(FlaskForm):  # type: ignore[misc]
    """A site admin names the account whose two-step verification is reset."""

    contact = StringField(lazy_gettext("Email address or mobile number of the account"), validators=[
        DataRequired(lazy_gettext("Enter the email address or mobile number")),
        Length(max=254, message=lazy_gettext("At most 254 characters"))])


@bp.record_once
def _defaults(state: BlueprintSetupState) -> None:
    """Settings not given by the environment or the test config."""
    state.app.config.setdefault("MFA_REQUIRED_ROLES", mfa.REQUIRED_ROLES)
    state.app.config.setdefault("MFA_PENDING_SECONDS", PENDING_SECONDS)
    state.app.config.setdefault("MFA_ISSUER", mfa.ISSUER)


def required_roles() -> Collection[str]:
    """The roles that must use two-step verification (config MFA_REQUIRED_ROLES)."""
    roles: Collection[str] = current_app.config["MFA_REQUIRED_ROLES"]
    return roles


def _address() -> str:
    return request.remote_addr or ""


def _now() -> datetime:
    return datetime.fromtimestamp(clock(), UTC)


# --- the sign-in waiting for its second factor ------------------------------------------------------------------

@dataclass(frozen=True)
class Pending:
    """A sign-in whose password (or SMS code) was right and whose second factor is still to come."""

    record: UserRecord
    method: str
    target: str


def pending() -> Pending | None:
    """The sign-in waiting in this browser, if it is still fresh and its account unchanged; else it is dropped."""
    raw = session.get(MFA_PENDING)
    if not isinstance(raw, dict):
        return None
    user_id, started, generation = raw.get("user"), raw.get("at"), raw.get("generation")
    record = mfa.account(db(), user_id) if isinstance(user_id, int) else None
    fresh = isinstance(started, (int, float)) and \
        0 <= clock() - started <= float(current_app.config["MFA_PENDING_SECONDS"])
    if record is None or not fresh or not record.active or generation != record.session_generation:
        session.pop(MFA_PENDING, None)
        return None
    return Pending(record, str(raw.get("method", "")), str(raw.get("target") or url_for("main.index")))


def _expired() -> BaseResponse:
    flash(gettext("Your sign-in has expired. Log in again."), "error")
    return redirect(url_for("auth.login"), code=303)


def _problem(outcome: Outcome) -> str:
    """What the person is told about a refused code or password."""
    if outcome.status == "wait":
        seconds = max(1, math.ceil(outcome.wait))
        if seconds > 90:
            return str(ngettext("Too many wrong tries. Wait %(num)d minute, then try again.",
                                "Too many wrong tries. Wait %(num)d minutes, then try again.", math.ceil(seconds / 60)))
        return str(ngettext("Too many wrong tries. Wait %(num)d second, then try again.",
                            "Too many wrong tries. Wait %(num)d seconds, then try again.", seconds))
    if outcome.status == "used_code":
        return str(gettext("This code was used already. Wait for the next code in your app."))
    if outcome.status == "wrong_password":
        return str(gettext("The password is not right."))
    return str(gettext("The code is not right. Check the time on your phone, or use a recovery code."))


def _status(outcome: Outcome) -> int:
    return 429 if outcome.status == "wait" else 401


@bp.route("/mfa/verify", methods=["GET", "POST"])
def verify() -> str | BaseResponse | tuple[str, int]:
    """Ask for the code from the authenticator app (or a recovery code) to finish signing in."""
    waiting = pending()
    if waiting is None or waiting.record.mfa_enabled_at is None:
        signed_in = mfa.account(db(), int(current_user.id)) if current_user.is_authenticated else None
        return redirect(home_page(signed_in), code=303) if signed_in is not None else _expired()
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("mfa/verify.html", form=form, problem=None, cancel=CancelForm()), \
            422 if request.method == "POST" else 200
    outcome = mfa.verify(db(), throttle(), waiting.record.id, form.code.data, address=_address(), now=_now())
    if not outcome.ok:
        db().commit()  # the failure and its count are kept, though nothing else is written
        return render_template("mfa/verify.html", form=form, problem=_problem(outcome), cancel=CancelForm()), \
            _status(outcome)
    session.pop(MFA_PENDING, None)
    if outcome.status == "recovery":
        flash(ngettext("You used a recovery code; %(num)d is left. Make new codes on the two-step verification "
                       "page before they run out.",
                       "You used a recovery code; %(num)d are left. Make new codes on the two-step verification "
                       "page before they run out.", outcome.recovery_left or 0), "info")
    return finish_sign_in(waiting.record, waiting.method, waiting.target)


class CancelForm(FlaskForm):  # type: ignore[misc]
    """Give up a sign-in that waits for its second factor (carries the CSRF token)."""


@bp.post("/mfa/cancel")
def cancel() -> BaseResponse:
    """Drop the sign-in that waits for its second factor."""
    session.pop(MFA_PENDING, None)
    return redirect(url_for("auth.login"), code=303)


# --- enrolment --------------------------------------------------------------------------------------------------

def _enrolling() -> tuple[UserRecord, Pending | None] | None:
    """Who is setting up two-step verification: the waiting sign-in that must enrol, or the signed-in account."""
    waiting = pending()
    if waiting is not None:
        return waiting.record, waiting
    if current_user.is_authenticated:
        record = mfa.account(db(), int(current_user.id))
        return (record, None) if record is not None else None
    return None


def _qr(uri: str) -> Markup:
    code = segno.make(uri, error="l")  # the fewest modules: it is scanned from a screen, not from worn paper
    return Markup(code.svg_inline(scale=4, title=gettext("QR code for your authenticator app"), svgclass="qr",
                                  lineclass=None))


def _enrol_page(record: UserRecord, form: CodeForm, problem: str | None, status: int) -> tuple[str, int]:
    secret = mfa.enrolment_secret(db(), record.id)
    db().commit()
    issuer = str(current_app.config["MFA_ISSUER"])
    uri = mfa.provisioning_uri(secret, shown_contact(record), issuer)
    return render_template("mfa/enrol.html", form=form, problem=problem, qr=_qr(uri), secret=mfa.grouped(secret),
                           issuer=issuer, account_name=shown_contact(record),
                           required=mfa.required(record.role, required_roles()), cancel=CancelForm()), status


@bp.route("/mfa/enrol", methods=["GET", "POST"])
def enrol() -> str | BaseResponse | tuple[str, int]:
    """Set up two-step verification: scan the QR code, then confirm with the app's code."""
    was_waiting = MFA_PENDING in session
    found = _enrolling()
    if found is None:
        return _expired() if was_waiting else redirect(url_for("auth.login"), code=303)
    record, waiting = found
    if record.mfa_enabled_at is not None:
        return redirect(url_for(".verify" if waiting is not None else ".manage"), code=303)
    form = CodeForm()
    if not form.validate_on_submit():
        return _enrol_page(record, form, None, 422 if request.method == "POST" else 200)
    outcome = mfa.confirm_enrolment(db(), throttle(), record.id, form.code.data, address=_address(), now=_now())
    if not outcome.ok:
        db().commit()  # the failure and its count are kept
        problem = gettext("The code is not right. Check that the app shows the account added just now, and "
                          "that the time on your phone is correct.") if outcome.status == "wrong_code" \
            else _problem(outcome)
        return _enrol_page(record, form, problem, 429 if outcome.status == "wait" else 422)
    db().commit()
    now_enrolled = mfa.account(db(), record.id)
    assert now_enrolled is not None
    # Enrolling ended every session of the account: a waiting sign-in starts a new one with both factors given,
    # a signed-in browser goes on with the new session generation.
    if waiting is not None:
        session.pop(MFA_PENDING, None)
        finish_sign_in(now_enrolled, waiting.method, waiting.target)  # the page below shows the codes instead
        target = waiting.target
    else:
        keep_signed_in(now_enrolled)
        target = url_for(".manage")
    return _codes_page(now_enrolled, outcome.codes, target, first=True)


def _codes_page(record: UserRecord, codes: tuple[str, ...], target: str, *, first: bool) -> str:
    issuer = str(current_app.config["MFA_ISSUER"])
    text = "\n".join([gettext("%(issuer)s: recovery codes of %(account)s", issuer=issuer, account=shown_contact(record)),
                      gettext("Each code works once, instead of a code from the app."), "", *codes, ""])
    download = "data:text/plain;charset=utf-8," + quote(text)
    return render_template("mfa/recovery_codes.html", codes=codes, target=target, first=first, download=download,
                           issuer=issuer, account_name=shown_contact(record))


# --- the account's two-step verification ------------------------------------------------------------------------

def _manage_page(renew: PasswordCheckForm, off: DisableForm, posted: FlaskForm | None = None,
                 problem: str | None = None, status: int = 200) -> tuple[str, int]:
    record = mfa.account(db(), int(current_user.id))
    assert record is not None
    return render_template("mfa/manage.html", state=mfa.status(db(), record.id), renew=renew, off=off,
                           posted=posted, problem=problem,
                           required=mfa.required(record.role, required_roles())), status


@bp.get("/mfa")
@login_required  # type: ignore[untyped-decorator]
def manage() -> tuple[str, int]:
    """Two-step verification of the account: on or off, recovery codes left, and what can be done."""
    return _manage_page(PasswordCheckForm(prefix="renew"), DisableForm(prefix="off"))


@bp.post("/mfa/recovery-codes")
@login_required  # type: ignore[untyped-decorator]
def renew() -> str | BaseResponse | tuple[str, int]:
    """Make new recovery codes (the old ones stop working); asks for the password."""
    form = PasswordCheckForm(prefix="renew")
    if not form.validate_on_submit():
        return _manage_page(form, DisableForm(prefix="off"), form, status=422)
    outcome = mfa.renew_recovery_codes(db(), throttle(), int(current_user.id), form.password.data,
                                       address=_address(), now=_now())
    db().commit()
    if outcome.status == "not_enrolled":
        return redirect(url_for(".manage"), code=303)
    if not outcome.ok:
        return _manage_page(form, DisableForm(prefix="off"), form, _problem(outcome), _status(outcome))
    record = mfa.account(db(), int(current_user.id))
    assert record is not None
    return _codes_page(record, outcome.codes, url_for(".manage"), first=False)


@bp.post("/mfa/disable")
@login_required  # type: ignore[untyped-decorator]
def disable() -> BaseResponse | tuple[str, int]:
    """Switch two-step verification off: only where the role allows it, with the password and a code."""
    form = DisableForm(prefix="off")
    if not form.validate_on_submit():
        return _manage_page(PasswordCheckForm(prefix="renew"), form, form, status=422)
    outcome = mfa.disable(db(), throttle(), int(current_user.id), form.password.data, form.code.data,
                          address=_address(), required_roles=required_roles(), now=_now())
    db().commit()
    if outcome.status == "required":
        return _manage_page(PasswordCheckForm(prefix="renew"), form, form,
                            gettext("Your role requires two-step verification: it cannot be switched off."), 403)
    if outcome.status == "not_enrolled":
        return redirect(url_for(".manage"), code=303)
    if not outcome.ok:
        return _manage_page(PasswordCheckForm(prefix="renew"), form, form, _problem(outcome), _status(outcome))
    flash(gettext("Two-step verification is off. You log in with your password only."), "success")
    return redirect(url_for(".manage"), code=303)


# --- a site admin's reset ------------------------------------------------------------------------------------

@bp.post("/admin/mfa/reset")
@recent_login_required
def reset() -> BaseResponse:
    """A site admin switches off an account's two-step verification (lost phone); its sessions end."""
    admin = require_role("site_admin")
    form = ResetForm(prefix="mfa")
    target = url_for("admin.index")
    if not form.validate_on_submit():
        flash(gettext("Enter the email address or mobile number of the account."), "error")
        return redirect(target, code=303)
    record = mfa.account_by_contact(db(), form.contact.data)
    if record is None or record.mfa_enabled_at is None:
        flash(gettext("No account with this email address or mobile number uses two-step verification."), "error")
        return redirect(target, code=303)
    assert admin.user_id is not None
    mfa.reset(db(), admin.user_id, record.id, address=_address())
    db().commit()
    flash(gettext("Two-step verification of %(account)s is reset and its sessions have ended. It is set up again "
                  "at the next login.", account=shown_contact(record)), "success")
    return redirect(target, code=303)


# --- everywhere ---------------------------------------------------------------------------------------------------

@bp.before_app_request
def enrolment_first() -> BaseResponse | None:
    """A signed-in account whose role requires two-step verification opens nothing else until it is set up."""
    roles = required_roles()
    if not roles or request.endpoint in BEFORE_ENROLMENT or not current_user.is_authenticated:
        return None
    if current_user.role not in roles or mfa.enrolled(db(), int(current_user.id)):
        return None
    return redirect(url_for("mfa.enrol"), code=303)


@bp.app_context_processor
def mfa_context() -> dict[str, Any]:
    """The reset form on the site admin's pages."""
    admin = request.blueprint == "admin" and principal().role == "site_admin"
    return {"mfa_reset_form": ResetForm(prefix="mfa") if admin else None}
