"""The `account` journey: the account page, email verification, password reset, re-authentication, and the
enterprise's consent to providers (accept an invitation, withdraw consent)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from assessment.domain.numbers import read_id
from assessment.services import accounts, security_log
from assessment.services import providers as tenancy_service
from assessment.services.accounts import normalised_email
from assessment.services.authorization import may_consent, own_enterprises
from assessment.services.providers import InvitationInvalid
from assessment.web.admin import region_label
from assessment.web.auth import (
    checked_password,
    end_sessions_here_and_everywhere,
    first_factor_passed,
    home_page,
    reauth_keys,
    tell_password_changed,
    try_again_message,
)
from assessment.web.database import db
from assessment.web.deferred import after_response
from assessment.web.forms import ActionForm
from assessment.web.main import safe_next
from assessment.web.provider_forms import AcceptForm, ForgotForm, NameForm, PasswordForm, ReauthForm
from assessment.web.security import limiter, login_limit
from assessment.web.tenancy import (
    confirm_signed_in,
    principal,
    send_password_link,
    send_verification,
)

bp = Blueprint("account", __name__)

RESET_TOKEN = "reset_token"
INVITATION_TOKEN = "invitation_token"
"""Emailed and invitation links' tokens, kept in the session so that the pages they open have token-free addresses."""
TOKEN_MAX = 200


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _link_problem(status: str) -> str:
    messages = {
        "invalid": gettext("This link does not work. Check that you copied all of it, or ask for a new one."),
        "expired": gettext("This link has expired. Ask for a new one."),
        "used": gettext("This link was used already; each link works once. Ask for a new one if you need it."),
    }
    return str(messages[status])


@bp.get("/account")
@login_required  # type: ignore[untyped-decorator]
def show() -> str:
    """The account: email and whether it is confirmed, role, organisation, name, providers."""
    return _account_page(None)[0]


def _account_page(form: NameForm | None, status: int = 200) -> tuple[str, int]:
    """The account page, with the name form as posted or (None) as stored."""
    record = accounts.account(db(), int(current_user.id))
    assert record is not None
    organisation = accounts.organisation(db(), record.organisation_id)
    shown = form if form is not None else NameForm(data={"display_name": record.display_name or ""})
    region = region_label(record.region_code) if record.region_code else None
    return render_template("account/show.html", record=record, organisation=organisation, form=shown,
                           action=ActionForm(), region=region), status


@bp.post("/account/name")
@login_required  # type: ignore[untyped-decorator]
def set_name() -> BaseResponse | tuple[str, int]:
    """Change the name shown for the account."""
    form = NameForm()
    if not form.validate_on_submit():
        return _account_page(form, 422)
    accounts.set_display_name(db(), int(current_user.id), form.display_name.data)
    db().commit()
    flash(gettext("Your name is saved."), "success")
    return redirect(url_for(".show"), code=303)


@bp.post("/account/verify")
@login_required  # type: ignore[untyped-decorator]
@limiter.shared_limit(login_limit, scope="mail")
def send_verify() -> BaseResponse:
    """Send the confirmation link again."""
    record = accounts.account(db(), int(current_user.id))
    assert record is not None
    if record.email is None:  # known by its mobile number only: nothing to confirm
        return redirect(url_for("phone.add_email"), code=303)
    if record.email_verified_at is not None:
        flash(gettext("Your email address is confirmed already."), "info")
    elif send_verification(record):
        flash(gettext("We sent a confirmation link to %(email)s.", email=record.email), "success")
    else:
        flash(gettext("The email could not be sent right now. Try again later."), "error")
    return redirect(url_for(".show"), code=303)


@bp.get("/account/verify/<token>")
def verify(token: str) -> str | BaseResponse | tuple[str, int]:
    """Confirm an email address with the emailed link; it also signs in (how a new registration starts)."""
    outcome = accounts.verify_email(db(), _secret(), token)
    if outcome.status != "ok" or outcome.user is None:
        db().rollback()
        return render_template("account/link_problem.html", message=_link_problem(outcome.status)), 400
    record = outcome.user
    security_log.record(db(), security_log.EMAIL_VERIFIED, user_id=record.id, actor_id=record.id,
                        address=request.remote_addr or "")
    db().commit()
    if not record.active or (current_user.is_authenticated and int(current_user.id) == record.id):
        return render_template("account/verified.html")
    flash(gettext("Your email address is confirmed."), "success")
    return first_factor_passed(record, "email_link", home_page(record))


