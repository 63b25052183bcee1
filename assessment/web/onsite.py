"""The guided and on-site journey: the assessment's workspace, the interview page per section with the evidence
typically asked for, evidence notes and files, the assessor's validated answers, the audit trail, submission."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from assessment.content.catalogue_sheets import DEFAULT_LIMITS
from assessment.domain.answers import Problem, visible_items
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire, Section
from assessment.domain.scoring import Scorecard
from assessment.reporting.data import Validation, ValidationDifference
from assessment.services import assessments, evidence, onsite, progress, respondents
from assessment.services.assessments import Incomplete, VersionConflict
from assessment.services.authorization import conducts, may_edit_answers, may_validate
from assessment.services.evidence import EvidenceRejected
from assessment.services.onsite import ChangeRefused, ResultWorkspace
from assessment.services.records import AssessmentRecord, AuditEntry, EvidenceFileRecord
from assessment.services.storage import EVIDENCE_STORAGE, Storage
from assessment.web.access import content_of, workspace_record
from assessment.web.database import db
from assessment.web.forms import VersionedActionForm
from assessment.web.language import current_language
from assessment.web.main import http_error
from assessment.web.problems import FieldError, item_message
from assessment.web.provider_forms import NoteForm, ReasonForm, UploadForm, posted_value
from assessment.web.site import site
from assessment.web.tenancy import actor, principal

bp = Blueprint("onsite", __name__)

UPLOAD_ENDPOINTS = ("onsite.upload",)
SECTION_ENDPOINT = "onsite.save_section"
SECTION_FILES = 5  # files one section's page may carry in one request
IMPORT_ENDPOINT = "provider.import_entries"
UPLOAD_MARGIN = 256 * 1024


def evidence_storage() -> Storage:
    """Where evidence files are kept, outside the database, as create_app chose (EVIDENCE_DIR or ASSESSMENT_S3_*)."""
    found: Storage = current_app.extensions[EVIDENCE_STORAGE]
    return found


def max_bytes() -> int:
    """The largest evidence file accepted (EVIDENCE_MAX_BYTES)."""
    return int(current_app.config["EVIDENCE_MAX_BYTES"])


def _provider_of(record: AssessmentRecord) -> bool:
    """Whether the visitor is staff of the provider conducting this assessment (asked at the door)."""
    return conducts(db(), principal(), record)


def _section(questionnaire: Questionnaire, section_id: str) -> Section:
    section = next((s for s in questionnaire.sections if s.id == section_id), None)
    if section is None:
        abort(404)
    return section


def _shown(questionnaire: Questionnaire, record: AssessmentRecord) -> set[str]:
    """The items the saved answers show (display conditions)."""
    if not questionnaire.has_conditions:
        return set(questionnaire.item_index)
    answers = assessments.draft_answers(questionnaire, record)
    return {i.id for i in visible_items(questionnaire, answers.values)}


@dataclass(frozen=True)
class ItemView:
    """One item on the interview page: the answers, the evidence asked for and given, the validation."""

    item: Any
    self_reported: str
    validated: AuditEntry | None
    validated_text: str
    note: str
    files: tuple[EvidenceFileRecord, ...]


# --- the workspace -------------------------------------------------------------------------------------------

@bp.get("/assessments/<int:assessment_id>/workspace")
def workspace(assessment_id: int) -> tuple[str, int]:
    """An assessment's workspace: its mode and conduct, the sections to go through, respondents, divergence, trail."""
    return _workspace(workspace_record(assessment_id))


