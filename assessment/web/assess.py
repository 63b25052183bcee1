"""The `assess` journey: start, resume link, profile, one step per questionnaire section, review, submit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response as BaseResponse

from assessment.domain.answers import Answers, Problem, format_figure, visible_items
from assessment.domain.enterprise import SIZE_CLASS_LABELS, ZHUANJINGTEXIN_LABELS, EnterpriseProfile
from assessment.domain.questionnaire import Item, Questionnaire, Section, tr
from assessment.services import assessments, authorization, steps
from assessment.services.assessments import Incomplete, VersionConflict
from assessment.services.records import AssessmentRecord
from assessment.web.access import accessible, content_of, listed, owned, owner_side, remember, user_id
from assessment.web.database import db, reading
from assessment.web.forms import (
    ActionForm,
    ProfileForm,
    ResumeForm,
    VersionedActionForm,
    posted_values,
    posted_version,
    step_initial,
    step_input,
)
from assessment.web.language import current_language
from assessment.web.problems import FieldError, item_message, step_errors
from assessment.web.questions import answer_text, computed, item_state, questions_html
from assessment.web.security import limiter, resume_limit
from assessment.web.site import site
from assessment.web.tenancy import principal
from assessment.web.wizard import neighbours, progress_bar, stages

bp = Blueprint("assess", __name__)

NEW_LINK = "new_link"
PROFILE_TARGETS = {"name": "name", "uscc": "uscc", "employees": "employees", "revenue_10k_cny": "revenue_10k_cny",
                   "zhuanjingtexin": "zhuanjingtexin-none", "contact_email": "contact_email"}


@dataclass(frozen=True)
class ReviewRow:
    """One answer on the review page."""

    item: Item
    answer: list[str]
    missing: bool
    edit_url: str


def _shown_ids(questionnaire: Questionnaire, answers: Answers) -> set[str]:
    if not questionnaire.has_conditions:
        return set(questionnaire.item_index)
    return {i.id for i in visible_items(questionnaire, answers.values)}


def _frozen(record: AssessmentRecord) -> BaseResponse:
    flash(gettext("This assessment is submitted and can no longer be changed. Start a re-assessment to update "
                  "it."), "info")
    return redirect(url_for("results.show", assessment_id=record.id), code=303)


def _remember_link(assessment_id: int, token: str) -> None:
    """Show the new resume link once; a visitor without an account keeps the draft's secret in this browser."""
    session[NEW_LINK] = {"id": assessment_id, "token": token}
    if user_id() is None:
        remember(assessment_id, token)


def _later(record: AssessmentRecord) -> BaseResponse:
    """Where "save and finish later" leads: the resume link for the enterprise side, the workspace for a provider."""
    if owner_side(record):
        return redirect(url_for(".link", assessment_id=record.id), code=303)
    return redirect(url_for("onsite.workspace", assessment_id=record.id), code=303)


def _opened(record: AssessmentRecord, token: str) -> BaseResponse | None:
    """Open the assessment a resume link belongs to in this browser; None if it is not the visitor's to open.

    A visitor without an account keeps the draft's secret; an account takes an ownerless draft in (it gets a new
    link); an assessment kept in an account opens only after logging in to an account that may open it.
    """
    who = principal()
    target = url_for(".continue_assessment", assessment_id=record.id)
    if record.user_id is None:
        if who.user_id is None:
            remember(record.id, token)
        else:
            authorization.claim_held(db(), {record.id: authorization.secret_of_token(token)}, who.user_id)
            db().commit()
            flash(gettext("The assessment is now kept in your account; make a new resume link on its link page if "
                          "you need one."), "info")
        return redirect(target, code=303)
    if who.user_id is None:
        flash(gettext("This assessment is kept in an account. Log in to open it."), "info")
        return redirect(url_for("auth.login", next=target), code=303)
    if authorization.may_open_assessment(db(), who, record):
        return redirect(target, code=303)
    return None


@bp.get("/assessments")
def index() -> str:
    """The assessments of this browser and of the logged-in account."""
    summaries = assessments.listed_for(db(), user_id=user_id(), ids=listed())
    titles = {q.id: q.title for q in site().library.latest_questionnaires()}
    lang = current_language()
    levels = {a.id: tr(model.level_def(a.level).name, lang) for a in summaries
              if a.level is not None and (model := site().model(a.model_ref)) is not None}
    return render_template("assess/index.html", assessments=summaries, titles=titles, levels=levels)


