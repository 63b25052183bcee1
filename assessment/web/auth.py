"""The `auth` journey: register, log in and out with email and password; an account keeps its assessments."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from assessment.services import accounts, mfa, security_log, sign_in
from assessment.services.accounts import EMAIL, normalised_email
from assessment.services.authorization import Principal
from assessment.services.language import LANGUAGES
from assessment.services.records import UserRecord
from assessment.services.sms import shown_contact
from assessment.web.access import claim_drafts
from assessment.web.database import db
from assessment.web.deferred import after_response
from assessment.web.forms import ActionForm, ChangePasswordForm, LoginForm, RegisterForm
from assessment.web.language import COOKIE, chosen_language
from assessment.web.main import safe_next
from assessment.web.security import limiter, login_limit, login_manager
from assessment.web.security import throttle as throttle_store
from assessment.web.tenancy import (
    clock,
    external,
    keep_signed_in,
    mark_signed_in,
    recent_login_required,
    send,
    send_verification,
    session_current,
)

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.record_once
def _dummy_hash_ready(_state: BlueprintSetupState) -> None:
    """Make the dummy hash at start-up, so the first unknown address costs no more than the others."""
    sign_in.unknown_user_hash()


class Account(UserMixin):  # type: ignore[misc]
    """The logged-in account, as Flask-Login sees it."""

    def __init__(self, record: UserRecord) -> None:
        self.id = record.id
        self.email = record.email
        self.phone = record.phone
        self.contact = shown_contact(record)  # how the account is named to people: email, else mobile number
        self.language = record.language
        self.role = record.role
        self.organisation_id = record.organisation_id
        self.region_code = record.region_code
        self.display_name = record.display_name
        self.email_verified = record.email_verified_at is not None


@login_manager.user_loader  # type: ignore[untyped-decorator]
def load_account(user_id: str) -> Account | None:
    """The account stored in the session, if it still exists."""
    if not user_id.isdigit():
        return None
    record = accounts.account(db(), int(user_id))
    return None if record is None or not session_current(record) else Account(record)


def _signed_in(record: UserRecord) -> None:
    """Log in, keep the assessments opened in this browser in the account, and use the account's language."""
    login_user(Account(record))
    mark_signed_in(record)
    claim_drafts(record.id)  # only drafts this browser really holds; each gets a new link (a planted one is lost)
    if record.language in LANGUAGES:
        session[COOKIE] = record.language


HOME_PAGES = {"administration": "admin.index", "clients": "provider.dashboard", "jurisdiction": "official.dashboard",
              "assessments": "assess.index"}
"""The page of each place a principal's work starts (services.sign_in.home)."""


def home_page(record: UserRecord) -> str:
    """The page where the account's role starts its work."""
    return url_for(HOME_PAGES[sign_in.home(Principal(record.id, record.role, record.organisation_id))])


def landing(record: UserRecord) -> str:
    """Where signing in leads: the same-site `next` asked for, else the home page of the account's role."""
    return safe_next(request.args.get("next"), home_page(record))


MFA_PENDING = "mfa_pending"
"""Session key of a sign-in waiting for its second factor (web/mfa.py): it signs nobody in by itself."""


def first_factor_passed(record: UserRecord, method: str, target: str) -> BaseResponse:
    """The password or SMS code was right: ask for the second factor where the account needs one, else sign in.

    Every way of signing in (password, SMS code) ends here; `method` names it for the security log. An account
    with two-step verification gives its code next; one whose role requires it and has none sets it up first.
    Until then this browser is signed in as nobody.
    """
    second = mfa.second_factor(record, current_app.config["MFA_REQUIRED_ROLES"])
    if second is None:
        return finish_sign_in(record, method, target)
    logout_user()  # whoever was signed in here is not any more: someone gave another account's password
    session[MFA_PENDING] = {"user": record.id, "method": method, "target": target, "at": clock(),
                            "generation": record.session_generation}
    db().commit()  # what the first factor's check wrote (its throttle cleared)
    return redirect(url_for("mfa.verify" if second == mfa.VERIFY else "mfa.enrol"), code=303)


def finish_sign_in(record: UserRecord, method: str, target: str) -> BaseResponse:
    """Every factor the account needs was given: start the signed-in session, commit, go to `target`."""
    _signed_in(record)
    sign_in.signed_in(db(), record, method, _address())
    db().commit()
    return redirect(target, code=303)


def _address() -> str:
    return request.remote_addr or ""


def _now() -> datetime:
    return datetime.fromtimestamp(clock(), UTC)


def try_again_message(seconds: float) -> str:
    """The message of a sign-in that has to wait."""
    return str(gettext("Too many failed attempts. Try again in %(seconds)s seconds.",
                       seconds=max(1, math.ceil(seconds))))


@bp.route("/register", methods=["GET", "POST"])
@limiter.shared_limit(login_limit, scope="login", methods=["POST"])
def register() -> str | BaseResponse | tuple[str, int]:
    """Ask for an account: the same answer whether the address has one or not; the rest goes by email.

    A new address gets an account and a link that confirms it and signs in (assessments opened in the browser
    that follows it move into the account); an address with an account gets a note to log in or reset instead.
    """
    form = RegisterForm()
    if form.validate_on_submit():
        email = normalised_email(form.email.data)
        problem = accounts.password_problem(form.password.data or "", (email,))
        if not EMAIL.fullmatch(email):
            form.email.errors.append(gettext("Enter an email address like name@example.com"))
        elif problem is not None:
            form.password.errors.append(gettext(problem))
        else:
            password_hash = accounts.hash_password(form.password.data)  # for new and known addresses alike
            language = chosen_language()
            after_response(lambda: _complete_registration(email, password_hash, language))
            return render_template("auth/register_sent.html", email=email)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/register.html", form=form), status