def _workspace(record: AssessmentRecord, unconfirmed: str = "") -> tuple[str, int]:
    """The workspace page; `unconfirmed` is the message beside the submit confirmation when it was not ticked."""
    questionnaire, _model = content_of(record)
    answers = assessments.draft_answers(questionnaire, record)
    completion = assessments.completion(questionnaire, answers)
    name, organisation = onsite.assessor_of(db(), record)
    validated = onsite.validations(db(), record.id) if record.mode == "onsite" else {}
    with_evidence = evidence.item_ids_with_evidence(db(), record.id)
    profile = onsite.enterprise_of(db(), record)
    form = VersionedActionForm()
    form.version.data = str(record.version)
    return render_template(
        "onsite/workspace.html", record=record, questionnaire=questionnaire, completion=completion,
        assessor=name, organisation=organisation, validated=validated, with_evidence=with_evidence,
        enterprise=profile, provider_view=_provider_of(record), form=form,
        respondents=respondents.people(db(), record.id),
        may_edit=may_edit_answers(principal(), record), unconfirmed=unconfirmed,
    ), 422 if unconfirmed else 200


# --- the interview page --------------------------------------------------------------------------------------

def _interview(record: AssessmentRecord, questionnaire: Questionnaire, section: Section, *,
               errors: dict[str, list[str]] | None = None, kept: dict[str, dict[str, Any]] | None = None,
               status: int = 200) -> tuple[str, int]:
    lang = current_language()
    validated = onsite.validations(db(), record.id)
    notes = evidence.notes(db(), record.id)
    files = evidence.files(db(), record.id)
    shown = _shown(questionnaire, record)
    views = []
    for item in section.items:
        if item.id not in shown:
            continue
        entry = validated.get(item.id)
        views.append(ItemView(
            item, onsite.answer_label(questionnaire, item.id, record.answers.get(item.id), lang), entry,
            onsite.answer_label(questionnaire, item.id, entry.value, lang) if entry else "",
            notes[item.id].text if item.id in notes else "",
            tuple(f for f in files if f.item_id == item.id)))
    summary = []
    for item_id, messages in (errors or {}).items():
        for message in messages:
            summary.append(FieldError(f"item-{item_id}", item_id, message))
    position = [s.id for s in questionnaire.sections].index(section.id)
    sections = questionnaire.sections
    return render_template(
        "onsite/interview.html", record=record, questionnaire=questionnaire, section=section, views=views,
        errors=errors or {}, kept=kept or {}, summary=summary, provider_view=_provider_of(record),
        may_edit=may_edit_answers(principal(), record),
        previous_section=sections[position - 1] if position > 0 else None,
        next_section=sections[position + 1] if position + 1 < len(sections) else None,
        note_form=NoteForm(), upload_form=UploadForm(), reason_form=ReasonForm(),
        evidence_open=evidence.evidence_refusal(record) is None, note_max=evidence.NOTE_MAX_CHARS,
        may_validate=record.draft and record.mode == "onsite" and may_validate(db(), principal(), record),
        max_megabytes=round(max_bytes() / 1024 / 1024, 1), file_types=sorted(evidence.FILE_TYPES),
    ), status


@bp.get("/assessments/<int:assessment_id>/interview/<section_id>")
def interview(assessment_id: int, section_id: str) -> tuple[str, int]:
    """One section in interview mode: per item the answer, the evidence typically asked for, notes and files,
    and on site the assessor's validated answer."""
    record = workspace_record(assessment_id)
    questionnaire, _model = content_of(record)
    return _interview(record, questionnaire, _section(questionnaire, section_id))


def _item_section(questionnaire: Questionnaire, item_id: str) -> Section:
    section = next((s for s in questionnaire.sections if any(i.id == item_id for i in s.items)), None)
    if section is None:
        abort(404)
    return section


def _back(record: AssessmentRecord, section: Section, item_id: str) -> BaseResponse:
    return redirect(url_for(".interview", assessment_id=record.id, section_id=section.id) + f"#item-{item_id}",
                    code=303)


def _problem_text(problem: Problem, questionnaire: Questionnaire) -> str:
    item = questionnaire.item(problem.item or "")
    if item is not None and problem.code not in ("reason", "unchanged", "note_long", "file_type", "file_size",
                                                   "file_empty", "file_content", "file_count", "evidence_mode",
                                                   "evidence_frozen"):
        return item_message(problem, item, current_language())
    return problem.render(gettext)