@bp.post("/assess/start")
def start() -> BaseResponse | tuple[str, int]:
    """Open a new draft of the chosen questionnaire and show its private resume link."""
    library = site().library
    qid = request.form.get("questionnaire", "")
    if qid not in library.questionnaires:
        abort(404)
    questionnaire = library.questionnaire(qid)
    started = assessments.start(db(), questionnaire, library.default_model(qid), user_id=user_id())
    db().commit()
    _remember_link(started.record.id, started.token)
    return redirect(url_for(".link", assessment_id=started.record.id), code=303)


@bp.get("/assess/<int:assessment_id>/link")
def link(assessment_id: int) -> str:
    """The private resume link with its QR code, shown once; or how to get a new one (the enterprise side only)."""
    record = owned(assessment_id)
    shown = session.pop(NEW_LINK, None)
    url = qr = None
    if isinstance(shown, dict) and shown.get("id") == record.id:
        url = url_for(".resume", token=shown["token"], _external=True)
        qr = segno.make(url, error="m").svg_inline(scale=4, title=gettext("QR code of your resume link"),
                                                   svgclass="qr", lineclass=None)
    return render_template("assess/link.html", record=record, url=url, qr=qr, form=ActionForm())


@bp.post("/assess/<int:assessment_id>/link")
def renew_link(assessment_id: int) -> BaseResponse:
    """Make a new resume link; the previous one stops working, also in every other browser that held it."""
    record = owned(assessment_id)
    token = assessments.renew_token(db(), record.id)
    db().commit()
    _remember_link(record.id, token)
    return redirect(url_for(".link", assessment_id=record.id), code=303)


@bp.get("/resume/<token>")
@limiter.shared_limit(resume_limit, scope="resume")
def resume(token: str) -> BaseResponse | tuple[str, int]:
    """Open the one assessment this token belongs to, in this browser."""
    record = assessments.open_with_token(db(), token)
    opened = _opened(record, token) if record is not None else None
    if opened is None:
        form = ResumeForm()
        form.link.errors = [gettext("This link does not open any assessment. Check that you copied all of it, "
                                    "or ask for the newest link if you made a new one.")]
        return render_template("assess/resume.html", form=form), 404
    return opened


@bp.route("/resume", methods=["GET", "POST"])
@limiter.shared_limit(resume_limit, scope="resume", methods=["POST"])
def resume_form() -> str | BaseResponse | tuple[str, int]:
    """Paste a resume link (or just its token) to continue."""
    form = ResumeForm()
    if form.validate_on_submit():
        token = str(form.link.data).strip().rstrip("/").rsplit("/", 1)[-1]
        record = assessments.open_with_token(db(), token)
        opened = _opened(record, token) if record is not None else None
        if opened is not None:
            return opened
        form.link.errors.append(gettext("This link does not open any assessment. Check that you copied all of "
                                        "it, or ask for the newest link if you made a new one."))
        return render_template("assess/resume.html", form=form), 404
    return render_template("assess/resume.html", form=form), 422 if request.method == "POST" else 200


@bp.get("/assess/<int:assessment_id>")
def continue_assessment(assessment_id: int) -> BaseResponse:
    """Go to where the assessment stands: the first unfinished step, the review, or the result."""
    record = accessible(assessment_id)
    if not record.draft:
        return redirect(url_for("results.show", assessment_id=record.id), code=303)
    questionnaire, _model = content_of(record)
    if record.enterprise_id is None:
        return redirect(url_for(".profile", assessment_id=record.id), code=303)
    progress = assessments.completion(questionnaire, assessments.draft_answers(questionnaire, record))
    for section in questionnaire.sections:
        done, total = progress.sections[section.id]
        if done < total:
            return redirect(url_for(".step", assessment_id=record.id, section_id=section.id), code=303)
    return redirect(url_for(".review", assessment_id=record.id), code=303)


# --- profile -------------------------------------------------------------------------------------------------

def _profile_initial(profile: EnterpriseProfile | None, version: int) -> dict[str, Any]:
    if profile is None:
        return {"version": str(version), "zhuanjingtexin": "none"}
    regions, industries = site().regions, site().industries
    path = regions.path(profile.region_code)
    levels = {r.level: r.code for r in path}
    region = regions.get(profile.region_code)
    if region is not None and region.level == "county" and region.parent and "city" not in levels:
        levels["city"] = region.parent  # the grouping row (市辖区) hidden by path()
    return {
        "version": str(version), "name": profile.name, "uscc": profile.uscc,
        "province": levels.get("province", ""), "city": levels.get("city", ""), "county": levels.get("county", ""),
        "section": industries.section_of(profile.industry_code) or "", "division": profile.industry_code,
        "employees": str(profile.employees), "revenue_10k_cny": format_figure(profile.revenue_10k_cny),
        "zhuanjingtexin": profile.zhuanjingtexin, "contact_name": profile.contact_name or "",
        "contact_email": profile.contact_email or "", "contact_phone": profile.contact_phone or "",
        "consent_statistics": profile.consent_statistics,
    }


