"""The `admin` journey (site admins): provider organisations with their first admin, and officials' accounts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response as BaseResponse

from assessment.services import administration
from assessment.services.accounts import AccountInvalid, normalised_email
from assessment.services.aggregates.jurisdiction import NATIONAL_CODE
from assessment.services.records import EmailTaken
from assessment.web.database import db
from assessment.web.language import current_language
from assessment.web.provider_forms import OfficialForm, OrganisationForm, RegionPickerForm
from assessment.web.site import site
from assessment.web.tenancy import recent_login_required, require_role, send_password_link

bp = Blueprint("admin", __name__, url_prefix="/admin")


def region_label(code: str | None) -> str:
    """A region by name (江苏省 / 苏州市), the whole country for 000000, never the bare code if the list knows it."""
    if not code:
        return "—"
    if code == NATIONAL_CODE:
        return str(gettext("Whole country"))
    return site().regions.full_name(code) or code


def _region_lists(form: RegionPickerForm) -> dict[str, Any]:
    """The places to choose from for the choice so far: every province, its cities, that city's counties."""
    regions = site().regions
    province, city = str(form.province.data or ""), str(form.city.data or "")
    cities = regions.cities(province) if province and province != NATIONAL_CODE else ()
    counties = regions.counties(city) if any(c.code == city for c in cities) else ()
    return {"provinces": regions.provinces(), "cities": cities, "counties": counties}


def _picked_region(form: RegionPickerForm, *, required: bool, national: bool) -> str | None:
    """The region picked, checked against the GB/T 2260 list level by level; None with a field message if wrong."""
    regions = site().regions
    province, city, county = (str(f.data or "").strip() for f in (form.province, form.city, form.county))
    if not province:
        if required or city or county:
            form.province.errors.append(gettext("Choose the province, or the whole country.") if national else
                                        gettext("Choose the province first."))
        return None
    if national and province == NATIONAL_CODE:
        return NATIONAL_CODE
    if not any(p.code == province for p in regions.provinces()):
        form.province.errors.append(gettext("Choose a province from the list."))
        return None
    if city and not any(c.code == city for c in regions.cities(province)):
        form.city.errors.append(gettext("Choose a city of %(province)s, or none for the whole province.",
                                        province=regions.name(province)))
        return None
    if county and not (city and any(c.code == county for c in regions.counties(city))):
        form.county.errors.append(gettext("Choose a county or district of the city chosen, or none for the whole "
                                          "city."))
        return None
    return county or city or province


def _page(organisation_form: OrganisationForm, official_form: OfficialForm, status: int = 200) -> tuple[str, int]:
    listed = administration.overview(db())
    return render_template("admin/index.html", organisations=listed.organisations, officials=listed.officials,
                           admins=listed.admins, organisation_form=organisation_form,
                           official_form=official_form, region_label=region_label, national_code=NATIONAL_CODE,
                           organisation_regions=_region_lists(organisation_form),
                           official_regions=_region_lists(official_form)), status


def _refreshing() -> bool:
    """Whether the places for a choice were asked for (the picker's button without JavaScript)."""
    return request.form.get("action") == "refresh"


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
    if _refreshing():
        return _page(form, OfficialForm(prefix="official"))
    valid = form.validate()
    region = _picked_region(form, required=False, national=False)
    if not valid or form.province.errors or form.city.errors or form.county.errors:
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
    """Add an official of an authority (a region picked by name; they see that region and the regions below it)."""
    who = require_role("site_admin")
    form = OfficialForm(prefix="official")
    if _refreshing():
        return _page(OrganisationForm(prefix="org"), form)
    valid = form.validate()
    region = _picked_region(form, required=True, national=True)
    if not valid or region is None:
        return _page(OrganisationForm(prefix="org"), form, 422)
    try:
        record = administration.add_official(
            db(), normalised_email(form.email.data), region,
            display_name=(form.display_name.data or "").strip() or None, language=current_language(),
            regions=site().regions, granted_by=who, address=request.remote_addr or "")
    except EmailTaken:
        db().rollback()
        form.email.errors.append(gettext("An account with this email address exists already."))
        return _page(OrganisationForm(prefix="org"), form, 422)
    except AccountInvalid as exc:
        db().rollback()
        form.province.errors.append(gettext(str(exc)))
        return _page(OrganisationForm(prefix="org"), form, 422)
    db().commit()
    send_password_link(record, first=True)
    flash(gettext("%(email)s is added; an email asks them to choose a password.", email=record.email), "success")
    return redirect(url_for(".index"), code=303)
