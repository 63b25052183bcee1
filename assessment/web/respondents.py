"""The respondents journey: invite several people of an enterprise by link to answer their sections (or all),
their answering pages, the divergence view per item, and the consolidated answer with its reason."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response as BaseResponse

from assessment.domain.questionnaire import Questionnaire, Section
from assessment.services import onsite, respondents
from assessment.services.assessments import NotADraft, VersionConflict
from assessment.services.authorization import secret_of_token
from assessment.services.onsite import ChangeRefused
from assessment.services.records import AssessmentRecord, RespondentRecord
from assessment.services.respondents import RespondentConflict
from assessment.web.access import content_of, workspace_record
from assessment.web.database import db
from assessment.web.forms import ActionForm, step_form_class, step_initial, step_input
from assessment.web.language import current_language
from assessment.web.problems import FieldError, item_message, step_errors
from assessment.web.provider_forms import ReasonForm, RespondentForm, posted_value
from assessment.web.questions import computed, item_state, questions_html
from assessment.web.security import limiter, resume_limit
from assessment.web.tenancy import actor, principal

bp = Blueprint("respondents", __name__)

GRANTED = "respondents"
NEW_LINK = "new_respondent_link"


def _team_record(assessment_id: int) -> AssessmentRecord:
    """The assessment, for a logged-in account that may open it."""
    return workspace_record(assessment_id)


def _index_page(record: AssessmentRecord, questionnaire: Questionnaire, form: RespondentForm,
                status: int = 200, link: str | None = None) -> tuple[str, int]:
    form.sections.choices = [(s.id, s.title.get(current_language()) or s.id) for s in questionnaire.sections
                             if s.items]
    return render_template("respondents/index.html", record=record, questionnaire=questionnaire, form=form,
                           people=respondents.people(db(), record.id), link=link, action=ActionForm()), status


@bp.route("/assessments/<int:assessment_id>/respondents", methods=["GET", "POST"])
def index(assessment_id: int) -> tuple[str, int] | BaseResponse:
    """The respondents of an assessment; invite one by link for some sections or all (the link is shown once)."""
    record = _team_record(assessment_id)
    questionnaire, _model = content_of(record)
    form = RespondentForm()
    if request.method == "POST":
        if not form.validate():
            return _index_page(record, questionnaire, form, 422)
        try:
            _person, token = respondents.invite(db(), record, questionnaire, form.name.data or "",
                                                form.function.data or "", form.sections.data or [], principal().user_id)
        except ChangeRefused as exc:
            db().rollback()
            for problem in exc.problems:
                field = form.sections if problem.item == "sections" else form.name
                field.errors.append(problem.render(gettext))
            return _index_page(record, questionnaire, form, 422)
        db().commit()
        session[NEW_LINK] = token
        return redirect(url_for(".index", assessment_id=record.id), code=303)
    token = session.pop(NEW_LINK, None)
    link = url_for(".open_link", token=token, _external=True) if isinstance(token, str) else None
    return _index_page(record, questionnaire, form, link=link)


@bp.post("/assessments/<int:assessment_id>/respondents/<int:respondent_id>/revoke")
def revoke(assessment_id: int, respondent_id: int) -> BaseResponse:
    """Close a respondent's link; the answers given stay."""
    record = _team_record(assessment_id)
    if not respondents.revoke(db(), record, respondent_id):
        abort(404)
    db().commit()
    flash(gettext("The respondent's link no longer works; the answers given stay."), "success")
    return redirect(url_for(".index", assessment_id=record.id), code=303)


# --- divergence and consolidation ----------------------------------------------------------------------------

def _divergence_page(record: AssessmentRecord, questionnaire: Questionnaire, *,
                     errors: dict[str, list[str]] | None = None, kept: dict[str, dict[str, object]] | None = None,
                     status: int = 200) -> tuple[str, int]:
    people = respondents.people(db(), record.id)
    rows = respondents.divergence(questionnaire, record, people)
    lang = current_language()
    return render_template(
        "respondents/divergence.html", record=record, questionnaire=questionnaire, people=people, rows=rows,
        label=lambda item_id, value: onsite.answer_label(questionnaire, item_id, value, lang),
        errors=errors or {}, kept=kept or {}, form=ReasonForm(), only=request.args.get("only") == "diverging",
    ), status


