"""The `provider` journey: the dashboard of clients, invitations, guided and on-site assessments for a client,
the provider's staff and its own solution catalogue."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, lazy_gettext
from werkzeug.wrappers import Response as BaseResponse

from assessment.content.catalogue_sheets import CatalogueImportInvalid, ImportRefused, RowError
from assessment.domain.catalogue import LISTING_STATUSES, PRICE_MODELS, PROVIDER_TYPES, Catalogue
from assessment.domain.enterprise import SIZE_CLASS_LABELS, ZHUANJINGTEXIN_LABELS
from assessment.domain.questionnaire import Questionnaire
from assessment.services import accounts, assessments, authorization, progress, provider_catalogue, security_log
from assessment.services import providers as tenancy_service
from assessment.services import staff as staff_service
from assessment.services.accounts import AccountInvalid, normalised_email
from assessment.services.provider_catalogue import FORM_COLUMNS, LANGUAGES
from assessment.services.providers import NEXT_STEPS, ClientFilter, Principal
from assessment.services.records import AssessmentRecord, EmailTaken, EnterpriseLine, OrganisationRecord, SolutionRow
from assessment.web.database import db
from assessment.web.forms import ActionForm
from assessment.web.language import current_language
from assessment.web.provider_forms import ImportForm, InvitationForm, StaffForm, StartForm
from assessment.web.security_log import exported
from assessment.web.site import site
from assessment.web.tenancy import recent_login_required, require_role, send_password_link

bp = Blueprint("provider", __name__, url_prefix="/provider")

NEW_INVITATION = "new_invitation"
MODE_NAMES = {"self": lazy_gettext("Self-assessment"), "guided": lazy_gettext("Guided assessment"),
              "onsite": lazy_gettext("On-site assessment")}
STATUS_NAMES = {"none": lazy_gettext("Not assessed yet"), "draft": lazy_gettext("Draft"),
                "submitted": lazy_gettext("Submitted")}
COLUMN_LABELS: dict[str, Any] = {
    "id": lazy_gettext("Entry id (letters, digits, - and _)"),
    "name": lazy_gettext("Name"),
    "summary": lazy_gettext("Summary"),
    "provider_type": lazy_gettext("Provider type"),
    "regions": lazy_gettext("Regions served (GB/T 2260 codes separated by ;, or all)"),
    "deployment": lazy_gettext("Deployment (saas; private; hybrid; hardware_software; edge; service)"),
    "scenarios": lazy_gettext("Scenario lifts (e.g. S06:1->3;S07:0->2)"),
    "items": lazy_gettext("Part-A options it makes true (e.g. Q6:C,E+2.5)"),
    "industries": lazy_gettext("Industries (GB/T 4754 codes separated by ;, or any)"),
    "sizes": lazy_gettext("Size classes (large; medium; small; micro)"),
    "price_model": lazy_gettext("Price model"),
    "price_min_cny": lazy_gettext("First-year price from (CNY)"),
    "price_max_cny": lazy_gettext("First-year price up to (CNY)"),
    "price_note": lazy_gettext("Price note"),
    "weeks_min": lazy_gettext("Implementation weeks from"),
    "weeks_max": lazy_gettext("Implementation weeks up to"),
    "requires": lazy_gettext("Prerequisites (e.g. S13>=2;Q1:B,C)"),
    "effects": lazy_gettext("Measurable effects (one per line)"),
    "showcase": lazy_gettext("Showcase case"),
    "listing_status": lazy_gettext("Listing status"),
    "listing_source": lazy_gettext("Where it is listed"),
    "listing_date": lazy_gettext("Listing date (YYYY-MM-DD)"),
    "version": lazy_gettext("Entry version"),
}
CHOICES = {"provider_type": PROVIDER_TYPES, "price_model": PRICE_MODELS, "listing_status": LISTING_STATUSES}
LONG_COLUMNS = ("summary", "effects", "showcase")
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


def _provider() -> Principal:
    return require_role("provider_staff", "provider_admin")


def _organisation(who: Principal) -> OrganisationRecord:
    organisation = tenancy_service.organisation_of(db(), who)
    if organisation is None:
        abort(404)
    return organisation


def _client(who: Principal, enterprise_id: int) -> EnterpriseLine:
    """The enterprise if it is an active client of this provider; 404 otherwise."""
    enterprise = tenancy_service.client_of(db(), who, enterprise_id)
    if enterprise is None:
        abort(404)
    return enterprise


def _levels() -> list[int]:
    numbers = {lv.level for versions in site().library.models.values() for m in versions.values()
               for lv in (*m.levels, m.below)}
    return sorted(numbers)


# --- dashboard -----------------------------------------------------------------------------------------------

@bp.get("/")
def dashboard() -> str:
    """The provider's clients with their latest level, status and next step; filters by level, status, region, industry."""
    who = _provider()
    organisation = _organisation(who)
    wanted = ClientFilter(*(str(request.args.get(k, "")).strip()[:12] for k in ("level", "status", "region",
                                                                                 "industry")))
    rows = tenancy_service.dashboard(db(), organisation.id, wanted, site().industries)
    regions, industries = site().regions, site().industries
    return render_template(
        "provider/dashboard.html", organisation=organisation, rows=rows, wanted=wanted, levels=_levels(),
        provinces=regions.provinces(), sections=industries.sections(), region_name=regions.full_name,
        industry_name=industries.name, next_steps=NEXT_STEPS, status_names=STATUS_NAMES, mode_names=MODE_NAMES,
        filtered=any((wanted.level, wanted.status, wanted.region, wanted.industry)))


