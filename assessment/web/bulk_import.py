"""The `bulk_import` journey: a provider uploads one file of many enterprises (a template to download), chooses
invitations or attested on-site results, and follows the import as a job; its summary lists accepted and rejected
rows (`row N, column X: reason`) and gives the rejected rows as CSV to fix and upload again (docs/bulk-import.md).

Provider staff and admins only, as the door (services/authorization.py) decides; a job is its owner's alone.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import FileField, RadioField, SelectField

from assessment.domain.answers import Problem
from assessment.domain.numbers import ID_MAX, read_whole
from assessment.domain.questionnaire import Questionnaire
from assessment.services import jobs, security_log
from assessment.services import staff as staff_service
from assessment.services.authorization import Principal, Refused
from assessment.services.bulk_import.carrying import ImportContext, Outcome, RowRefused
from assessment.services.bulk_import.columns import template_csv, template_xlsx
from assessment.services.bulk_import.importing import Summary, rejected_csv, start_import, summary
from assessment.services.bulk_import.rows import MAX_BYTES, MAX_ROWS, FileRefused
from assessment.web.database import db
from assessment.web.jobs import queue
from assessment.web.language import current_language
from assessment.web.provider import catalogue_questionnaire
from assessment.web.security_log import exported
from assessment.web.site import site
from assessment.web.tenancy import clock, refuse, require_role

bp = Blueprint("bulk_import", __name__, url_prefix="/provider/import")
UPLOAD_ENDPOINT = "bulk_import.start"
UPLOAD_MARGIN = 64 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MODE_NAMES = {"invite": lazy_gettext("Invite each enterprise (it accepts; a draft holds the answers)"),
              "onsite": lazy_gettext("Record on-site assessments I attest (submitted results, assessor named)")}


class ImportEnterprisesForm(FlaskForm):  # type: ignore[misc]
    """One file of many enterprises, the questionnaire, the mode and the assessor (on-site mode)."""

    questionnaire = SelectField(lazy_gettext("Questionnaire"), validate_choice=False)
    mode = RadioField(lazy_gettext("What each row becomes"), validate_choice=False, default="invite")
    assessor = SelectField(lazy_gettext("Assessor (on-site mode)"), validate_choice=False)
    file = FileField(lazy_gettext("CSV or XLSX file"))


@bp.record_once
def _body_limit_first(state: BlueprintSetupState) -> None:
    """The upload's body limit is set before the CSRF check reads the body."""
    state.app.before_request_funcs.setdefault(None, []).insert(0, _body_limit)


def _body_limit() -> None:
    if request.endpoint == UPLOAD_ENDPOINT:
        request.max_content_length = MAX_BYTES + UPLOAD_MARGIN


def _provider() -> Principal:
    return require_role("provider_staff", "provider_admin")


def _context() -> ImportContext:
    found = site()
    return ImportContext(found.library, found.region_list, found.industry_list)


def _questionnaires() -> list[Questionnaire]:
    """The latest questionnaires, the one providers work with first (preselected)."""
    first = catalogue_questionnaire()
    return sorted(site().library.latest_questionnaires(), key=lambda q: (q.id != first, q.id))


def _form(who: Principal) -> ImportEnterprisesForm:
    form = ImportEnterprisesForm()
    lang = current_language()
    form.questionnaire.choices = [(q.ref, q.title.get(lang) or q.id) for q in _questionnaires()]
    if not form.questionnaire.data and form.questionnaire.choices:
        form.questionnaire.data = form.questionnaire.choices[0][0]
    form.mode.choices = [(key, str(name)) for key, name in MODE_NAMES.items()]
    members = [m for m in staff_service.members(db(), who.organisation_id or 0) if m.active]
    form.assessor.choices = [("", gettext("Choose the assessor"))] + [
        (str(m.id), m.display_name or m.email or str(m.id)) for m in members]
    return form


def problem_text(problem: Problem) -> str:
    """A problem's message in the page's language."""
    return problem.render(gettext)


def row_text(outcome: Outcome) -> str:
    """`row N, column X: reason; …` for a rejected row."""
    between = "；" if current_language() == "zh" else "; "  # Chinese punctuation in Chinese
    return between.join(
        gettext("row %(row)d, column %(column)s: %(reason)s", row=outcome.row, column=column or "—",
                reason=gettext(message).format(**params)) for column, message, params in outcome.problems)


