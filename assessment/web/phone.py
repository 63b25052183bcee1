"""Sign-in by mobile number (a 6-digit code by SMS), and the account's contact details: add or change the mobile
number with a code sent to it, confirm it is you by code, add an email address to an account that has none."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import EmailField, StringField

from assessment.services import sms, throttle
from assessment.services.accounts import EMAIL, normalised_email
from assessment.services.records import UserRecord
from assessment.services.sms import PhoneInvalid, PhoneTaken, SendLimits, SmsFailed
from assessment.web.auth import first_factor_passed, landing
from assessment.web.database import db
from assessment.web.forms import ActionForm
from assessment.web.language import current_language
from assessment.web.main import safe_next
from assessment.web.outbox import sms_gateway
from assessment.web.security import limiter, login_limit
from assessment.web.security import throttle as throttle_store
from assessment.web.tenancy import confirm_signed_in, recent_login_required, send_verification

bp = Blueprint("phone", __name__)

SIGN_IN_NUMBER = "phone_sign_in"
NEW_NUMBER = "phone_change"
Page = str | BaseResponse | tuple[str, int]


class PhoneForm(FlaskForm):  # type: ignore[misc]
    """A mobile number to send a code to."""

    phone = StringField(lazy_gettext("Mobile number"))


class CodeForm(FlaskForm):  # type: ignore[misc]
    """The code from the text message."""

    code = StringField(lazy_gettext("Code from the text message"))


class EmailForm(FlaskForm):  # type: ignore[misc]
    """An email address for an account that has none."""

    email = EmailField(lazy_gettext("Email address"))


def _address() -> str:
    return request.remote_addr or ""


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _gateway() -> sms.SmsGateway:
    """The SMS gateway; sign-in by mobile number does not exist where SMS is off."""
    gateway = sms_gateway()
    if gateway is None:
        abort(404)
    return gateway


def _me() -> UserRecord:
    record = sms.account(db(), int(current_user.id))
    if record is None:
        abort(404)
    return record


def _send_code(phone: str, purpose: str, user_id: int | None, lang: str) -> tuple[str, int] | None:
    """Send a new code to the number (limits checked, committed first); None when sent, else the error and status."""
    gateway = _gateway()
    wait = sms.send_wait(db(), phone, _address(), SendLimits.from_config(current_app.config))
    if wait:
        return gettext("A code was sent to this number a short while ago. Wait %(seconds)s seconds, then ask for a "
                       "new one.", seconds=wait), 429
    message = sms.issue_code(db(), _secret(), phone, purpose, address=_address(), user_id=user_id, lang=lang)
    db().commit()  # the code works the moment the text arrives
    try:
        gateway.send(message)
    except SmsFailed:
        return gettext("The text message could not be sent right now. Try again in a few minutes."), 503
    return None


def _check_code(form: CodeForm, phone: str, purpose: str) -> int:
    """0 when the typed code is the number's current one, else the HTTP status of the refusal (its message is on
    the form); wrong tries are throttled and counted, and committed."""
    code = sms.entered_code(form.code.data)
    if code is None:
        form.code.errors.append(gettext("Enter the 6 digits from the text message"))
        return 422
    store, keys = throttle_store(), [sms.throttle_key(phone), throttle.address_key(_address())]
    wait = throttle.wait_seconds(store, db(), keys)
    if wait > 0:
        form.code.errors.append(gettext("Too many wrong codes. Try again in %(seconds)s seconds.",
                                        seconds=int(wait) + 1))
        return 429
    outcome = sms.check_code(db(), _secret(), phone, purpose, code)
    if outcome.ok:
        throttle.succeeded(store, db(), keys[:1])
        return 0
    throttle.failed(store, db(), keys)
    db().commit()  # the wrong try counts even though nothing else is written
    if outcome.status == "wrong":
        form.code.errors.append(gettext("This code is not right. Check the text message and try again."))
    else:
        form.code.errors.append(gettext("This code no longer works: it has expired, was used, or a newer one was "
                                        "sent. Ask for a new code."))
    return 401


def _status() -> int:
    return 422 if request.method == "POST" else 200


# --- sign-in -------------------------------------------------------------------------------------------------

@bp.route("/auth/phone", methods=["GET", "POST"])
@limiter.shared_limit(login_limit, scope="login", methods=["POST"])
def start() -> Page:
    """Ask for a sign-in code; the answer is the same whether the number has an account or not."""
    _gateway()
    form = PhoneForm()
    status = _status()
    if form.validate_on_submit():
        try:
            phone = sms.normalised_phone(form.phone.data)
        except PhoneInvalid as exc:
            form.phone.errors.append(gettext(str(exc)))
        else:
            known = sms.account_of(db(), phone)
            problem = _send_code(phone, "sign_in", known.id if known else None, current_language())
            if problem is None:
                session[SIGN_IN_NUMBER] = phone
                return redirect(url_for(".code", next=request.args.get("next")), code=303)
            form.phone.errors.append(problem[0])
            status = problem[1]
    return render_template("phone/start.html", form=form), status


@bp.route("/auth/phone/code", methods=["GET", "POST"])
@limiter.shared_limit(login_limit, scope="login", methods=["POST"])
def code() -> Page:
    """Enter the code: sign in to the number's account, or to a new enterprise account with that number only."""
    _gateway()
    phone = session.get(SIGN_IN_NUMBER)
    if not isinstance(phone, str):
        return redirect(url_for(".start", next=request.args.get("next")), code=303)
    form = CodeForm()
    status = _status()
    if form.validate_on_submit():
        status = _check_code(form, phone, "sign_in")
        if not status:
            record = sms.sign_in_account(db(), phone, language=current_language(), address=_address())
            if record.active:
                session.pop(SIGN_IN_NUMBER, None)
                return first_factor_passed(record, "sms", landing(record))
            db().commit()
            form.code.errors.append(gettext("This account is switched off. Ask the admin of your organisation."))
            status = 403
    return render_template("phone/code.html", form=form, phone=sms.shown_phone(phone),
                           action=url_for(".code", next=request.args.get("next")),
                           resend=url_for(".start", next=request.args.get("next")), resend_phone=phone,
                           title=gettext("Enter the code"), button=gettext("Log in"),
                           other=url_for(".start", next=request.args.get("next"))), status