def _profile_choices(form: ProfileForm) -> dict[str, Any]:
    regions, industries = site().regions, site().industries
    province = str(form.province.data or "")
    city = str(form.city.data or "")
    cities = regions.cities(province) if province else ()
    if city and not any(c.code == city for c in cities):
        city = ""
        form.city.data = ""
    counties = regions.counties(city) if city else ()
    if form.county.data and not any(c.code == form.county.data for c in counties):
        form.county.data = ""
    section = str(form.section.data or "")
    divisions = industries.divisions(section) if section else ()
    division = str(form.division.data or "")
    if division and not industries.valid(division):
        form.division.data = ""
    return {"provinces": regions.provinces(), "cities": cities, "counties": counties,
            "sections": industries.sections(), "divisions": divisions}


def _profile_target(problem: Problem, form: ProfileForm) -> str:
    if problem.item == "region_code":
        return "county" if form.city.data else "city" if form.province.data else "province"
    if problem.item == "industry_code":
        return "division" if form.section.data else "section"
    return PROFILE_TARGETS.get(problem.item or "", problem.item or "name")


@bp.route("/assess/<int:assessment_id>/profile", methods=["GET", "POST"])
def profile(assessment_id: int) -> str | BaseResponse | tuple[str, int]:
    """The enterprise profile; its size class is derived from industry, employees and revenue."""
    record = accessible(assessment_id)
    if not record.draft:
        return _frozen(record)
    questionnaire, _model = content_of(record)
    saved = assessments.enterprise_profile(db(), record.enterprise_id)
    form = ProfileForm() if request.method == "POST" else ProfileForm(data=_profile_initial(saved, record.version))
    errors: dict[str, list[str]] = {}
    summary: list[FieldError] = []
    status, conflict = 200, False
    action = request.form.get("action", "next")
    if request.method == "POST" and form.validate() and action != "refresh":
        try:
            result = assessments.save_profile(db(), record.id, form.fields(), form.posted_version(), site().regions,
                                              site().industries, user_id=user_id())
        except VersionConflict as exc:
            db().rollback()
            record, conflict, status = exc.current, True, 409
            form.version.data = str(record.version)
        else:
            if result.problems:
                status = 422
                for problem in result.problems:
                    target = _profile_target(problem, form)
                    message = problem.render(gettext)
                    errors.setdefault(target, []).append(message)
                    summary.append(FieldError(target, str(getattr(form, target).label.text
                                                          if hasattr(form, target) else target), message))
            else:
                db().commit()
                if action == "later":
                    return _later(record)
                first = next((s for s in questionnaire.sections if s.items), None)
                if first is None:
                    return redirect(url_for(".review", assessment_id=record.id), code=303)
                return redirect(url_for(".step", assessment_id=record.id, section_id=first.id), code=303)
    progress = assessments.completion(questionnaire, assessments.draft_answers(questionnaire, record))
    lang = current_language()
    found = stages(record, questionnaire, progress, lang)
    _before, after, index = neighbours(found, "profile")
    size = saved.size if saved is not None else None
    return render_template(
        "assess/profile.html", record=record, questionnaire=questionnaire, form=form, errors=errors,
        summary=summary, conflict=conflict, next_stage=after, progress_bar=progress_bar(found, index, progress, lang),
        size_label=gettext(SIZE_CLASS_LABELS[size]) if size else None, statuses=ZHUANJINGTEXIN_LABELS,
        **_profile_choices(form),
    ), status


# --- wizard steps --------------------------------------------------------------------------------------------

def _section(questionnaire: Questionnaire, section_id: str) -> Section:
    section = next((s for s in questionnaire.sections if s.id == section_id), None)
    if section is None:
        abort(404)
    return section