@bp.post("/assessments/<int:assessment_id>/interview/<section_id>")
def save_section(assessment_id: int, section_id: str) -> BaseResponse | tuple[str, int]:
    """Save all a section's interview page holds, whichever button was pressed: notes, files, removal, validations."""
    record = workspace_record(assessment_id)
    questionnaire, _model = content_of(record)
    section = _section(questionnaire, section_id)
    if not NoteForm().validate():
        abort(400)
    items = [i for i in section.items if i.id in _shown(questionnaire, record)]
    errors: dict[str, list[str]] = {}
    kept: dict[str, dict[str, Any]] = {}
    if evidence.evidence_refusal(record) is None:
        _save_notes(record, questionnaire, items, errors, kept)
        for item in items:
            chosen = request.files.get(f"file-{item.id}")
            if chosen is not None and chosen.filename and (refused := _attach(record, item.id, chosen)):
                errors.setdefault(item.id, []).append(refused.render(gettext))
        removed = _remove(record, int(asked)) if (asked := request.form.get("remove", "")).isdigit() else None
        if isinstance(removed, Problem):
            errors.setdefault(removed.item or "", []).append(removed.render(gettext))
    if record.draft and record.mode == "onsite" and may_validate(db(), principal(), record):
        _save_validations(record, questionnaire, items, errors, kept)
    if errors:
        return _interview(record, questionnaire, section, errors=errors, kept=kept, status=422)
    flash(gettext("Everything on this page is saved."), "success")
    pressed = request.form.get("item") or request.form.get("validate", "")
    return redirect(url_for(".interview", assessment_id=record.id, section_id=section.id)
                    + (f"#item-{pressed}" if any(i.id == pressed for i in items) else ""), code=303)


def _save_notes(record: AssessmentRecord, questionnaire: Questionnaire, items: list[Any],
                errors: dict[str, list[str]], kept: dict[str, dict[str, Any]]) -> None:
    texts = {i.id: request.form[f"note-{i.id}"] for i in items if f"note-{i.id}" in request.form}
    refused = evidence.save_notes(db(), record, questionnaire, texts, actor())
    db().commit()
    for item_id, problems in refused.items():
        errors.setdefault(item_id, []).extend(_problem_text(p, questionnaire) for p in problems)
        kept.setdefault(item_id, {})["note"] = texts[item_id]


def _attach(record: AssessmentRecord, item_id: str, storage: Any) -> Problem | None:
    """Store a chosen file as evidence for an item and commit it; the problem if refused."""
    try:
        evidence.store_evidence(db(), evidence_storage(), record, item_id, storage.filename, storage.stream, actor(),
                                evidence.EvidenceQuotas.of(current_app.config))
    except EvidenceRejected as exc:
        db().rollback()
        return exc.problem
    db().commit()
    return None


def _remove(record: AssessmentRecord, file_id: int) -> EvidenceFileRecord | Problem | None:
    """Remove an evidence file, its bytes once the removal is committed; the problem if refused, None if absent."""
    try:
        file = evidence.remove_evidence(db(), record, file_id, actor(), request.remote_addr or "")
    except LookupError:
        return None
    except EvidenceRejected as exc:
        db().rollback()
        return exc.problem
    db().commit()
    if not evidence.discard_evidence(evidence_storage(), file):
        current_app.logger.error("evidence file %s of assessment %s: removed, but its bytes (%s) could not be deleted",
                                 file.id, record.id, file.storage_key)
    return file