# --- invitations ---------------------------------------------------------------------------------------------

@bp.route("/invitations", methods=["GET", "POST"])
def invitations() -> str | BaseResponse | tuple[str, int]:
    """Invite an enterprise by link (shown once); the list of invitations and their state."""
    who = _provider()
    organisation = _organisation(who)
    form = InvitationForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            token = tenancy_service.invite(db(), who, form.note.data or "")
            db().commit()
            session[NEW_INVITATION] = token
            return redirect(url_for(".invitations"), code=303)
        status = 422
    token = session.pop(NEW_INVITATION, None)
    link = url_for("account.invitation", token=token, _external=True) if isinstance(token, str) else None
    return render_template("provider/invitations.html", organisation=organisation, form=form, link=link,
                           links=tenancy_service.invitations(db(), organisation.id), action=ActionForm()), status


@bp.post("/invitations/<int:link_id>/withdraw")
def withdraw(link_id: int) -> BaseResponse:
    """Withdraw an invitation that was not accepted yet."""
    who = _provider()
    if not tenancy_service.withdraw(db(), who, link_id):
        abort(404)
    db().commit()
    flash(gettext("The invitation is withdrawn; its link no longer works."), "success")
    return redirect(url_for(".invitations"), code=303)


# --- a client ------------------------------------------------------------------------------------------------

def _start_form(questionnaires: list[Questionnaire]) -> StartForm:
    form = StartForm()
    first = catalogue_questionnaire()  # the questionnaire providers work with comes first and is preselected
    ordered = sorted(questionnaires, key=lambda q: (q.id != first, q.id))
    form.questionnaire.choices = [(q.id, q.title.get(current_language()) or q.id) for q in ordered]
    if not form.questionnaire.data:
        form.questionnaire.data = first
    form.mode.choices = [("guided", str(MODE_NAMES["guided"])), ("onsite", str(MODE_NAMES["onsite"]))]
    return form


def _client_page(who: Principal, enterprise_id: int, form: StartForm, status: int = 200) -> tuple[str, int]:
    enterprise = _client(who, enterprise_id)
    profile = assessments.enterprise_profile(db(), enterprise.id)
    points = {p.line.id: p.label for p in progress.series(db(), enterprise.id)}
    history = tenancy_service.client_history(db(), enterprise.id)
    regions, industries = site().regions, site().industries
    return render_template(
        "provider/client.html", enterprise=enterprise, profile=profile, history=history, points=points, form=form,
        region=regions.full_name(enterprise.region_code), industry=industries.name(enterprise.industry_code),
        size_labels=SIZE_CLASS_LABELS, status_labels=ZHUANJINGTEXIN_LABELS, mode_names=MODE_NAMES,
        status_names=STATUS_NAMES), status


@bp.get("/clients/<int:enterprise_id>")
def client(enterprise_id: int) -> tuple[str, int]:
    """A client: its profile, its assessments T0, T1, …, and starting a guided or on-site assessment."""
    who = _provider()
    return _client_page(who, enterprise_id, _start_form(site().library.latest_questionnaires()))