@bp.route("/assess/<int:assessment_id>/step/<section_id>", methods=["GET", "POST"])
def step(assessment_id: int, section_id: str) -> BaseResponse | tuple[str, int]:
    """One section of the questionnaire; the answers are saved on the server when the user moves on."""
    if request.method == "GET":
        reading()  # a page only reads
    record = accessible(assessment_id)
    if not record.draft:
        return _frozen(record)
    questionnaire, _model = content_of(record)
    section = _section(questionnaire, section_id)
    if request.method == "POST":
        return _save_step(record, questionnaire, section)
    # a page binds no step form: its controls are filled from the saved values
    values = step_initial(section, record.answers, record.data, record.version)
    return _step_page(record, questionnaire, section, assessments.draft_answers(questionnaire, record), values)


def _save_step(record: AssessmentRecord, questionnaire: Questionnaire,
               section: Section) -> BaseResponse | tuple[str, int]:
    """Save a posted step and move on, or show it again with its messages or the conflict."""
    # the saved draft is parsed only where display conditions need it
    saved = assessments.draft_answers(questionnaire, record) if questionnaire.has_conditions else None
    shown = _shown_ids(questionnaire, saved) if saved is not None else set(questionnaire.item_index)
    # CSRFProtect has checked the token before the view; the answers and the version are read from the request
    values: dict[str, Any] = posted_values(section, request.form)
    try:
        result = steps.save_step(db(), questionnaire, record.id, section.id, step_input(values, section, shown),
                                 posted_version(request.form), current=record)
    except VersionConflict as exc:
        db().rollback()
        current = exc.current
        return _step_page(current, questionnaire, section, assessments.draft_answers(questionnaire, current), values,
                          conflict=True, status=409)
    db().commit()
    if result.problems:
        errors, summary = step_errors(result.problems, questionnaire, current_language())
        return _step_page(result.record, questionnaire, section, result.answers, values, errors, summary, status=422)
    if result.revealed:
        flash(gettext("Your answers bring up more questions on this page."), "info")
        return redirect(url_for(".step", assessment_id=record.id, section_id=section.id)
                        + f"#item-{result.revealed[0]}", code=303)
    return _after_step(result.record, questionnaire, section, request.form.get("action", "next"), result.answers)


def _step_page(record: AssessmentRecord, questionnaire: Questionnaire, section: Section, saved: Answers,
               values: dict[str, Any], errors: dict[str, list[str]] | None = None,
               summary: list[FieldError] | None = None, *, conflict: bool = False,
               status: int = 200) -> tuple[str, int]:
    """A step page: its shown questions with these values, messages and computed answers, and the progress bar."""
    lang = current_language()
    shown = _shown_ids(questionnaire, saved)
    items = [i for i in section.items if i.id in shown]
    progress = assessments.completion(questionnaire, saved)
    found = stages(record, questionnaire, progress, lang)
    _before, after, index = neighbours(found, section.id)
    states = item_state(items, values, errors or {}, {i.id: computed(i, saved, lang) for i in items})
    return render_template(
        "assess/step.html", section=section, items=items, version=record.version,
        action=url_for(".step", assessment_id=record.id, section_id=section.id),
        questions=questions_html(questionnaire, items, lang, states), summary=summary or [], conflict=conflict,
        next_stage=after, progress_bar=progress_bar(found, index, progress, lang),
    ), status


def _after_step(record: AssessmentRecord, questionnaire: Questionnaire, section: Section, action: str,
                saved: Answers) -> BaseResponse:
    if action == "later":
        flash(gettext("Your answers are saved."), "success")
        return _later(record)
    # the neighbouring stage as the progress bar orders them: profile, the sections with questions shown, review
    shown = _shown_ids(questionnaire, saved)
    backwards = action == "back"
    order = list(reversed(questionnaire.sections)) if backwards else list(questionnaire.sections)
    later = order[next(n for n, s in enumerate(order) if s.id == section.id) + 1:]
    target = next((s for s in later if any(i.id in shown for i in s.items)), None)
    if target is not None:
        url = url_for(".step", assessment_id=record.id, section_id=target.id)
    else:
        url = url_for(".profile" if backwards else ".review", assessment_id=record.id)
    return redirect(url, code=303)


# --- review and submit ---------------------------------------------------------------------------------------

def review_page(record: AssessmentRecord, questionnaire: Questionnaire, status: int,
                **extra: Any) -> tuple[str, int]:
    """The review page with more to show on it (the workbook upload's problems)."""
    return _review(record, questionnaire, [], status, **extra)