# --- the account's mobile number and email -------------------------------------------------------------------

@bp.route("/account/phone", methods=["GET", "POST"])
@login_required  # type: ignore[untyped-decorator]
@recent_login_required
@limiter.shared_limit(login_limit, scope="login", methods=["POST"])
def change() -> Page:
    """Add or change the account's mobile number: a code goes to the new number."""
    _gateway()
    record = _me()
    form = PhoneForm()
    status = _status()
    if form.validate_on_submit():
        try:
            phone = sms.normalised_phone(form.phone.data)
        except PhoneInvalid as exc:
            form.phone.errors.append(gettext(str(exc)))
        else:
            if phone == record.phone:
                form.phone.errors.append(gettext("This is your mobile number already."))
            elif (problem := _send_code(phone, "change", record.id,
                                        record.language or current_language())) is None:
                session[NEW_NUMBER] = phone
                return redirect(url_for(".confirm_change"), code=303)
            else:
                form.phone.errors.append(problem[0])
                status = problem[1]
    current = sms.shown_phone(record.phone) if record.phone else None
    return render_template("phone/change.html", form=form, current=current), status


@bp.route("/account/phone/confirm", methods=["GET", "POST"])
@login_required  # type: ignore[untyped-decorator]
@recent_login_required
@limiter.shared_limit(login_limit, scope="login", methods=["POST"])
def confirm_change() -> Page:
    """Enter the code sent to the new number; the number is then the account's."""
    _gateway()
    record = _me()
    phone = session.get(NEW_NUMBER)
    if not isinstance(phone, str):
        return redirect(url_for(".change"), code=303)
    form = CodeForm()
    status = _status()
    if form.validate_on_submit():
        status = _check_code(form, phone, "change")
        if not status:
            try:
                sms.change_phone(db(), record, phone, address=_address())
            except PhoneTaken:
                db().commit()  # nothing was changed; the code stays spent
                form.code.errors.append(gettext("This mobile number belongs to another account. Log in to that "
                                                "account with it, or use another number."))
                status = 409
            else:
                db().commit()
                session.pop(NEW_NUMBER, None)
                flash(gettext("Your mobile number is saved: %(phone)s. You can log in with it.",
                              phone=sms.shown_phone(phone)), "success")
                return redirect(url_for("account.show"), code=303)
    return render_template("phone/code.html", form=form, phone=sms.shown_phone(phone),
                           action=url_for(".confirm_change"), resend=url_for(".change"), resend_phone=phone,
                           title=gettext("Confirm your mobile number"), button=gettext("Save the number"),
                           other=url_for(".change")), status