@bp.post("/clients/<int:enterprise_id>/assessments")
def start(enterprise_id: int) -> BaseResponse | tuple[str, int]:
    """Start a guided or on-site assessment for a client, led by this staff member."""
    who = _provider()
    _client(who, enterprise_id)
    library = site().library
    form = _start_form(library.latest_questionnaires())
    if not form.validate():
        return _client_page(who, enterprise_id, form, 422)
    qid, mode = str(form.questionnaire.data or ""), str(form.mode.data or "")
    if qid not in library.questionnaires:
        form.questionnaire.errors = [gettext("Choose one of the questionnaires listed.")]
    if mode not in tenancy_service.GUIDED_MODES:
        form.mode.errors = [gettext("Choose guided or on-site.")]
    if form.questionnaire.errors or form.mode.errors:
        return _client_page(who, enterprise_id, form, 422)
    started = tenancy_service.start_for_client(db(), who, enterprise_id, library.questionnaire(qid),
                                               library.default_model(qid), mode, reuse_previous=bool(form.reuse.data))
    db().commit()
    flash(gettext("The assessment is started. Go through it with the enterprise section by section."), "success")
    return redirect(url_for("onsite.workspace", assessment_id=started.record.id), code=303)


# --- staff ---------------------------------------------------------------------------------------------------

def _staff_roles(who: Principal) -> list[tuple[str, str]]:
    """The roles this admin may give a new member (the door's grantable roles of a provider), as form choices."""
    names = {"provider_staff": gettext("Provider staff"), "provider_admin": gettext("Provider admin")}
    grantable = authorization.grantable_roles(who)
    return [(role, name) for role, name in names.items() if role in grantable]


def _staff_page(who: Principal, form: StaffForm, status: int = 200) -> tuple[str, int]:
    organisation = _organisation(who)
    form.role.choices = _staff_roles(who)
    return render_template("provider/staff.html", organisation=organisation, form=form,
                           members=staff_service.members(db(), organisation.id), action=ActionForm(),
                           me=who.user_id), status


@bp.route("/staff", methods=["GET", "POST"])
@recent_login_required
def staff() -> tuple[str, int] | BaseResponse:
    """The provider's staff; an admin adds members, who get an email to choose their password."""
    who = require_role("provider_admin")
    form = StaffForm()
    form.role.choices = _staff_roles(who)
    if request.method == "GET":
        return _staff_page(who, form)
    if not form.validate():
        return _staff_page(who, form, 422)
    role = str(form.role.data or "provider_staff")
    organisation = request.form.get("organisation_id", str(who.organisation_id))
    if not authorization.may_grant(who, role, who.organisation_id) or organisation != str(who.organisation_id):
        form.role.errors.append(gettext("Choose one of the roles listed."))
        return _staff_page(who, form, 422)
    try:
        record = accounts.create_account(db(), normalised_email(form.email.data), None, role=role,
                                         regions=site().regions, granted_by=who, organisation_id=who.organisation_id,
                                         display_name=(form.display_name.data or "").strip(),
                                         language=current_language())
    except EmailTaken:
        db().rollback()
        form.email.errors.append(gettext("An account with this email address exists already."))
        return _staff_page(who, form, 422)
    except (AccountInvalid, authorization.Refused) as exc:
        db().rollback()
        form.role.errors.append(gettext(str(exc)) if isinstance(exc, AccountInvalid) else
                                gettext("Choose one of the roles listed."))
        return _staff_page(who, form, 422)
    security_log.record(db(), security_log.ACCOUNT_CREATED, user_id=record.id, actor_id=who.user_id,
                        address=request.remote_addr or "", role=role, organisation_id=who.organisation_id)
    db().commit()
    if send_password_link(record, first=True):
        flash(gettext("%(email)s is added; an email asks them to choose a password.", email=record.email), "success")
    else:
        flash(gettext("%(email)s is added, but the email could not be sent. They can use “Forgot your password?” "
                      "later.", email=record.email), "error")
    return redirect(url_for(".staff"), code=303)