def _save_validations(record: AssessmentRecord, questionnaire: Questionnaire, items: list[Any],
                      errors: dict[str, list[str]], kept: dict[str, dict[str, Any]]) -> None:
    """The validated answer of the item whose button was pressed, and of every item given a reason."""
    pressed = request.form.get("validate", "")
    for item in items:
        reason = request.form.get(f"reason-{item.id}", "")
        if item.id != pressed and not reason.strip():
            continue
        raw = posted_value(item, request.form, f"value-{item.id}")
        try:
            onsite.validate(db(), questionnaire, record, item.id, raw, reason, actor())
        except ChangeRefused as exc:
            db().rollback()
            errors.setdefault(item.id, []).extend(_problem_text(p, questionnaire) for p in exc.problems)
            kept.setdefault(item.id, {}).update(reason=reason, value=raw)
            continue
        db().commit()


@bp.post("/assessments/<int:assessment_id>/items/<item_id>/note")
def save_note(assessment_id: int, item_id: str) -> BaseResponse | tuple[str, int]:
    """Save an item's evidence note (earlier versions are kept)."""
    record = workspace_record(assessment_id)
    questionnaire, _model = content_of(record)
    section = _item_section(questionnaire, item_id)
    form = NoteForm()
    if not form.validate():
        abort(400)
    try:
        evidence.save_note(db(), record, questionnaire, item_id, form.note.data or "", actor())
    except ChangeRefused as exc:
        db().rollback()
        return _interview(record, questionnaire, section, errors={
            item_id: [_problem_text(p, questionnaire) for p in exc.problems]},
            kept={item_id: {"note": form.note.data or ""}}, status=422)
    db().commit()
    flash(gettext("The note on %(item)s is saved.", item=item_id), "success")
    return _back(record, section, item_id)


@bp.post("/assessments/<int:assessment_id>/items/<item_id>/files")
def upload(assessment_id: int, item_id: str) -> BaseResponse | tuple[str, int]:
    """Attach a file as evidence for an item of a guided or on-site draft: allowed types only, within the quotas,
    stored with its SHA-256."""
    record = workspace_record(assessment_id)
    questionnaire, _model = content_of(record)
    section = _item_section(questionnaire, item_id)
    refusal = evidence.evidence_refusal(record, item_id)
    if refusal is not None:
        return _interview(record, questionnaire, section, errors={item_id: [refusal.render(gettext)]}, status=422)
    upload_form = UploadForm()
    upload_form.validate()
    storage = request.files.get("file")
    if storage is None or not storage.filename:
        return _interview(record, questionnaire, section, errors={item_id: [gettext("Choose a file to attach.")]},
                          status=422)
    refused = _attach(record, item_id, storage)
    if refused is not None:
        return _interview(record, questionnaire, section, errors={item_id: [refused.render(gettext)]},
                          status=413 if refused.code == "file_size" else 422)
    flash(gettext("The file %(name)s is attached to %(item)s.", name=evidence.safe_filename(storage.filename),
                  item=item_id), "success")
    return _back(record, section, item_id)


@bp.post("/assessments/<int:assessment_id>/files/<int:file_id>/remove")
def remove_file(assessment_id: int, file_id: int) -> BaseResponse | tuple[str, int]:
    """Remove an evidence file from a guided or on-site draft, its bytes too; refused once submitted."""
    record = workspace_record(assessment_id)
    questionnaire, _model = content_of(record)
    file = _remove(record, file_id)
    if file is None:
        abort(404)
    if isinstance(file, Problem):
        item_id = file.item or ""
        return _interview(record, questionnaire, _item_section(questionnaire, item_id),
                          errors={item_id: [file.render(gettext)]}, status=422)
    flash(gettext("The file %(name)s is removed from %(item)s.", name=file.filename, item=file.item_id), "success")
    return _back(record, _item_section(questionnaire, file.item_id), file.item_id)


