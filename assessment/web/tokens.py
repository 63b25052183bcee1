"""The account's personal access tokens for the JSON API: make one (shown once), list them, revoke one.

Making a token is a sensitive account change: it asks for the password again when the login is old (like the
others), and for a code from the authenticator app where the account uses two-step verification.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice

from assessment.services import mfa
from assessment.services import tokens as token_service
from assessment.services.tokens import Created, TokenRecord
from assessment.web.auth import try_again_message
from assessment.web.database import db
from assessment.web.forms import ActionForm
from assessment.web.security import throttle
from assessment.web.tenancy import clock, principal, recent_login_required

bp = Blueprint("tokens", __name__)

SCOPE_NAMES = {"read": lazy_gettext("Read only"), "read-write": lazy_gettext("Read and write")}
STATUS_NAMES = {"active": lazy_gettext("Active"), "expired": lazy_gettext("Expired"),
                "revoked": lazy_gettext("Revoked")}
TYPED_MAX = 400  # longer input is cut before it is read: every field's own message still says what is wrong


class TokenForm(FlaskForm):  # type: ignore[misc]
    """A new token: its name, what it may do, for how many days, and (with two-step verification) a code."""

    name = StringField(lazy_gettext("Name"), filters=[lambda v: v[:TYPED_MAX] if isinstance(v, str) else v])
    scope = RadioField(lazy_gettext("What it may do"), validate_choice=False, default="read",
                       choices=[SelectChoice(value, str(label)) for value, label in SCOPE_NAMES.items()])
    days = StringField(lazy_gettext("Days until it expires"), default=str(token_service.DEFAULT_DAYS),
                       filters=[lambda v: v[:TYPED_MAX] if isinstance(v, str) else v])
    code = StringField(lazy_gettext("Code from your authenticator app"),
                       filters=[lambda v: v[:TYPED_MAX] if isinstance(v, str) else v])


def _now() -> datetime:
    return datetime.fromtimestamp(clock(), UTC)


def _address() -> str:
    return request.remote_addr or ""


def _page(form: TokenForm, status: int = 200, created: Created | None = None) -> BaseResponse:
    """The tokens page: the new token's secret (once), the form and the list."""
    who = principal()
    assert who.user_id is not None
    response = make_response(render_template(
        "account/tokens.html", form=form, created=created, tokens=token_service.tokens_of(db(), who), now=_now(),
        scope_names=SCOPE_NAMES, status_names=STATUS_NAMES, needs_code=mfa.enrolled(db(), who.user_id),
        longest=token_service.LONGEST_DAYS, most=token_service.MOST_USABLE), status)
    response.headers["Cache-Control"] = "no-store"  # the page may carry a secret: no copy in any cache
    return response


@bp.get("/account/tokens")
@login_required  # type: ignore[untyped-decorator]
def index() -> BaseResponse:
    """The account's tokens and the form to make one."""
    return _page(TokenForm(formdata=None))


REFUSALS = {
    "code_missing": ("code", 422, lazy_gettext("Enter the code your authenticator app shows now.")),
    "used_code": ("code", 401, lazy_gettext("This code was used already. Wait for the next code in your app.")),
    "wrong_code": ("code", 401, lazy_gettext(
        "The code is not right. Check the time on your phone, or use a recovery code.")),
    "mfa_required": ("name", 403, lazy_gettext(
        "Set up two-step verification first: your role needs it for access tokens.")),
    "too_many": ("name", 409, lazy_gettext(
        "You have the most tokens that can work at once. Revoke one you no longer use first.")),
    "inactive": ("name", 403, lazy_gettext("This account is switched off.")),
}
"""Each refusal of the service: the field it is said beside, the status, the message."""


def _refusal(form: TokenForm, outcome: Created) -> int:
    """Say beside the right field why the token was not made; the status."""
    if outcome.status == "wait":
        form.code.errors.append(try_again_message(outcome.wait))
        return 429
    field, status, message = REFUSALS.get(outcome.status, REFUSALS["wrong_code"])
    getattr(form, field).errors.append(str(message))
    return status


@bp.post("/account/tokens")
@login_required  # type: ignore[untyped-decorator]
@recent_login_required
def create() -> BaseResponse:
    """Make a token and show its secret this once."""
    form = TokenForm()
    form.validate()  # makes each field's errors a list, which the checks below add to
    wanted, problems = token_service.read_request(form.name.data, form.scope.data, form.days.data)
    for field, message in problems.items():
        getattr(form, field).errors.append(gettext(message))
    if len(form.code.data or "") > mfa.LONGEST_INPUT and mfa.enrolled(db(), principal().user_id or 0):
        form.code.errors.append(gettext("The code is too long"))
    if wanted is None or form.code.errors:
        return _page(form, 422)
    outcome = token_service.create(db(), throttle(), principal(), wanted, code=form.code.data,
                                   required_roles=current_app.config["MFA_REQUIRED_ROLES"], address=_address(),
                                   now=_now())
    db().commit()  # a token made, or a refused code counted and logged
    if not outcome.ok:
        return _page(form, _refusal(form, outcome))
    return _page(TokenForm(formdata=None), 200, outcome)


def _own(token_id: int) -> TokenRecord:
    """One of the account's own tokens; another account's is a 404 (its existence is not revealed)."""
    token = token_service.own_token(db(), principal(), token_id)
    if token is None:
        abort(404)
    return token


@bp.get("/account/tokens/<int:token_id>/revoke")
@login_required  # type: ignore[untyped-decorator]
def confirm_revoke(token_id: int) -> str:
    """Ask whether to revoke the token: scripts that use it stop working at once."""
    return render_template("account/token_revoke.html", token=_own(token_id), form=ActionForm(),
                           scope_names=SCOPE_NAMES)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required  # type: ignore[untyped-decorator]
def revoke(token_id: int) -> BaseResponse:
    """Revoke the token once its confirmation page was answered; anything else asks first."""
    token = _own(token_id)
    if request.form.get("confirm") != "yes":  # the confirmation page's button sends it; nothing else does
        return redirect(url_for(".confirm_revoke", token_id=token_id), code=303)
    token_service.revoke(db(), principal(), token_id, address=_address(), now=_now())
    db().commit()
    flash(gettext("The token %(name)s (%(prefix)s…) is revoked. Requests with it are refused from now on.",
                  name=token.name, prefix=token.prefix), "success")
    return redirect(url_for(".index"), code=303)
