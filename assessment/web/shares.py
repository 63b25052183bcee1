"""The enterprise shares its individual results with an authority (a GB/T 2260 region), and revokes the share; it
also gives or withdraws its consent to official statistics here, without starting a new assessment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import BooleanField, SelectField

from assessment.domain.enterprise import Region
from assessment.domain.numbers import read_id
from assessment.services import assessments, security_log, shares
from assessment.services.authorization import own_enterprises
from assessment.services.records import EnterpriseLine
from assessment.web.database import db
from assessment.web.forms import ActionForm
from assessment.web.security_log import record_event
from assessment.web.site import site
from assessment.web.templating import beijing, level_name
from assessment.web.tenancy import principal

bp = Blueprint("shares", __name__)

ALL = "all-"
"""Prefix of the choice that shares every submitted assessment of an enterprise: all-<enterprise id>."""


class ShareForm(FlaskForm):  # type: ignore[misc]
    """Share one submitted assessment, or all, with the authority of a region."""

    what = SelectField(lazy_gettext("What to share"), validate_choice=False)
    province = SelectField(lazy_gettext("Province"), validate_choice=False)
    city = SelectField(lazy_gettext("City"), validate_choice=False)
    county = SelectField(lazy_gettext("County or district"), validate_choice=False)
    confirm = BooleanField(lazy_gettext(
        "I understand that the officials of this authority will see the enterprise's name and region and the full "
        "individual results shared (level, scores by dimension, indicator and scenario), that every view is "
        "logged, and that I can revoke the share here at any time."))


STATISTICS_CONSENT = lazy_gettext("The anonymised result may be included in official statistics")
"""The wording of the enterprise profile's checkbox (forms.ProfileForm), so the consent reads the same here."""


class StatisticsConsentForm(FlaskForm):  # type: ignore[misc]
    """An enterprise's consent to official statistics, worded as in the enterprise profile."""

    consent_statistics = BooleanField(STATISTICS_CONSENT)


@dataclass(frozen=True)
class Choice:
    """One option of what to share: every submitted assessment of an enterprise, or one of them."""

    value: str
    label: str


def _owned() -> list[EnterpriseLine]:
    """The enterprises of the logged-in enterprise account (asked at the door); 403 for other roles."""
    owned = own_enterprises(db(), principal())
    if owned is None:
        abort(403)
    return owned


def _choices(enterprises: list[EnterpriseLine]) -> list[tuple[EnterpriseLine, list[Choice]]]:
    """Per enterprise: all its submitted results, then each submitted assessment, newest first."""
    out = []
    for enterprise in enterprises:
        lines = shares.submitted_assessments(db(), enterprise.id)
        choices = [Choice(f"{ALL}{enterprise.id}", gettext("All submitted assessments of %(name)s, also later ones",
                                                           name=enterprise.name))]
        for line in reversed(lines):
            choices.append(Choice(str(line.id), gettext("Assessment submitted on %(date)s (%(level)s)",
                                                        date=beijing(line.submitted_at, "%Y-%m-%d"),
                                                        level=level_name(line.level))))
        out.append((enterprise, choices))
    return out


def _regions(form: ShareForm) -> dict[str, Any]:
    """The region lists for the current choice; a city or county outside the choice above it is dropped."""
    regions = site().regions
    province = str(form.province.data or "")
    cities: tuple[Region, ...] = regions.cities(province) if province else ()
    if form.city.data and not any(c.code == form.city.data for c in cities):
        form.city.data = ""
    counties: tuple[Region, ...] = regions.counties(str(form.city.data)) if form.city.data else ()
    if form.county.data and not any(c.code == form.county.data for c in counties):
        form.county.data = ""
    return {"provinces": regions.provinces(), "cities": cities, "counties": counties}


def _authority(form: ShareForm) -> str | None:
    """The chosen authority's six-digit code (county, else city, else province); errors beside the field if none."""
    regions = site().regions
    province, city, county = (str(f.data or "").strip() for f in (form.province, form.city, form.county))
    found = regions.get(province) if province else None
    if found is None or found.level != "province":
        form.province.errors = [gettext("Choose a province from the list.")]
        return None
    if not city:
        return found.code
    above = found
    found = regions.get(city)
    if found is None or found.level != "city" or found.parent != above.code:
        form.city.errors = [gettext("Choose a city of the province from the list.")]
        return None
    if not county:
        if found.grouping:
            form.county.errors = [gettext("%(name)s is not an authority of its own: choose a county or district, "
                                          "or only the province.", name=found.name)]
            return None
        return found.code
    above = found
    found = regions.get(county)
    if found is None or found.level != "county" or found.parent != above.code:
        form.county.errors = [gettext("Choose a county or district of the city from the list.")]
        return None
    return found.code