def _page(form: ImportEnterprisesForm, status: int = 200) -> tuple[str, int]:
    return render_template("provider/import.html", form=form, most_rows=MAX_ROWS, megabytes=MAX_BYTES // 1024 // 1024,
                           questionnaire=_questionnaires()[0] if _questionnaires() else None), status


def _posted(form: ImportEnterprisesForm) -> tuple[str, str, int | None]:
    """The chosen questionnaire, mode and assessor, with each field's message where it is not one of the choices."""
    ref, mode = str(form.questionnaire.data or ""), str(form.mode.data or "")
    if ref not in {key for key, _ in form.questionnaire.choices}:
        form.questionnaire.errors = [gettext("Choose one of the questionnaires listed.")]
    if mode not in MODE_NAMES:
        form.mode.errors = [gettext("Choose invitations or on-site results.")]
    assessor = read_whole(str(form.assessor.data or ""), 1, ID_MAX)
    if mode == "onsite" and assessor is None:
        form.assessor.errors = [gettext("Choose the assessor from your organisation's staff.")]
    return ref, mode, assessor


def _upload() -> tuple[bytes | None, str]:
    """The uploaded file's content (at most one byte over the cap, so the reader names the cap) and name; the
    request's temporary file is closed at once."""
    upload = request.files.get("file")
    if upload is None:
        return None, ""
    try:
        content = upload.stream.read(MAX_BYTES + 1)
    finally:
        upload.close()
    return (content, upload.filename or "") if upload.filename else (None, "")


@bp.route("", methods=["GET", "POST"])
def start() -> BaseResponse | tuple[str, int]:
    """The upload form; a valid file is queued as a job and the job's page follows its progress."""
    who = _provider()
    form = _form(who)
    if request.method == "GET":
        return _page(form)
    content, filename = _upload()
    if not form.validate():
        return _page(form, 422)
    ref, mode, assessor = _posted(form)
    if content is None:
        form.file.errors = [gettext("Choose a CSV or XLSX file.")]
    if form.questionnaire.errors or form.mode.errors or form.assessor.errors or content is None:
        return _page(form, 422)
    try:
        job_id = start_import(db(), who, _context(), queue().runner.folder, content, filename, ref, mode, assessor,
                              datetime.fromtimestamp(clock(), UTC))
    except FileRefused as refused:
        form.file.errors = [problem_text(refused.problem)]
    except RowRefused as refused:
        form.assessor.errors = [problem_text(refused.problem)]
    except Refused:
        abort(404)
    else:
        db().commit()
        queue().enqueue(job_id)
        return redirect(url_for("jobs.show", job_id=job_id), code=303)
    db().rollback()
    return _page(form, 422)


@bp.get("/template.<any(csv, xlsx):kind>")
def template(kind: str) -> Response:
    """The template of a questionnaire: the column ids, then headers in the page's language."""
    _provider()
    wanted = request.args.get("questionnaire", "")[:120]
    found = next((q for q in _questionnaires() if q.ref == wanted), None) or _questionnaires()[0]
    lang = current_language()
    body, mimetype = ((template_csv(found, lang), "text/csv") if kind == "csv" else (template_xlsx(found, lang), XLSX))
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="enterprises-{found.id}-{found.version}.{kind}"'})


def _summary(job_id: int) -> tuple[jobs.JobRecord, Summary]:
    who = _provider()
    job = jobs.own_job(db(), who, job_id)
    if job is None or job.kind != jobs.BULK_IMPORT:
        refuse("job", job_id)
    path = jobs.result_file(db(), who, job_id, queue().runner.folder)
    if path is None:
        refuse("job", job_id)
    return job, summary(path)


@bp.get("/<int:job_id>")
def show(job_id: int) -> str:
    """A finished import: accepted rows (with invitation links to send) and rejected rows with their reasons."""
    job, done = _summary(job_id)
    return render_template("provider/import_summary.html", job=job, done=done, row_text=row_text,
                           created_names=CREATED_NAMES)


@bp.get("/<int:job_id>/rejected.csv")
def rejected(job_id: int) -> Response:
    """The rejected rows as they were, with the reasons in a last column, to fix and upload again."""
    _job, done = _summary(job_id)
    exported(security_log.EXPORT, what="bulk_import_rejected", job_id=job_id)
    body = rejected_csv(done, row_text, gettext("Why the row was rejected"))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="rejected-{job_id}.csv"', "Cache-Control": "no-store"})


CREATED_NAMES = {"invitation": lazy_gettext("Invitation (the enterprise accepts it)"),
                 "draft": lazy_gettext("Guided draft for your client"),
                 "onsite": lazy_gettext("Submitted on-site result")}