@bp.get("/assessments/<int:assessment_id>/divergence")
def divergence(assessment_id: int) -> tuple[str, int]:
    """Per item, each respondent's answer and the assessment's current one; where they diverge."""
    record = _team_record(assessment_id)
    questionnaire, _model = content_of(record)
    return _divergence_page(record, questionnaire)


@bp.post("/assessments/<int:assessment_id>/divergence/<item_id>")
def consolidate(assessment_id: int, item_id: str) -> BaseResponse | tuple[str, int]:
    """Record the consolidated answer of an item and why (audit-trailed)."""
    record = _team_record(assessment_id)
    questionnaire, _model = content_of(record)
    item = questionnaire.item(item_id)
    if item is None:
        abort(404)
    form = ReasonForm()
    form.validate()
    raw = posted_value(item, request.form)
    try:
        onsite.consolidate(db(), questionnaire, record, item_id, raw, form.reason.data or "", actor())
    except ChangeRefused as exc:
        db().rollback()
        lang = current_language()
        messages = [item_message(p, item, lang) if p.code not in ("reason",) else p.render(gettext)
                    for p in exc.problems]
        return _divergence_page(record, questionnaire, errors={item_id: messages},
                                kept={item_id: {"reason": form.reason.data or "", "value": raw}}, status=422)
    except (NotADraft, VersionConflict):
        db().rollback()
        flash(gettext("The assessment was submitted or changed meanwhile; nothing was recorded."), "error")
        return redirect(url_for(".divergence", assessment_id=record.id), code=303)
    db().commit()
    flash(gettext("The consolidated answer to %(item)s is recorded.", item=item_id), "success")
    return redirect(url_for(".divergence", assessment_id=record.id) + f"#row-{item_id}", code=303)


@bp.post("/assessments/<int:assessment_id>/divergence")
def adopt(assessment_id: int) -> BaseResponse | tuple[str, int]:
    """Take over every answer on which all respondents agree, with one reason (each is audit-trailed)."""
    record = _team_record(assessment_id)
    questionnaire, _model = content_of(record)
    form = ReasonForm()
    form.validate()
    try:
        _record, changed = respondents.adopt_agreed(db(), questionnaire, record, form.reason.data or "", actor())
    except ChangeRefused as exc:
        db().rollback()
        return _divergence_page(record, questionnaire, errors={"_all": [p.render(gettext) for p in exc.problems]},
                                status=422)
    except (NotADraft, VersionConflict):
        db().rollback()
        flash(gettext("The assessment was submitted or changed meanwhile; nothing was recorded."), "error")
        return redirect(url_for(".divergence", assessment_id=record.id), code=303)
    db().commit()
    flash(gettext("%(count)s agreed answers taken over.", count=changed), "success")
    return redirect(url_for(".divergence", assessment_id=record.id), code=303)


# --- a respondent answering ----------------------------------------------------------------------------------

def _held() -> dict[int, str]:
    """The respondents whose link was opened in this browser, with the secret each link gave (the door compares it
    with the link as stored now, so a closed link opens nothing)."""
    raw = session.get(GRANTED, [])
    found: dict[int, str] = {}
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], int) and isinstance(entry[1], str):
            found[entry[0]] = entry[1]
    return found


@bp.get("/respond/link/<token>")
@limiter.shared_limit(resume_limit, scope="resume")
def open_link(token: str) -> BaseResponse | tuple[str, int]:
    """A respondent's link: open their sections in this browser."""
    person = respondents.open_link(db(), token)
    if person is None:
        return render_template("account/link_problem.html", message=gettext(
            "This link does not open any questions. It may have been closed; ask whoever sent it.")), 404
    session[GRANTED] = [*[[i, s] for i, s in _held().items() if i != person.id][-9:], [person.id, secret_of_token(token)]]
    return redirect(url_for(".answer", respondent_id=person.id), code=303)