@bp.get("/assessments/<int:assessment_id>/files/<int:file_id>")
def download(assessment_id: int, file_id: int) -> Response:
    """An evidence file, to those who may open the assessment: as an attachment, never shown inline."""
    record = workspace_record(assessment_id)
    file = evidence.file_of(db(), record, file_id)
    if file is None:
        abort(404)
    content = evidence.verified_evidence(evidence_storage(), file)  # streamed through the app, never a redirect
    if content is None:
        current_app.logger.error("evidence file %s of assessment %s is missing or altered", file.id, record.id)
        abort(410)
    response = send_file(content, mimetype=file.content_type, as_attachment=True, download_name=file.filename,
                         max_age=0, etag=file.sha256, last_modified=file.uploaded_at)
    response.content_length = file.size  # a stream from the storage: werkzeug cannot know its length
    response.headers["Cache-Control"] = "no-store"  # personal data: no copy in any cache (send_file set no-cache)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Digest"] = f"sha-256={file.sha256}"
    return response


@bp.post("/assessments/<int:assessment_id>/items/<item_id>/validation")
def validate(assessment_id: int, item_id: str) -> BaseResponse | tuple[str, int]:
    """Record the assessor's validated answer beside the self-reported one, with the reason (audit-trailed)."""
    record = workspace_record(assessment_id)
    if not may_validate(db(), principal(), record):
        abort(404)
    if not record.draft:
        flash(gettext("This assessment is submitted; its answers can no longer be changed."), "info")
        return redirect(url_for("results.show", assessment_id=record.id), code=303)
    questionnaire, _model = content_of(record)
    section = _item_section(questionnaire, item_id)
    item = questionnaire.item(item_id)
    assert item is not None
    form = ReasonForm()
    form.validate()
    raw = posted_value(item, request.form)
    try:
        onsite.validate(db(), questionnaire, record, item_id, raw, form.reason.data or "", actor())
    except ChangeRefused as exc:
        db().rollback()
        return _interview(record, questionnaire, section, errors={
            item_id: [_problem_text(p, questionnaire) for p in exc.problems]},
            kept={item_id: {"reason": form.reason.data or "", "value": raw}}, status=422)
    db().commit()
    flash(gettext("The validated answer to %(item)s is recorded.", item=item_id), "success")
    return _back(record, section, item_id)


@bp.post("/assessments/<int:assessment_id>/submit-validated")
def submit(assessment_id: int) -> BaseResponse | tuple[str, int]:
    """Submit an on-site assessment, once confirmed: scored with the validated answers, the self-report kept beside them."""
    record = workspace_record(assessment_id)
    if not may_validate(db(), principal(), record):
        abort(404)
    if not record.draft:
        return redirect(url_for("results.show", assessment_id=record.id), code=303)
    if request.form.get("confirm") != "yes":  # the box is required in the browser; a request without it changes nothing
        return _workspace(record, gettext("Tick this box to confirm that you have checked the validated answers."))
    questionnaire, model = content_of(record)
    form = VersionedActionForm()
    try:
        onsite.submit_onsite(db(), questionnaire, model, record.id, form.posted_version(), actor())
    except Incomplete as exc:
        db().rollback()
        lang = current_language()
        for problem in exc.problems:
            item = questionnaire.item(problem.item or "")
            flash(gettext("%(label)s: %(detail)s", label=problem.item, detail=item_message(problem, item, lang))
                  if item else problem.render(gettext),
                  "error")
        return redirect(url_for(".workspace", assessment_id=record.id), code=303)
    except VersionConflict:
        db().rollback()
        flash(gettext("The answers were changed meanwhile. Check them, then submit again."), "error")
        return redirect(url_for(".workspace", assessment_id=record.id), code=303)
    db().commit()
    return redirect(url_for("results.show", assessment_id=record.id), code=303)


@bp.get("/assessments/<int:assessment_id>/audit")
def audit(assessment_id: int) -> str:
    """The audit trail: who changed which answer, when, from what to what, and why. It cannot be edited."""
    record = workspace_record(assessment_id)
    questionnaire, _model = content_of(record)
    return render_template("onsite/audit.html", record=record,
                           lines=onsite.trail(db(), questionnaire, record.id, current_language()))


# --- what the results page shows -----------------------------------------------------------------------------