def _what(form: ShareForm, enterprises: list[EnterpriseLine]) -> tuple[int, int | None] | None:
    """The enterprise and assessment (None for all) chosen; 404 for anything not the account's own."""
    raw = str(form.what.data or "").strip()
    owned = {e.id for e in enterprises}
    if not raw:
        form.what.errors = [gettext("Choose what to share.")]
        return None
    if raw.startswith(ALL):
        number = read_id(raw.removeprefix(ALL))
        if number is None or number not in owned:
            abort(404)
        return number, None
    assessment_id = read_id(raw)
    if assessment_id is None:
        abort(404)
    record = shares.own_assessment(db(), principal(), assessment_id)
    if record is None or record.enterprise_id is None:
        abort(404)
    if record.status != "submitted":
        form.what.errors = [gettext("Only a submitted assessment can be shared.")]
        return None
    return record.enterprise_id, record.id


def _page(form: ShareForm, enterprises: list[EnterpriseLine], status: int = 200) -> tuple[str, int]:
    regions = site().regions
    return render_template("account/shares.html", form=form, shares=shares.shares_of(db(), enterprises),
                           choices=_choices(enterprises),
                           enterprises=enterprises, action=ActionForm(),
                           consents=shares.statistics_consents(db(), enterprises),
                           statistics_label=STATISTICS_CONSENT,
                           region_name=lambda code: regions.full_name(code) or code, **_regions(form)), status


@bp.get("/account/shares")
@login_required  # type: ignore[untyped-decorator]
def index() -> tuple[str, int]:
    """The shares with authorities, current and revoked, and the form to share results."""
    return _page(ShareForm(), _owned())


@bp.post("/account/shares")
@login_required  # type: ignore[untyped-decorator]
def create() -> BaseResponse | tuple[str, int]:
    """Share one submitted assessment, or all, with an authority once the consequences are confirmed."""
    enterprises = _owned()
    form = ShareForm()
    if not form.validate():
        return _page(form, enterprises, 400)
    if request.form.get("action") == "refresh":
        return _page(form, enterprises)
    chosen = _what(form, enterprises)
    authority = _authority(form)
    if not form.confirm.data:
        form.confirm.errors = [gettext("Tick the box to confirm what the authority will see, or leave the page to "
                                       "share nothing.")]
    if chosen is None or authority is None or form.confirm.errors:
        return _page(form, enterprises, 422)
    enterprise_id, assessment_id = chosen
    added = shares.share(db(), enterprise_id=enterprise_id, authority=authority, assessment_id=assessment_id,
                         user_id=int(current_user.id))
    if added is not None:
        record_event(security_log.CONSENT_CHANGED, consent=True, authority=authority, share_id=added)
    db().commit()
    name = site().regions.full_name(authority) or authority
    if added is None:
        flash(gettext("This is shared with %(authority)s already.", authority=name), "info")
    else:
        flash(gettext("Shared with %(authority)s. Its officials can now see it.", authority=name), "success")
    return redirect(url_for(".index"), code=303)


@bp.post("/account/shares/<int:share_id>/revoke")
@login_required  # type: ignore[untyped-decorator]
def revoke(share_id: int) -> BaseResponse:
    """Revoke a share: the authority no longer sees what it covered; the record stays in the list."""
    enterprises = _owned()
    if not ActionForm().validate_on_submit():
        abort(400)
    if not shares.revoke(db(), share_id, enterprises):
        abort(404)
    record_event(security_log.CONSENT_CHANGED, consent=False, share_id=share_id)
    db().commit()
    flash(gettext("Share revoked. The authority no longer sees these results."), "success")
    return redirect(url_for(".index"), code=303)


@bp.post("/account/shares/enterprises/<int:enterprise_id>/statistics")
@login_required  # type: ignore[untyped-decorator]
def statistics(enterprise_id: int) -> BaseResponse:
    """Give or withdraw the enterprise's consent to official statistics; all its results, also earlier ones, follow."""
    enterprises = _owned()
    form = StatisticsConsentForm()
    if not form.validate_on_submit():
        abort(400)
    enterprise = next((e for e in enterprises if e.id == enterprise_id), None)
    if enterprise is None:
        abort(404)
    consent = bool(form.consent_statistics.data)
    changed = assessments.set_statistics_consent(db(), enterprise.id, consent)
    if changed:
        record_event(security_log.CONSENT_CHANGED, consent=consent, statistics=True, enterprise_id=enterprise.id)
    db().commit()
    if not changed:
        flash(gettext("Nothing changed: the consent of %(name)s to official statistics was already as chosen.",
                      name=enterprise.name), "info")
    elif consent:
        flash(gettext("%(name)s now consents to official statistics: its anonymised results, also those submitted "
                      "earlier, are counted from now on.", name=enterprise.name), "success")
    else:
        flash(gettext("%(name)s has withdrawn its consent to official statistics: none of its results, also those "
                      "submitted earlier, is counted from now on.", name=enterprise.name), "success")
    return redirect(url_for(".index", _anchor=f"statistics-{enterprise.id}"), code=303)