@bp.route("/account/reauth/phone", methods=["GET", "POST"])
@login_required  # type: ignore[untyped-decorator]
@limiter.shared_limit(login_limit, scope="login", methods=["POST"])
def reauth() -> Page:
    """Confirm it is you with a code sent to the account's mobile number (accounts without a password need it)."""
    _gateway()
    record = _me()
    if record.phone is None:
        return redirect(url_for("account.reauth", next=request.args.get("next")), code=303)
    target = request.args.get("next")
    sender, form = ActionForm(), CodeForm()
    status = 200
    if request.method == "POST" and request.form.get("send") is not None:
        if sender.validate_on_submit():
            problem = _send_code(record.phone, "reauth", record.id, record.language or current_language())
            if problem is None:
                flash(gettext("We sent a 6-digit code to %(phone)s.", phone=sms.shown_phone(record.phone)), "success")
                return redirect(url_for(".reauth", next=target), code=303)
            form.code.errors = [problem[0]]  # the code form was not submitted: its errors are empty
            status = problem[1]
        else:
            status = 422
    elif request.method == "POST":
        status = 422
        if form.validate_on_submit():
            status = _check_code(form, record.phone, "reauth")
            if not status:
                db().commit()
                confirm_signed_in()
                return redirect(safe_next(target, url_for("account.show")), code=303)
    return render_template("phone/reauth.html", form=form, sender=sender, phone=sms.shown_phone(record.phone),
                           target=target), status


@bp.route("/account/email", methods=["GET", "POST"])
@login_required  # type: ignore[untyped-decorator]
@recent_login_required
@limiter.shared_limit(login_limit, scope="mail", methods=["POST"])
def add_email() -> Page:
    """Add an email address to an account known by its mobile number only; a link confirms it."""
    record = _me()
    if record.email is not None:
        return redirect(url_for("account.show"), code=303)
    form = EmailForm()
    status = _status()
    if form.validate_on_submit():
        email = normalised_email(form.email.data if isinstance(form.email.data, str) else "")
        if len(email) > 254 or not EMAIL.fullmatch(email):
            form.email.errors.append(gettext("Enter an email address like name@example.com"))
        elif not sms.add_email(db(), record, email):
            db().rollback()
            form.email.errors.append(gettext("An account with this email address exists already."))
        else:
            db().commit()
            updated = _me()
            if send_verification(updated):
                flash(gettext("We sent a confirmation link to %(email)s.", email=email), "success")
            else:
                flash(gettext("The email could not be sent right now. Try again later."), "error")
            return redirect(url_for("account.show"), code=303)
    return render_template("phone/email.html", form=form), status


@bp.app_context_processor
def phone_context() -> dict[str, object]:
    """Whether sign-in by mobile number is offered (an SMS gateway is configured); how accounts are named."""
    return {"phone_sign_in": sms_gateway() is not None, "contact_of": sms.shown_contact,
            "shown_phone": sms.shown_phone}