def result_workspace(record: AssessmentRecord, questionnaire: Questionnaire) -> ResultWorkspace | None:
    """What the results page adds for guided and on-site results and for enterprises with several results."""
    if principal().user_id is None:
        return None
    return onsite.result_workspace(db(), questionnaire, record, current_language())


@bp.app_context_processor
def result_context() -> dict[str, object]:
    """`result_workspace(record, questionnaire)` for the results page."""
    return {"result_workspace": result_workspace}


def import_max_bytes() -> int:
    """The largest catalogue file a provider may import (CATALOGUE_IMPORT_MAX_BYTES)."""
    return int(current_app.config["CATALOGUE_IMPORT_MAX_BYTES"])


def body_limit() -> None:
    """Evidence uploads and catalogue imports may be larger than other requests, each up to its own limit
    (checked before the CSRF check reads the body)."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = max_bytes() + UPLOAD_MARGIN
    elif request.endpoint == SECTION_ENDPOINT:
        request.max_content_length = SECTION_FILES * max_bytes() + UPLOAD_MARGIN
    elif request.endpoint == IMPORT_ENDPOINT:
        request.max_content_length = import_max_bytes() + UPLOAD_MARGIN


def too_large(error: RequestEntityTooLarge) -> tuple[str, int] | RequestEntityTooLarge:
    """A file above the request limit: say how large a file may be."""
    # The body is not read again: forms built while rendering the page (the header's logout button) see none.
    setattr(request, "form", ImmutableMultiDict())  # noqa: B010 (werkzeug's cached property takes the value)
    setattr(request, "files", ImmutableMultiDict())  # noqa: B010
    if request.endpoint == IMPORT_ENDPOINT:
        return render_template("errors/error.html", code=413, title=gettext("The file is too large"),
                               message=gettext("Files up to %(megabytes)s MB can be imported. Nothing was imported; "
                                               "go back and choose a smaller file.",
                                               megabytes=round(import_max_bytes() / 1024 / 1024, 1))), 413
    if request.endpoint in UPLOAD_ENDPOINTS or request.endpoint == SECTION_ENDPOINT:
        return render_template("errors/error.html", code=413, title=gettext("The file is too large"),
                               message=gettext("Files up to %(megabytes)s MB can be attached. Nothing was saved; "
                                               "go back and choose a smaller file.",
                                               megabytes=round(max_bytes() / 1024 / 1024, 1))), 413
    result = http_error(error)
    return result if isinstance(result, tuple) else error


def init_app(app: Flask) -> None:
    """Let uploads through the body limit, and explain a file that is too large."""
    app.config.setdefault("EVIDENCE_MAX_BYTES", evidence.DEFAULT_MAX_BYTES)
    app.config.setdefault("CATALOGUE_IMPORT_MAX_BYTES", DEFAULT_LIMITS.file_bytes)
    app.config.setdefault("CATALOGUE_MAX_ENTRIES", DEFAULT_LIMITS.rows)
    app.before_request_funcs.setdefault(None, []).insert(0, body_limit)
    app.register_error_handler(RequestEntityTooLarge, too_large)


def report_extras(record: AssessmentRecord, questionnaire: Questionnaire, model: ScoringModel, card: Scorecard,
                  lang: str) -> dict[str, Any]:
    """What the PDF report adds from the workspace: assessor, validation, evidence notes, the previous result."""
    name, organisation = onsite.assessor_of(db(), record)
    summary = onsite.validation_summary(db(), questionnaire, record, lang)
    validation = None
    if summary is not None:
        validation = Validation(summary.assessor_name, summary.assessor_org, summary.checked, tuple(
            ValidationDifference(d.question, d.self_reported, d.validated, d.reason) for d in summary.differences))
    previous = progress.report_previous(db(), record, questionnaire, model, card, site().questionnaire,
                                        site().model, lang)
    return {"assessor_name": name, "assessor_org": organisation, "validation": validation,
            "evidence": evidence.evidence_notes(db(), record), "previous": previous}
