"""The assessment pages' workbook: a draft as an Excel workbook to fill in offline, and a filled-in one uploaded back
into the draft (docs/workbook.md)."""

from __future__ import annotations

import io

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext
from flask_wtf.file import FileField
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from assessment.domain.answers import N_, Problem
from assessment.services import security_log
from assessment.services.assessments import NotADraft, VersionConflict
from assessment.services.records import AssessmentRecord
from assessment.services.workbook.drafts import draft_workbook
from assessment.services.workbook.layout import DEFAULT_LIMITS, MIB, profile_sheet_name
from assessment.services.workbook.reading import CellProblem, WorkbookInvalid
from assessment.services.workbook.uploads import upload_workbook
from assessment.web.access import accessible, content_of, user_id
from assessment.web.assess import review_page
from assessment.web.bodies import readable_body
from assessment.web.database import db
from assessment.web.forms import VersionedForm
from assessment.web.language import current_language
from assessment.web.security_log import exported
from assessment.web.site import site

bp = Blueprint("workbooks", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_ENDPOINT = "workbooks.upload"
UPLOAD_MARGIN = 64 * 1024
"""Room for the form's other fields and the multipart framing, so that a file just over the reader's cap still
reaches the reader and gets its message."""
NAME_SHOWN = 100


class WorkbookUploadForm(VersionedForm):
    """A filled-in workbook to replace the draft's answers, with the draft version the page showed."""

    workbook = FileField()


@bp.record_once
def _body_limit_first(state: BlueprintSetupState) -> None:
    """The upload's body limit is set before the CSRF check reads the body."""
    state.app.before_request_funcs.setdefault(None, []).insert(0, _body_limit)


@bp.app_context_processor
def _upload_limit() -> dict[str, int]:
    """The largest workbook the review page's upload takes, in MB."""
    return {"upload_megabytes": DEFAULT_LIMITS.file_bytes // MIB}


def _body_limit() -> None:
    if request.endpoint == UPLOAD_ENDPOINT:
        request.max_content_length = DEFAULT_LIMITS.file_bytes + UPLOAD_MARGIN


def _submitted(record: AssessmentRecord) -> BaseResponse:
    flash(gettext("This assessment is submitted and can no longer be changed. Start a re-assessment to update "
                  "it."), "info")
    return redirect(url_for("results.show", assessment_id=record.id), code=303)


@bp.get("/assess/<int:assessment_id>/workbook.xlsx")
def draft(assessment_id: int) -> Response | BaseResponse:
    """The draft (the enterprise's own or a provider's client's) as a workbook pre-filled with its answers."""
    record = accessible(assessment_id)
    if not record.draft:
        return _submitted(record)
    questionnaire, _model = content_of(record)
    content = draft_workbook(db(), record, questionnaire, current_language())
    exported(security_log.EXPORT, what="workbook", assessment_id=record.id)
    return Response(content, mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="assessment-{record.id}.xlsx"', "Cache-Control": "no-store"})


def _listed(problems: list[CellProblem], filename: str) -> list[str]:
    """Each problem as `sheet!cell: reason` in the page's language (the file's name for the whole file)."""
    shown = []
    for found in problems:
        where = f"{found.sheet}!{found.cell}" if found.sheet and found.cell else found.sheet or filename
        reason = found.problem.render(gettext)
        shown.append(gettext("%(label)s: %(detail)s", label=where, detail=reason) if where else reason)
    return shown


def _refused(record: AssessmentRecord, status: int, problems: list[str]) -> tuple[str, int]:
    db().rollback()
    questionnaire, _model = content_of(record)
    return review_page(record, questionnaire, status, upload_problems=problems)


def _whole(message: str, **params: object) -> list[CellProblem]:
    return [CellProblem("", "", Problem(None, "upload", message, dict(params)))]


@bp.post("/assess/<int:assessment_id>/workbook")
def upload(assessment_id: int) -> BaseResponse | tuple[str, int]:
    """Replace the draft's answers (and profile) with a filled-in workbook's, or list every problem and write
    nothing."""
    record = accessible(assessment_id)
    if not record.draft:
        return _submitted(record)
    questionnaire, _model = content_of(record)
    form = WorkbookUploadForm()
    file = form.workbook.data
    filename = (getattr(file, "filename", "") or "")[:NAME_SHOWN]
    if not filename:
        return _refused(record, 422, _listed(_whole(N_("Choose the filled-in workbook (.xlsx) first.")), ""))
    try:
        stream = io.BytesIO(file.stream.read(DEFAULT_LIMITS.file_bytes + 1))
    finally:
        file.close()
    try:
        done = upload_workbook(db(), record, questionnaire, stream, form.posted_version(), site().regions,
                               site().industries, profile_sheet=profile_sheet_name(gettext), user_id=user_id())
    except WorkbookInvalid as exc:
        return _refused(record, 422, _listed(exc.problems, filename))
    except VersionConflict as exc:
        return _refused(exc.current, 409, _listed(_whole(N_(
            "This assessment was changed in another tab or on another device since this page was shown. Nothing "
            "was taken over; the page now shows what was saved. Upload the workbook again to replace it.")), ""))
    except NotADraft:
        db().rollback()
        return _submitted(record)
    db().commit()
    flash(gettext("%(count)s answers were taken over from the workbook.", count=done.answers), "success")
    if done.profile_skipped:
        flash(gettext("The enterprise profile in the workbook was not taken over: fill in the profile page first "
                      "(it needs the number of employees and the revenue)."), "info")
    # the form's address ends in #workbook-upload (a refusal shows its problems there); a redirect would keep it
    return redirect(url_for("assess.review", assessment_id=record.id, _anchor="main"), code=303)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> BaseResponse | tuple[str, int] | HTTPException:
    """A body above the upload's limit: the field's message on the review page, nothing written."""
    readable_body(request)
    try:
        record = accessible(int((request.view_args or {}).get("assessment_id", 0)))
    except HTTPException as refused:
        return refused
    if not record.draft:
        return _submitted(record)
    return _refused(record, 413, _listed(_whole(N_("the file is larger than {limit} MB"),
                                                limit=DEFAULT_LIMITS.file_bytes // MIB), ""))
