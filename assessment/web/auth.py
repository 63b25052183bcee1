"""The `auth` journey: register, log in and out with email and password; an account keeps its assessments."""

from __future__ import annotations

import re
import secrets
from functools import lru_cache

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import UserMixin, current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response as BaseResponse

from assessment.db import queries
from assessment.db.queries import EmailTaken, UserRecord
from assessment.services.language import LANGUAGES
from assessment.web.access import SESSION_KEY, granted
from assessment.web.database import db
from assessment.web.forms import ActionForm, LoginForm, RegisterForm
from assessment.web.language import COOKIE, chosen_language
from assessment.web.main import safe_next
from assessment.web.security import limiter, login_limit, login_manager
from assessment.web.tenancy import mark_signed_in, send_verification, session_current

bp = Blueprint("auth", __name__, url_prefix="/auth")

EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


@lru_cache(maxsize=1)
def unknown_user_hash() -> str:
    """Checked against when the address is unknown, so a wrong address takes as long as a wrong password."""
    return generate_password_hash(secrets.token_hex(16), method="scrypt")


class Account(UserMixin):  # type: ignore[misc]
    """The logged-in account, as Flask-Login sees it."""

    def __init__(self, record: UserRecord) -> None:
        self.id = record.id
        self.email = record.email
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
    record = queries.get_user(db(), int(user_id))
    return None if record is None or not session_current(record) else Account(record)


def normalised_email(raw: str | None) -> str:
    """An email address as stored: trimmed, lower case."""
    return (raw or "").strip().lower()


def _signed_in(record: UserRecord) -> None:
    """Log in, keep the assessments opened in this browser in the account, and use the account's language."""
    login_user(Account(record))
    mark_signed_in(record)
    queries.claim(db(), granted(), record.id)
    if record.language in LANGUAGES:
        session[COOKIE] = record.language


def first_factor_passed(record: UserRecord, method: str, target: str) -> BaseResponse:
    """The password or SMS code was right: ask for the second factor where the account needs one, else sign in.

    Every way of signing in (password, SMS code) ends here; `method` names it for the security log.
    """
    return finish_sign_in(record, method, target)


def finish_sign_in(record: UserRecord, method: str, target: str) -> BaseResponse:
    """Every factor the account needs was given: start the signed-in session, commit, go to `target`."""
    _signed_in(record)
    db().commit()
    return redirect(target, code=303)


@bp.route("/register", methods=["GET", "POST"])
@limiter.shared_limit(login_limit, scope="login", methods=["POST"])
def register() -> str | BaseResponse | tuple[str, int]:
    """Create an account; assessments opened in this browser move into it."""
    form = RegisterForm()
    if form.validate_on_submit():
        email = normalised_email(form.email.data)
        if not EMAIL.fullmatch(email):
            form.email.errors.append(gettext("Enter an email address like name@example.com"))
        else:
            try:
                record = queries.add_user(db(), email, generate_password_hash(form.password.data, method="scrypt"),
                                          chosen_language())
            except EmailTaken:
                db().rollback()
                form.email.errors.append(gettext("An account with this email address exists already. Log in "
                                                 "instead."))
            else:
                response = finish_sign_in(record, "register", safe_next(request.args.get("next"), url_for("assess.index")))
                send_verification(record)
                return response
    status = 422 if request.method == "POST" else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.shared_limit(login_limit, scope="login", methods=["POST"])
def login() -> str | BaseResponse | tuple[str, int]:
    """Log in with email and password."""
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        record = queries.user_by_email(db(), normalised_email(form.email.data))
        valid = check_password_hash(record.password_hash if record else unknown_user_hash(), form.password.data)
        if record is not None and valid and record.active:
            return first_factor_passed(record, "password", safe_next(request.args.get("next"), url_for("assess.index")))
        failed = True
    status = 401 if failed else 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form, failed=failed), status


@bp.post("/logout")
def logout() -> BaseResponse:
    """Log out and forget the assessments opened in this browser (the language stays)."""
    lang = session.get(COOKIE)
    logout_user()
    session.pop(SESSION_KEY, None)
    if lang:
        session[COOKIE] = lang
    return redirect(url_for("main.index"), code=303)


@bp.app_context_processor
def account_context() -> dict[str, object]:
    """The logout form for the page header."""
    return {"logout_form": ActionForm() if current_user.is_authenticated else None}