def _review(record: AssessmentRecord, questionnaire: Questionnaire, problems: list[Problem],
            status: int, conflict: bool = False, **extra: Any) -> tuple[str, int]:
    lang = current_language()
    saved = assessments.draft_answers(questionnaire, record)
    progress = assessments.completion(questionnaire, saved)
    shown = _shown_ids(questionnaire, saved)
    missing = set(progress.missing)
    sections = []
    for section in questionnaire.sections:
        rows = [ReviewRow(item, answer_text(item, saved.values.get(item.id), lang), item.id in missing,
                          url_for("assess.step", assessment_id=record.id, section_id=section.id) + f"#item-{item.id}")
                for item in section.items if item.id in shown]
        if rows:
            sections.append((section, rows))
    profile = assessments.enterprise_profile(db(), record.enterprise_id)
    summary = []
    for problem in problems:
        item = questionnaire.item(problem.item) if problem.item else None
        if item is not None:
            section = next(s for s in questionnaire.sections if item in s.items)
            summary.append(FieldError(
                url_for("assess.step", assessment_id=record.id, section_id=section.id) + f"#item-{item.id}",
                tr(item.short or item.text, lang), item_message(problem, item, lang)))
        else:
            summary.append(FieldError(url_for("assess.profile", assessment_id=record.id), gettext("Enterprise profile"),
                                      problem.render(gettext)))
    found = stages(record, questionnaire, progress, lang)
    regions, industries = site().regions, site().industries
    return render_template(
        "assess/review.html", record=record, questionnaire=questionnaire, sections=sections, progress=progress,
        profile=profile, summary=summary, conflict=conflict,
        progress_bar=progress_bar(found, len(found) - 1, progress, lang),
        form=_versioned(record.version), computed={i.id: computed(i, saved, lang) for i in questionnaire.items},
        region_name=regions.full_name(profile.region_code) if profile else None,
        industry_name=industries.name(profile.industry_code) if profile else None,
        size_label=gettext(SIZE_CLASS_LABELS[profile.size]) if profile else None,
        status_label=gettext(ZHUANJINGTEXIN_LABELS[profile.zhuanjingtexin]) if profile else None, **extra,
    ), status


def _versioned(version: int) -> VersionedActionForm:
    form = VersionedActionForm()
    form.version.data = str(version)
    return form


@bp.get("/assess/<int:assessment_id>/review")
def review(assessment_id: int) -> str | BaseResponse | tuple[str, int]:
    """Every answer with a link to change it; missing answers are highlighted."""
    record = accessible(assessment_id)
    if not record.draft:
        return _frozen(record)
    questionnaire, _model = content_of(record)
    return _review(record, questionnaire, [], 200)


@bp.post("/assess/<int:assessment_id>/submit")
def submit(assessment_id: int) -> BaseResponse | tuple[str, int]:
    """Freeze and score the assessment, or list what is still missing."""
    record = accessible(assessment_id)
    if not record.draft:
        return _frozen(record)
    questionnaire, model = content_of(record)
    form = VersionedActionForm()
    try:
        record, _card = assessments.submit(db(), questionnaire, model, record.id, form.posted_version())
    except Incomplete as exc:
        db().rollback()
        return _review(record, questionnaire, exc.problems, 422)
    except VersionConflict as exc:
        db().rollback()
        return _review(exc.current, questionnaire, [], 409, conflict=True)
    db().commit()
    return redirect(url_for("results.show", assessment_id=record.id), code=303)


@bp.post("/assess/<int:assessment_id>/reassess")
def reassess(assessment_id: int) -> BaseResponse | tuple[str, int]:
    """Start a re-assessment: a new draft with this assessment's answers copied in (the enterprise side only;
    a provider starts one for its client from the client's page)."""
    record = owned(assessment_id)
    if record.draft:
        return redirect(url_for(".continue_assessment", assessment_id=record.id), code=303)
    if request.form.get("confirm") != "yes":  # required in the browser too; without it nothing is made
        return render_template("assess/reassess.html", record=record, form=ActionForm(), unconfirmed=gettext(
            "Tick this box to confirm that you want a new draft with these answers.")), 422
    library = site().library
    qid = record.questionnaire_id
    if qid not in library.questionnaires:
        abort(503)
    started = assessments.reassess(db(), library.questionnaire(qid), library.default_model(qid), record.id,
                                   user_id=user_id())
    db().commit()
    _remember_link(started.record.id, started.token)
    flash(gettext("A new draft was made with your previous answers. Check and update them, then submit."), "success")
    return redirect(url_for(".link", assessment_id=started.record.id), code=303)