@bp.route("/account/password/forgot", methods=["GET", "POST"])
@limiter.shared_limit(login_limit, scope="login", methods=["POST"])
def forgot_password() -> str | tuple[str, int]:
    """Ask for a password-reset link; the answer is the same whether the address has an account or not."""
    form = ForgotForm()
    if form.validate_on_submit():
        email = normalised_email(form.email.data)
        after_response(lambda: _send_reset_link(email))  # known or not, the answer leaves before any work
        return render_template("account/forgot_sent.html", email=email)
    return render_template("account/forgot.html", form=form), 422 if request.method == "POST" else 200


def _send_reset_link(email: str) -> None:
    """After the answer went out: mail a reset link if the address belongs to an active account."""
    record = accounts.reset_requested(db(), email, request.remote_addr or "")
    db().commit()
    if record is not None:
        send_password_link(record)


@bp.route("/account/password/reset/<token>", methods=["GET", "POST"])
@limiter.shared_limit(login_limit, scope="login", methods=["POST"])
def reset_password(token: str) -> str | BaseResponse | tuple[str, int]:
    """The emailed link: its token goes into this browser's session and the page goes on without it in the address
    (history and Referer never carry it); a form posted here by a page opened before is still handled."""
    session[RESET_TOKEN] = token[:TOKEN_MAX]
    if request.method == "GET":
        return redirect(url_for(".choose_password"), code=303)
    return choose_password()


@bp.route("/account/password/reset", methods=["GET", "POST"])
@limiter.shared_limit(login_limit, scope="login", methods=["POST"])
def choose_password() -> str | BaseResponse | tuple[str, int]:
    """Choose a new password with the emailed link (one use, limited time)."""
    token = str(session.get(RESET_TOKEN) or "")
    if not token:
        return render_template("account/link_problem.html", message=_link_problem("invalid")), 400
    form = PasswordForm()
    if form.validate_on_submit():
        problem = accounts.password_problem(form.password.data or "")
        if problem is not None:
            form.password.errors.append(gettext(problem))
        else:
            outcome = accounts.reset_password(db(), _secret(), token, form.password.data)
            if outcome.status != "ok" or outcome.user is None:
                db().rollback()
                return render_template("account/link_problem.html", message=_link_problem(outcome.status)), 400
            security_log.record(db(), security_log.PASSWORD_CHANGED, user_id=outcome.user.id,
                                actor_id=outcome.user.id, address=request.remote_addr or "", method="reset_link")
            db().commit()
            session.pop(RESET_TOKEN, None)
            tell_password_changed(outcome.user)
            flash(gettext("Your password is set. Log in with it."), "success")
            return redirect(url_for("auth.login"), code=303)
    return render_template("account/reset.html", form=form), 422 if request.method == "POST" else 200


@bp.post("/account/sessions/end")
@login_required  # type: ignore[untyped-decorator]
def sign_out_everywhere() -> BaseResponse:
    """End every signed-in session of the account, this one included (a copied cookie stops working too)."""
    end_sessions_here_and_everywhere(security_log.SIGN_OUT_EVERYWHERE)
    flash(gettext("You are signed out on every device."), "success")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/account/reauth", methods=["GET", "POST"])
@login_required  # type: ignore[untyped-decorator]
@limiter.shared_limit(login_limit, scope="login", methods=["POST"])
def reauth() -> str | BaseResponse | tuple[str, int]:
    """Give the password again before a sensitive action."""
    form = ReauthForm()
    failed, wait = False, 0.0
    if form.validate_on_submit():
        record = accounts.account(db(), int(current_user.id))
        assert record is not None
        right, wait = checked_password(record, form.password.data, reauth_keys(record.id))
        if right:
            confirm_signed_in()
            return redirect(safe_next(request.args.get("next"), url_for(".show")), code=303)
        failed = True
        if wait > 0:
            form.password.errors.append(try_again_message(wait))
    status = 429 if wait > 0 else 401 if failed else 422 if request.method == "POST" else 200
    return render_template("account/reauth.html", form=form, failed=failed), status