def _respondent(respondent_id: int) -> tuple[RespondentRecord, AssessmentRecord, Questionnaire]:
    """The respondent opened in this browser, with its assessment; 404 for anyone else or a closed link."""
    found = respondents.answering(db(), respondent_id, _held().get(respondent_id))
    if found is None:
        abort(404)
    person, assessment = found
    questionnaire, _model = content_of(assessment)
    return person, assessment, questionnaire


def _sections(person: RespondentRecord, questionnaire: Questionnaire) -> list[Section]:
    return [s for s in questionnaire.sections if s.items and person.answers_section(s.id)]


@bp.get("/respond/<int:respondent_id>")
def answer(respondent_id: int) -> str:
    """The respondent's start: the sections to answer and how far they are."""
    person, assessment, questionnaire = _respondent(respondent_id)
    enterprise = onsite.enterprise_of(db(), assessment)
    sections = _sections(person, questionnaire)
    done = {s.id: sum(1 for i in s.items if i.id in person.answers) for s in sections}
    return render_template("respondents/start.html", person=person, assessment=assessment,
                           questionnaire=questionnaire, sections=sections, done=done, enterprise=enterprise,
                           form=ActionForm())


@bp.route("/respond/<int:respondent_id>/<section_id>", methods=["GET", "POST"])
def section(respondent_id: int, section_id: str) -> str | BaseResponse | tuple[str, int]:
    """One section for a respondent: the same questions as the wizard; answers are saved as the respondent's own."""
    person, assessment, questionnaire = _respondent(respondent_id)
    sections = _sections(person, questionnaire)
    current = next((s for s in sections if s.id == section_id), None)
    if current is None:
        abort(404)
    lang = current_language()
    form_class = step_form_class(questionnaire, current.id)
    answers = respondents.respondent_answers(questionnaire, person)
    errors: dict[str, list[str]] = {}
    summary: list[FieldError] = []
    status = 200
    if request.method == "POST" and not assessment.draft:
        flash(gettext("The assessment is submitted; answers can no longer be changed."), "info")
        return redirect(url_for(".answer", respondent_id=person.id), code=303)
    if request.method == "POST":
        form = form_class()
        if form.validate():
            try:
                result = respondents.save(db(), questionnaire, person, current.id,
                                          step_input(form, current, [i.id for i in current.items]),
                                          form.posted_version())
            except RespondentConflict:
                db().rollback()
                flash(gettext("Your answers were saved in another tab meanwhile. Check them and save again."),
                      "error")
                return redirect(url_for(".section", respondent_id=person.id, section_id=current.id), code=303)
            db().commit()
            answers = result.answers
            if result.problems:
                status = 422
                errors, summary = step_errors(result.problems, questionnaire, lang)
                form.version.data = str(result.respondent.version)
            else:
                position = [s.id for s in sections].index(current.id)
                if request.form.get("action") == "next" and position + 1 < len(sections):
                    return redirect(url_for(".section", respondent_id=person.id,
                                            section_id=sections[position + 1].id), code=303)
                flash(gettext("Your answers are saved."), "success")
                return redirect(url_for(".answer", respondent_id=person.id), code=303)
        else:
            status = 422
    else:
        form = form_class(data=step_initial(current, person.answers, person.data, person.version))
    items = list(current.items)
    state = item_state(items, form, errors, {i.id: computed(i, answers, lang) for i in items})
    return render_template("respondents/section.html", person=person, section=current, form=form,
                           questions=questions_html(questionnaire, items, lang, state), summary=summary,
                           sections=sections), status


@bp.post("/respond/<int:respondent_id>/done")
def finish(respondent_id: int) -> BaseResponse:
    """Tell the team the answers are complete (they can still be changed until the assessment is submitted)."""
    person, _assessment, _questionnaire = _respondent(respondent_id)
    if not respondents.hand_in(db(), person):
        db().rollback()
        abort(404)
    db().commit()
    flash(gettext("Thank you. Your answers are handed in."), "success")
    return redirect(url_for(".answer", respondent_id=person.id), code=303)
