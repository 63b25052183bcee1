"""The `account` journey: the account page, email verification, password reset, re-authentication, and the
enterprise's consent to providers (accept an invitation, withdraw consent)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from assessment.db import providers, queries
from assessment.services import accounts
from assessment.services import providers as tenancy_service
from assessment.services.providers import InvitationInvalid
from assessment.web.auth import normalised_email, unknown_user_hash
from assessment.web.database import db
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
    record = queries.get_user(db(), int(current_user.id))
    assert record is not None
    organisation = providers.get_organisation(db(), record.organisation_id) if record.organisation_id else None
    form = NameForm(data={"display_name": record.display_name or ""})
    return render_template("account/show.html", record=record, organisation=organisation, form=form,
                           action=ActionForm())


@bp.post("/account/name")
@login_required  # type: ignore[untyped-decorator]
def set_name() -> BaseResponse | tuple[str, int]:
    """Change the name shown for the account."""
    form = NameForm()
    if not form.validate_on_submit():
        record = queries.get_user(db(), int(current_user.id))
        assert record is not None
        organisation = providers.get_organisation(db(), record.organisation_id) if record.organisation_id else None
        return render_template("account/show.html", record=record, organisation=organisation, form=form,
                               action=ActionForm()), 422
    providers.set_display_name(db(), int(current_user.id), (form.display_name.data or "").strip() or None)
    db().commit()
    flash(gettext("Your name is saved."), "success")
    return redirect(url_for(".show"), code=303)


@bp.post("/account/verify")
@login_required  # type: ignore[untyped-decorator]
@limiter.shared_limit(login_limit, scope="mail")
def send_verify() -> BaseResponse:
    """Send the confirmation link again."""
    record = queries.get_user(db(), int(current_user.id))
    assert record is not None
    if record.email_verified_at is not None:
        flash(gettext("Your email address is confirmed already."), "info")
    elif send_verification(record):
        flash(gettext("We sent a confirmation link to %(email)s.", email=record.email), "success")
    else:
        flash(gettext("The email could not be sent right now. Try again later."), "error")
    return redirect(url_for(".show"), code=303)


@bp.get("/account/verify/<token>")
def verify(token: str) -> str | tuple[str, int]:
    """Confirm an email address with the emailed link."""
    outcome = accounts.verify_email(db(), _secret(), token)
    if outcome.status != "ok":
        db().rollback()
        return render_template("account/link_problem.html", message=_link_problem(outcome.status)), 400
    db().commit()
    return render_template("account/verified.html")


@bp.route("/account/password/forgot", methods=["GET", "POST"])
@limiter.shared_limit(login_limit, scope="login", methods=["POST"])
def forgot_password() -> str | tuple[str, int]:
    """Ask for a password-reset link; the answer is the same whether the address has an account or not."""
    form = ForgotForm()
    if form.validate_on_submit():
        record = queries.user_by_email(db(), normalised_email(form.email.data))
        if record is not None and record.active:
            send_password_link(record)
        else:
            accounts.password_matches(unknown_user_hash(), "x")  # the same time either way
        return render_template("account/forgot_sent.html", email=normalised_email(form.email.data))
    return render_template("account/forgot.html", form=form), 422 if request.method == "POST" else 200


@bp.route("/account/password/reset/<token>", methods=["GET", "POST"])
@limiter.shared_limit(login_limit, scope="login", methods=["POST"])
def reset_password(token: str) -> str | BaseResponse | tuple[str, int]:
    """Choose a new password with the emailed link (one use, limited time)."""
    form = PasswordForm()
    if form.validate_on_submit():
        problem = accounts.password_problem(form.password.data or "")
        if problem is not None:
            form.password.errors.append(gettext(problem))
        else:
            outcome = accounts.reset_password(db(), _secret(), token, form.password.data)
            if outcome.status != "ok":
                db().rollback()
                return render_template("account/link_problem.html", message=_link_problem(outcome.status)), 400
            db().commit()
            flash(gettext("Your password is set. Log in with it."), "success")
            return redirect(url_for("auth.login"), code=303)
    return render_template("account/reset.html", form=form, token=token), 422 if request.method == "POST" else 200


@bp.route("/account/reauth", methods=["GET", "POST"])
@login_required  # type: ignore[untyped-decorator]
@limiter.shared_limit(login_limit, scope="login", methods=["POST"])
def reauth() -> str | BaseResponse | tuple[str, int]:
    """Give the password again before a sensitive action."""
    form = ReauthForm()
    failed = False
    if form.validate_on_submit():
        record = queries.get_user(db(), int(current_user.id))
        if record is not None and accounts.password_matches(record.password_hash, form.password.data):
            confirm_signed_in()
            return redirect(safe_next(request.args.get("next"), url_for(".show")), code=303)
        failed = True
    status = 401 if failed else 422 if request.method == "POST" else 200
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
    db().commit()
    flash(gettext("Consent withdrawn. The provider no longer sees your enterprise or its assessments."), "success")
    return redirect(url_for(".consents"), code=303)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str) -> str | BaseResponse | tuple[str, int]:
    """A provider's invitation: what consenting means, and accepting it for one of the account's enterprises."""
    try:
        link = tenancy_service.open_invitation(db(), token)
    except InvitationInvalid as exc:
        return render_template("account/link_problem.html", message=gettext(str(exc))), 404
    if not current_user.is_authenticated:
        return render_template("account/invitation.html", link=link, token=token, form=None, enterprises=[])
    who = principal()
    enterprises = providers.enterprises_of_user(db(), int(current_user.id)) if who.role == "enterprise" else []
    form = AcceptForm()
    form.enterprise.choices = [(str(e.id), e.name) for e in enterprises]
    status = 200
    if request.method == "POST" and who.role == "enterprise":
        status = 422
        chosen = form.enterprise.data
        if not form.validate():
            pass
        elif not chosen or not str(chosen).isdigit():
            form.enterprise.errors = [gettext("Choose the enterprise the provider will work with.")]
        elif not form.consent.data:
            form.consent.errors = [gettext("Tick the box to give your consent, or leave the page to decline.")]
        else:
            try:
                tenancy_service.accept(db(), token, int(chosen), int(current_user.id))
            except InvitationInvalid as exc:
                db().rollback()
                form.enterprise.errors = [gettext(str(exc))]
            else:
                db().commit()
                flash(gettext("%(provider)s is now linked with your enterprise. You can withdraw this consent at any "
                              "time.", provider=link.organisation_name), "success")
                return redirect(url_for(".consents"), code=303)
    return render_template("account/invitation.html", link=link, token=token, form=form,
                           enterprises=enterprises), status


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