# --- consent to providers ------------------------------------------------------------------------------------

@bp.get("/account/providers")
@login_required  # type: ignore[untyped-decorator]
def consents() -> str:
    """The providers each of the account's enterprises is linked with; consent can be withdrawn at any time."""
    links = tenancy_service.consents(db(), int(current_user.id))
    return render_template("account/providers.html", links=links, form=ActionForm())


@bp.post("/account/providers/<int:link_id>/revoke")
@login_required  # type: ignore[untyped-decorator]
def revoke(link_id: int) -> BaseResponse:
    """Withdraw consent: the provider no longer sees the enterprise or its assessments."""
    if not tenancy_service.revoke(db(), link_id, int(current_user.id)):
        abort(404)
    security_log.record(db(), security_log.CONSENT_CHANGED, user_id=int(current_user.id),
                        actor_id=int(current_user.id), address=request.remote_addr or "", link_id=link_id,
                        consent=False)
    db().commit()
    flash(gettext("Consent withdrawn. The provider no longer sees your enterprise or its assessments."), "success")
    return redirect(url_for(".consents"), code=303)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str) -> str | BaseResponse | tuple[str, int]:
    """The invitation link: its token goes into this browser's session and the page goes on without it in the
    address (history, Referer and the login link's `next` never carry it); a form posted here is still handled."""
    try:
        tenancy_service.open_invitation(db(), token)
    except InvitationInvalid as exc:  # a link that does not work is said at once, where it was opened
        return render_template("account/link_problem.html", message=gettext(str(exc))), 404
    session[INVITATION_TOKEN] = token[:TOKEN_MAX]
    if request.method == "GET":
        return redirect(url_for(".invitation_page"), code=303)
    return invitation_page()


@bp.route("/invitation", methods=["GET", "POST"])
def invitation_page() -> str | BaseResponse | tuple[str, int]:
    """A provider's invitation: what consenting means, and accepting it for one of the account's enterprises."""
    token = str(session.get(INVITATION_TOKEN) or "")
    try:
        link = tenancy_service.open_invitation(db(), token)
    except InvitationInvalid as exc:
        return render_template("account/link_problem.html", message=gettext(str(exc))), 404
    if not current_user.is_authenticated:
        return render_template("account/invitation.html", link=link, form=None, enterprises=[])
    who = principal()
    enterprises = own_enterprises(db(), who) or []
    form = AcceptForm()
    form.enterprise.choices = [(str(e.id), e.name) for e in enterprises]
    status = 200
    if request.method == "POST" and may_consent(who):
        status = 422
        chosen = form.enterprise.data
        if not form.validate():
            pass
        elif read_id(chosen) is None:
            form.enterprise.errors = [gettext("Choose the enterprise the provider will work with.")]
        elif not form.consent.data:
            form.consent.errors = [gettext("Tick the box to give your consent, or leave the page to decline.")]
        else:
            try:
                tenancy_service.accept(db(), token, read_id(chosen) or 0, int(current_user.id))
            except InvitationInvalid as exc:
                db().rollback()
                form.enterprise.errors = [gettext(str(exc))]
            else:
                security_log.record(db(), security_log.CONSENT_CHANGED, user_id=int(current_user.id),
                                    actor_id=int(current_user.id), address=request.remote_addr or "",
                                    link_id=link.id, consent=True)
                db().commit()
                session.pop(INVITATION_TOKEN, None)
                flash(gettext("%(provider)s is now linked with your enterprise. You can withdraw this consent at any "
                              "time.", provider=link.organisation_name), "success")
                return redirect(url_for(".consents"), code=303)
    return render_template("account/invitation.html", link=link, form=form, enterprises=enterprises), status


ROLE_NAMES = {
    "enterprise": lazy_gettext("Enterprise user"),
    "provider_staff": lazy_gettext("Provider staff"),
    "provider_admin": lazy_gettext("Provider admin"),
    "official": lazy_gettext("Official"),
    "site_admin": lazy_gettext("Site admin"),
}


@bp.app_context_processor
def role_context() -> dict[str, object]:
    """Role names for the header and the account page."""
    return {"role_names": ROLE_NAMES}