@bp.post("/staff/<int:user_id>/active")
@recent_login_required
def set_active(user_id: int) -> BaseResponse | tuple[str, int]:
    """Switch a member's access off (or on again); an admin cannot switch off their own access. The member's
    sessions end, so the change holds from their next request."""
    who = require_role("provider_admin")
    if not authorization.may_switch_member(db(), who, user_id):
        abort(404)
    posted = request.form.get("active")
    if posted not in ("0", "1"):
        return render_template("errors/error.html", code=422, title=gettext("Nothing was changed"),
                               message=gettext("Use the buttons on the page.")), 422
    active = posted == "1"
    if not staff_service.switch_access(db(), who, user_id, active, request.remote_addr or ""):
        abort(404)
    return _member_changed(gettext("Access switched on.") if active else gettext("Access switched off."))


def _member_changed(message: str) -> BaseResponse:
    """A member's access or role changed (their sessions end, so it holds from their next request): committed."""
    db().commit()
    flash(message, "success")
    return redirect(url_for(".staff"), code=303)


@bp.post("/staff/<int:user_id>/role")
@recent_login_required
def set_role(user_id: int) -> BaseResponse | tuple[str, int]:
    """Make a member staff or admin of this provider (never oneself); the member's sessions end, so the new role
    holds from their next request."""
    who = require_role("provider_admin")
    if not authorization.may_switch_member(db(), who, user_id):
        abort(404)
    role = request.form.get("role")
    if not isinstance(role, str) or not authorization.may_grant(who, role, who.organisation_id):
        return render_template("errors/error.html", code=422, title=gettext("Nothing was changed"),
                               message=gettext("Choose one of the roles listed.")), 422
    if not staff_service.change_role(db(), who, user_id, role, request.remote_addr or ""):
        abort(404)
    return _member_changed(gettext("The role is changed; the member signs in again."))


# --- the provider's own catalogue ----------------------------------------------------------------------------

def catalogue_questionnaire() -> str:
    """The questionnaire provider catalogues are written for (PROVIDER_CATALOGUE_QUESTIONNAIRE, else the first)."""
    wanted = str(current_app.config.get("PROVIDER_CATALOGUE_QUESTIONNAIRE") or "miit-2024")
    questionnaires = site().library.questionnaires
    return wanted if wanted in questionnaires else sorted(questionnaires)[0]


def questionnaires_by_id() -> dict[str, Questionnaire]:
    """The latest version of every questionnaire, by id."""
    return {q.id: q for q in site().library.latest_questionnaires()}


def _fields() -> list[tuple[str, str, str]]:
    """(column, label, kind) of the entry form; kind is 'text', 'long' or 'choice'."""
    out = []
    for column in FORM_COLUMNS:
        base, _, lang = column.rpartition("_")
        if lang in LANGUAGES:
            label = f"{COLUMN_LABELS[base]} ({LANGUAGE_NAMES[lang]})"
        else:
            base, label = column, str(COLUMN_LABELS[column])
        out.append((column, label, "choice" if base in CHOICES else "long" if base in LONG_COLUMNS else "text"))
    return out


def _row_errors(errors: list[RowError]) -> tuple[dict[str, list[str]], list[str]]:
    beside: dict[str, list[str]] = {}
    general: list[str] = []
    for error in errors:
        if error.column in FORM_COLUMNS:
            beside.setdefault(error.column, []).append(error.message)
        else:
            general.append(str(error))
    return beside, general


@bp.get("/catalogue")
def catalogue() -> str:
    """The provider's own solutions, shown to its clients with the provider's name."""
    who = _provider()
    organisation = _organisation(who)
    return render_template("provider/catalogue.html", organisation=organisation,
                           rows=provider_catalogue.solutions(db(), organisation.id), form=ImportForm(),
                           action=ActionForm(),
                           errors=[])


def _entry_page(organisation: OrganisationRecord, cells: dict[str, str], solution_id: int | None,
                beside: dict[str, list[str]], general: list[str], status: int) -> tuple[str, int]:
    return render_template("provider/entry.html", organisation=organisation, cells=cells, fields=_fields(),
                           choices=CHOICES, solution_id=solution_id, errors=beside, general=general,
                           action=ActionForm()), status


def _save_entry(who: Principal, solution_id: int | None) -> BaseResponse | tuple[str, int]:
    organisation = _organisation(who)
    cells = {c: str(request.form.get(c, "")).replace("\r\n", "\n") for c in FORM_COLUMNS}
    try:
        provider_catalogue.save_entry(db(), organisation, questionnaires_by_id(), catalogue_questionnaire(), cells,
                                      who.user_id or 0, solution_id,
                                      max_entries=provider_catalogue.limits_of(current_app.config).rows)
    except ImportRefused as exc:
        db().rollback()
        return _entry_page(organisation, cells, solution_id, {}, [exc.problem.render(gettext)], 422)
    except CatalogueImportInvalid as exc:
        db().rollback()
        beside, general = _row_errors(exc.errors)
        return _entry_page(organisation, cells, solution_id, beside, general, 422)
    db().commit()
    flash(gettext("The entry is saved."), "success")
    return redirect(url_for(".catalogue"), code=303)