def _complete_registration(email: str, password_hash: str, language: str | None) -> None:
    """After the answer went out: make the account and send its link, or tell the address's owner."""
    record, new = accounts.register(db(), email, password_hash, language)
    security_log.record(db(), security_log.REGISTERED, user_id=record.id, address=_address(),
                        outcome="success" if new else "failure", reason=None if new else "address_taken")
    db().commit()
    if new:
        send_verification(record)
    elif record.email is not None:
        send(accounts.registration_taken_message(record, external("auth.login"), external("account.forgot_password"),
                                                 record.language or language or "zh_CN"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.shared_limit(login_limit, scope="login", methods=["POST"])
def login() -> str | BaseResponse | tuple[str, int]:
    """Log in with email and password; failures make the next try wait, per address typed and per client."""
    form = LoginForm()
    failed, wait, status = False, 0.0, 200
    if form.validate_on_submit():
        attempt = sign_in.with_password(db(), throttle_store(), normalised_email(form.email.data),
                                        form.password.data, address=_address(), now=_now())
        db().commit()  # a failure counts, and a right password clears the count, whatever follows
        if attempt.user is not None:  # also when a second factor follows: the password was right
            return first_factor_passed(attempt.user, "password", landing(attempt.user))
        if (paused := attempt.paused) is not None:
            after_response(lambda: _tell_blocked(paused))
        failed, wait, status = True, attempt.wait, 429 if attempt.throttled else 401
    elif request.method == "POST":
        status = 422
    message = try_again_message(wait) if wait > 0 else None
    return render_template("auth/login.html", form=form, failed=failed, wait_message=message), status


def checked_password(record: UserRecord, password: str, keys: list[str]) -> tuple[bool, float]:
    """Whether a signed-in account's password is right (re-authentication, password change), and the wait.

    While the keys wait, nothing is hashed and (False, seconds) comes back; a wrong password counts (committed).
    """
    right, wait = sign_in.password_again(db(), throttle_store(), record, password, keys, address=_address(),
                                         now=_now())
    if not right:
        db().commit()
    return right, wait


def reauth_keys(user_id: int) -> list[str]:
    """What wrong passwords of a signed-in account count against: the account, and the client's address."""
    return sign_in.reauth_keys(user_id, _address())


def tell_password_changed(record: UserRecord) -> None:
    """Tell the account's holder by email that the password changed (after the answer went out)."""
    def tell() -> None:
        send(accounts.password_changed_message(record, record.language or "zh_CN"))

    if record.email is not None:
        after_response(tell)


def _tell_blocked(record: UserRecord) -> None:
    """Once per blocking episode: tell the account's holder that sign-in was paused (when it has an email)."""
    if record.email is not None:
        send(accounts.blocked_message(record, record.language or "zh_CN"))


def end_sessions_here_and_everywhere(kind: str) -> None:
    """End every session of the signed-in account (a copied cookie stops working too), and this browser's."""
    if current_user.is_authenticated:
        sign_in.sign_out_everywhere(db(), int(current_user.id), kind, _address())
        db().commit()
    lang = session.get(COOKIE)
    logout_user()
    session.clear()
    if lang:
        session[COOKIE] = lang


@bp.route("/password", methods=["GET", "POST"])
@login_required  # type: ignore[untyped-decorator]
@recent_login_required
def change_password() -> str | BaseResponse | tuple[str, int]:
    """Change the password with the current one; every other session of the account ends, this one goes on."""
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        user_id = int(current_user.id)
        record = accounts.account(db(), user_id)
        assert record is not None
        right, wait = checked_password(record, form.current.data, reauth_keys(user_id))
        if wait > 0:
            form.current.errors.append(try_again_message(wait))
            status = 429
        elif not right:
            form.current.errors.append(gettext("The current password is not right"))
            status = 422
        elif (problem := accounts.change_password(db(), user_id, form.current.data, form.password.data)) is not None:
            db().rollback()
            form.password.errors.append(gettext(problem))
            status = 422
        else:
            security_log.record(db(), security_log.PASSWORD_CHANGED, user_id=user_id, actor_id=user_id,
                                address=_address(), method="account_page")
            db().commit()
            changed = accounts.account(db(), user_id)
            assert changed is not None
            keep_signed_in(changed)
            tell_password_changed(changed)
            flash(gettext("Your password is changed. Every other device was signed out."), "success")
            return redirect(url_for("account.show"), code=303)
    elif request.method == "POST":
        status = 422
    return render_template("auth/password.html", form=form), status


@bp.post("/logout")
def logout() -> BaseResponse:
    """Log out on every device, and forget the assessments opened in this browser (the language stays)."""
    end_sessions_here_and_everywhere(security_log.SIGN_OUT)
    return redirect(url_for("main.index"), code=303)


@bp.app_context_processor
def account_context() -> dict[str, object]:
    """The logout form for the page header, and the rule for new passwords that forms state."""
    return {"logout_form": ActionForm() if current_user.is_authenticated else None,
            "password_rule": accounts.password_rule()}
