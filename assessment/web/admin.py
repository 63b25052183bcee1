"""The `admin` journey (site admins): provider organisations with their first admin, and officials' accounts."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response as BaseResponse

from assessment.services import administration
from assessment.services.accounts import AccountInvalid, normalised_email
from assessment.services.records import EmailTaken
from assessment.web.database import db
from assessment.web.language import current_language
from assessment.web.provider_forms import OfficialForm, OrganisationForm
from assessment.web.site import site
from assessment.web.tenancy import recent_login_required, require_role, send_password_link

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _page(organisation_form: OrganisationForm, official_form: OfficialForm, status: int = 200) -> tuple[str, int]:
    listed = administration.overview(db())
    return render_template("admin/index.html", organisations=listed.organisations, officials=listed.officials,
                           admins=listed.admins, organisation_form=organisation_form,
                           official_form=official_form, region_name=site().regions.full_name), status


@bp.get("/")
@recent_login_required
def index() -> tuple[str, int]:
    """Organisations and officials; forms to add them."""
    require_role("site_admin")
    return _page(OrganisationForm(prefix="org"), OfficialForm(prefix="official"))


@bp.post("/organisations")
@recent_login_required
def add_organisation() -> BaseResponse | tuple[str, int]:
    """Add a provider organisation and its first admin, who gets an email to choose a password."""
    who = require_role("site_admin")
    form = OrganisationForm(prefix="org")
    if not form.validate():
        return _page(form, OfficialForm(prefix="official"), 422)
    region = (form.region_code.data or "").strip() or None
    if region is not None and not site().regions.valid(region):
        form.region_code.errors.append(gettext("Enter a GB/T 2260 code from the list, for example 370100."))
        return _page(form, OfficialForm(prefix="official"), 422)
    try:
        organisation, record = administration.add_provider(
            db(), form.name.data, region, normalised_email(form.email.data),
            display_name=(form.display_name.data or "").strip() or None, language=current_language(),
            regions=site().regions, granted_by=who, address=request.remote_addr or "")
    except EmailTaken:
        db().rollback()
        form.email.errors.append(gettext("An account with this email address exists already."))
        return _page(form, OfficialForm(prefix="official"), 422)
    db().commit()
    send_password_link(record, first=True)
    flash(gettext("%(name)s is added; %(email)s got an email to choose a password.", name=organisation.name,
                  email=record.email), "success")
    return redirect(url_for(".index"), code=303)


@bp.post("/officials")
@recent_login_required
def add_official() -> BaseResponse | tuple[str, int]:
    """Add an official of an authority (GB/T 2260 region; they see that region and the regions below it)."""
    who = require_role("site_admin")
    form = OfficialForm(prefix="official")
    if not form.validate():
        return _page(OrganisationForm(prefix="org"), form, 422)
    try:
        record = administration.add_official(
            db(), normalised_email(form.email.data), (form.region_code.data or "").strip(),
            display_name=(form.display_name.data or "").strip() or None, language=current_language(),
            regions=site().regions, granted_by=who, address=request.remote_addr or "")
    except EmailTaken:
        db().rollback()
        form.email.errors.append(gettext("An account with this email address exists already."))
        return _page(OrganisationForm(prefix="org"), form, 422)
    except AccountInvalid as exc:
        db().rollback()
        form.region_code.errors.append(gettext(str(exc)))
        return _page(OrganisationForm(prefix="org"), form, 422)
    db().commit()
    send_password_link(record, first=True)
    flash(gettext("%(email)s is added; an email asks them to choose a password.", email=record.email), "success")
    return redirect(url_for(".index"), code=303)