@bp.route("/catalogue/new", methods=["GET", "POST"])
def new_entry() -> BaseResponse | tuple[str, int]:
    """Add a solution to the provider's catalogue."""
    who = _provider()
    if request.method == "POST":
        return _save_entry(who, None)
    defaults = {c: "" for c in FORM_COLUMNS}
    defaults.update({"provider_type": "product", "regions": "all", "deployment": "saas", "industries": "any",
                     "sizes": "medium;small;micro", "price_model": "per_year", "listing_status": "provider_declared",
                     "version": "1.0"})
    return _entry_page(_organisation(who), defaults, None, {}, [], 200)


def _own_solution(who: Principal, solution_id: int) -> SolutionRow:
    row = provider_catalogue.own_solution(db(), who, solution_id)
    if row is None:
        abort(404)
    return row


@bp.route("/catalogue/<int:solution_id>", methods=["GET", "POST"])
def edit_entry(solution_id: int) -> BaseResponse | tuple[str, int]:
    """Change one of the provider's solutions."""
    who = _provider()
    row = _own_solution(who, solution_id)
    if request.method == "POST":
        return _save_entry(who, row.id)
    cells = {c: str(row.cells.get(c, "")) for c in FORM_COLUMNS}
    return _entry_page(_organisation(who), cells, row.id, {}, [], 200)


@bp.post("/catalogue/<int:solution_id>/delete")
def delete_entry(solution_id: int) -> BaseResponse:
    """Remove one of the provider's solutions."""
    who = _provider()
    row = _own_solution(who, solution_id)
    provider_catalogue.delete_solution(db(), who, row)
    db().commit()
    flash(gettext("The entry %(id)s is removed.", id=row.entry_id), "success")
    return redirect(url_for(".catalogue"), code=303)


@bp.post("/catalogue/import")
def import_entries() -> BaseResponse | tuple[str, int]:
    """Import solutions from a CSV or XLSX file: all or nothing, every problem named by row and column."""
    who = _provider()
    organisation = _organisation(who)
    form = ImportForm()
    upload = request.files.get("file")
    errors: list[str] = []
    if not form.validate() or upload is None or not upload.filename:
        errors.append(gettext("Choose a CSV or XLSX file."))
    else:
        try:
            count = provider_catalogue.import_file(db(), organisation, questionnaires_by_id(),
                                                   catalogue_questionnaire(), upload.filename, upload.stream,
                                                   who.user_id or 0, provider_catalogue.limits_of(current_app.config))
        except ImportRefused as exc:
            db().rollback()
            errors.append(exc.problem.render(gettext))
        except CatalogueImportInvalid as exc:
            db().rollback()
            errors.extend(str(e) for e in exc.errors)
        else:
            db().commit()
            flash(gettext("%(count)s entries imported.", count=count), "success")
            return redirect(url_for(".catalogue"), code=303)
    return render_template("provider/catalogue.html", organisation=organisation,
                           rows=provider_catalogue.solutions(db(), organisation.id), form=form, action=ActionForm(),
                           errors=errors), 422


@bp.get("/catalogue/export.csv")
def export_entries() -> Response:
    """The provider's solutions as CSV (the import's columns), with a BOM for Excel."""
    who = _provider()
    organisation = _organisation(who)
    text = "\ufeff" + provider_catalogue.export(db(), organisation)
    exported(security_log.EXPORT, what="provider_catalogue", organisation_id=organisation.id)
    return Response(text.encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="catalogue-{provider_catalogue.catalogue_id(organisation)}.csv"',
        "Cache-Control": "no-store"})


def client_catalogues(record: AssessmentRecord) -> tuple[Catalogue, ...]:
    """The own catalogues of the providers the assessment's enterprise is a client of (for its recommendations)."""
    return tuple(provider_catalogue.catalogues_for_enterprise(db(), record.enterprise_id, questionnaires_by_id(),
                                                              catalogue_questionnaire()))
