"""The `results` journey: the level, scores, charts, the engine's explanation and the change since last time."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from assessment.content.catalogue import load_catalogue_dir
from assessment.content.loader import content_root
from assessment.domain.answers import N_, Answers
from assessment.domain.catalogue import DEPLOYMENTS, SIZE_CLASSES, Catalogue
from assessment.domain.enterprise import SIZE_CLASS_LABELS, ZHUANJINGTEXIN_LABELS
from assessment.domain.explanation import Statement, Story, tell
from assessment.domain.model import ScoringModel
from assessment.domain.numbers import ID_MAX, read_whole
from assessment.domain.questionnaire import Questionnaire, tr
from assessment.domain.recommend import MatchingProfile, RecommendOptions
from assessment.domain.scoring import Scorecard
from assessment.reporting.charts import bars_svg, radar_svg
from assessment.reporting.data import MODES, Mode
from assessment.reporting.render import ReportError, render_pdf
from assessment.services import assessments, security_log
from assessment.services.comparison import Comparison, previous_comparison
from assessment.services.recommendations import advice_document, recommendations, report_rows
from assessment.services.records import AssessmentRecord
from assessment.services.reports import build_report_data
from assessment.services.scoring import scorecard_document
from assessment.web.access import accessible, content_of, owner_side
from assessment.web.database import db
from assessment.web.forms import ActionForm
from assessment.web.language import current_language
from assessment.web.onsite import report_extras
from assessment.web.provider import client_catalogues
from assessment.web.security_log import exported
from assessment.web.site import site

bp = Blueprint("results", __name__)


DISCLAIMERS: dict[str, str] = {
    "self": N_("This is a self-assessment. It is not an official rating and cannot replace an evaluation by an "
               "accredited body."),
    "guided": N_("This assessment was made with the guidance of a service provider. It is not an official rating: "
                 "only an assessment by the designated body gives an official level."),
    "onsite": N_("This assessment was made on site by an assessor. Unless it was issued by the designated assessment "
                 "body, it is not an official rating."),
}
"""What a result is and is not, by how it was made: what the PDF report says, worded for a page."""


@bp.app_template_global()
def disclaimer(mode: str) -> str:
    """The one "not an official rating" note of a result page, for the assessment's mode."""
    return str(gettext(DISCLAIMERS.get(mode, DISCLAIMERS["self"])))


@dataclass(frozen=True)
class IndicatorChart:
    """The indicator bars of one dimension."""

    title: str
    svg: Markup


def scenario_rows(questionnaire: Questionnaire, model: ScoringModel, card: Scorecard,
                  lang: str) -> list[tuple[str, int, int, bool]]:
    """(name, level, top level, constraint) per rated scenario; items only in the smaller sets are constraints.

    The model's largest item set is taken as all scenarios and every smaller set as a set of required
    (constraint) scenarios, which is how the MIIT model states its level rule.
    """
    if not model.item_sets:
        return []
    sets = sorted(model.item_sets.values(), key=lambda s: len(s.items), reverse=True)
    constraint = {i for s in sets[1:] for i in s.items}
    rows = []
    for iid in sets[0].items:
        item = questionnaire.item(iid)
        if item is not None:
            rows.append((tr(item.short or item.text, lang), card.ratings.get(iid, 0), item.max_rating,
                         iid in constraint))
    return rows


WEB_CHART_WIDTH = 340
"""The natural width of the page's SVG charts: never scaled down on a 390 px phone, so their text stays ≥ 12 px."""
WEB_CHART_FONT = 13.0


@dataclass(frozen=True)
class ScenarioRow:
    """One scenario of the level matrix: its name, whether it is a constraint scenario, and one cell per level.

    A cell is "reached", "open" (not reached yet) or "none" (the scenario has no such level).
    """

    name: str
    level_name: str
    constraint: bool
    cells: tuple[str, ...]


@dataclass(frozen=True)
class ScenarioMatrix:
    """The 16-scenario matrix as an HTML table: the level names heading its columns, one row per scenario."""

    levels: tuple[str, ...]
    rows: tuple[ScenarioRow, ...]


def scenario_matrix(questionnaire: Questionnaire, model: ScoringModel, card: Scorecard, lang: str) -> ScenarioMatrix | None:
    """The scenario-by-level matrix of a result (None when the model rates no scenarios)."""
    rows = scenario_rows(questionnaire, model, card, lang)
    if not rows:
        return None
    names = _level_names(questionnaire, model, lang)
    top = max(1, max(top for _, _, top, _ in rows))
    levels = tuple(names[c] if c < len(names) else str(c) for c in range(1, top + 1))
    return ScenarioMatrix(levels, tuple(
        ScenarioRow(name, names[level] if level < len(names) else str(level), constraint,
                    tuple("reached" if c <= level else ("open" if c <= top_level else "none")
                          for c in range(1, top + 1)))
        for name, level, top_level, constraint in rows))


def _level_names(questionnaire: Questionnaire, model: ScoringModel, lang: str) -> list[str]:
    """The scenario level titles by level number, 0 (not yet) first."""
    first = next((questionnaire.item(i) for s in model.item_sets.values() for i in s.items), None)
    if first is None:
        return []
    return [tr(lv.title, lang) for lv in sorted(first.levels, key=lambda lv: lv.level)]


GAP_PHRASES: dict[str, str] = {
    "score_short": N_("{short} more points of {node}"),
    "score_short_strict": N_("{node} above {required}"),
    "ratings_short": N_("{short} more of {set} at {at_least} or above"),
}


def next_gap(story: Story, lang: str) -> str | None:
    """The gap to the next level in one sentence, from the explanation's unmet conditions (None at the top)."""
    if story.next is None:
        return None
    phrases: list[str] = []
    for statement in story.next.statements:
        key = statement.kind + ("_strict" if _strict(statement) else "")
        if key in GAP_PHRASES:
            phrases.append(gettext(GAP_PHRASES[key]).format(**statement.params))
    if not phrases:
        return None
    sentence: str = gettext("To reach {level}: {gaps}.").format(level=story.next.level_name,
                                                                gaps=("；" if lang == "zh" else "; ").join(phrases))
    return sentence


def _strict(statement: Statement) -> bool:
    """Whether a score shortfall is a "more than" condition (its message names no points to go)."""
    return statement.kind == "score_short" and "{short}" not in statement.message


def _charts(questionnaire: Questionnaire, model: ScoringModel, card: Scorecard, comparison: Comparison | None,
            lang: str) -> dict[str, object]:
    nodes = card.nodes
    dimensions = model.dimensions
    previous = {c.id: c.before for c in comparison.dimensions} if comparison else {}
    compare = None
    if comparison is not None and all(d.id in previous for d in dimensions):
        compare = [previous[d.id] / float(nodes[d.id].maximum) if nodes[d.id].maximum else 0.0 for d in dimensions]
    radar = radar_svg([(tr(d.short or d.name, lang), nodes[d.id].ratio) for d in dimensions], compare=compare,
                      width=WEB_CHART_WIDTH, title=gettext("Score by dimension, as a share of its maximum"),
                      legend=(gettext("This assessment"), gettext("Previous assessment")) if compare else ())
    bars = bars_svg([(tr(d.short or d.name, lang), float(nodes[d.id].value), float(nodes[d.id].maximum))
                     for d in dimensions], width=WEB_CHART_WIDTH, font=WEB_CHART_FONT,
                    title=gettext("Points by dimension"))
    indicators = []
    for dimension in dimensions:
        children = [model.nodes[c] for c in dimension.children]
        if children:
            indicators.append(IndicatorChart(tr(dimension.name, lang), Markup(bars_svg(
                [(tr(c.short or c.name, lang), float(nodes[c.id].value), float(nodes[c.id].maximum))
                 for c in children], width=WEB_CHART_WIDTH, font=WEB_CHART_FONT,
                title=gettext("Points by indicator: {dimension}").format(dimension=tr(dimension.name, lang))))))
    return {"radar": Markup(radar), "bars": Markup(bars), "indicators": indicators,
            "scenarios": scenario_matrix(questionnaire, model, card, lang)}


# --- recommendations (issue 4): 小快轻准 solutions and a costed roadmap, from services.recommendations -------------

CATALOGUES = "assessment.catalogues"
_catalogue_lock = threading.Lock()
DEPLOYMENT_LABELS: dict[str, str] = {
    "saas": N_("SaaS (cloud)"), "private": N_("On-premises"), "hybrid": N_("Hybrid cloud"),
    "hardware_software": N_("Hardware and software"), "edge": N_("Edge computing"), "service": N_("Service"),
}
PROVIDER_TYPE_LABELS: dict[str, str] = {
    "integrator": N_("Integrator"), "product": N_("小快轻准 product provider"),
    "chain_leader": N_("Chain-leader enterprise"), "scenario_provider": N_("Scenario service provider"),
}
PRICE_MODEL_LABELS: dict[str, str] = {
    "per_year": N_("per year"), "per_user_month": N_("per user and month"), "per_device": N_("per device"),
    "one_off": N_("one-off"), "per_project": N_("per project"), "free": N_("free"),
}


def site_catalogues() -> tuple[Catalogue, ...]:
    """The solution catalogues (catalogue/*.yaml beside the content), loaded on first use and kept by the app.

    A broken catalogue file is logged and left out; the others still load (the CLI and `make run` report it).
    """
    app = current_app
    found: tuple[Catalogue, ...] | None = app.extensions.get(CATALOGUES)
    if found is not None:
        return found
    with _catalogue_lock:
        found = app.extensions.get(CATALOGUES)
        if found is None:
            root = app.config.get("CONTENT_DIR")
            directory = (Path(root) if root else content_root()) / "catalogue"
            loaded: list[Catalogue] = []
            if directory.is_dir():
                questionnaires = {q.id: q for q in site().library.latest_questionnaires()}
                loaded, errors = load_catalogue_dir(directory, questionnaires)
                for error in errors:
                    app.logger.error("catalogue left out: %s", error)
            found = tuple(loaded)
            app.extensions[CATALOGUES] = found
    return found


BUDGET_MAX = 10**12
"""The largest budget a visitor may filter on, in yuan (a trillion: any real budget is far below)."""


@dataclass(frozen=True)
class SolutionFilters:
    """What the visitor asked for on the results page: budget, target level, deployments and scenarios."""

    budget: str = ""
    target: str = ""
    deployments: tuple[str, ...] = ()
    scenarios: tuple[str, ...] = ()
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        """Whether any filter or target is set."""
        return bool(self.budget or self.target or self.deployments or self.scenarios)

    def options(self) -> RecommendOptions:
        """The recommender's options; a value with an error is left out."""
        budget = int(self.budget) if self.budget and "budget" not in self.errors else None
        target = int(self.target) if self.target and "target" not in self.errors else None
        deployments = frozenset(d for d in DEPLOYMENTS if d in self.deployments)
        return RecommendOptions(budget, target, deployments, frozenset(self.scenarios))


def scenario_choices(questionnaire: Questionnaire, model: ScoringModel, lang: str) -> list[tuple[str, str]]:
    """(id, name) of the rated scenarios a visitor may filter on: the model's largest item set."""
    if not model.item_sets:
        return []
    largest = max(model.item_sets.values(), key=lambda s: len(s.items))
    choices = []
    for iid in largest.items:
        item = questionnaire.item(iid)
        if item is not None:
            choices.append((iid, tr(item.short or item.text, lang)))
    return choices


def solution_filters(args: Any, levels: set[int], scenarios: set[str]) -> SolutionFilters:
    """The filters from the query string; a garbled budget or an unknown level gets a message."""
    errors: dict[str, str] = {}
    budget = str(args.get("budget", "")).strip()
    amount = read_whole(budget, 0, BUDGET_MAX) if budget else None
    if budget and amount is None:
        errors["budget"] = gettext("Enter the budget as a whole number of yuan, for example 200000.")
    target = str(args.get("target", "")).strip()
    level = read_whole(target, 0, ID_MAX) if target else None
    if target and level not in levels:
        errors["target"] = gettext("Choose one of the listed levels.")
    budget, target = str(amount) if amount is not None else budget, str(level) if level is not None else target
    deployments = tuple(d for d in DEPLOYMENTS if d in args.getlist("deployment"))
    chosen = tuple(s for s in args.getlist("scenario") if s in scenarios)
    return SolutionFilters(budget, target, deployments, chosen, errors)


def matching_profile(record: AssessmentRecord) -> MatchingProfile:
    """Industry, size class and region of the enterprise, from the profile frozen with the result."""
    frozen = (record.scorecard or {}).get("profile") or {}
    size = next((s for s in SIZE_CLASSES if s == frozen.get("size_class")), None)
    return MatchingProfile(str(frozen.get("industry_code") or "") or None, size,
                           str(frozen.get("region_code") or "") or None)


def cny(value: int) -> str:
    """An amount of yuan with thousands separators."""
    return f"{value:,}"


def _recommendation_context(record: AssessmentRecord, questionnaire: Questionnaire, model: ScoringModel,
                            answers: Answers, lang: str) -> dict[str, object]:
    """What the results page's recommendations block shows; empty when no catalogue is for this questionnaire."""
    catalogues = tuple(c for c in (*site_catalogues(), *client_catalogues(record)) if c.questionnaire == questionnaire.id)
    if not catalogues:
        return {"advice": None}
    scenarios = scenario_choices(questionnaire, model, lang)
    filters = solution_filters(request.args, {lv.level for lv in model.levels}, {s for s, _name in scenarios})
    profile = matching_profile(record)
    advice = recommendations(questionnaire, model, answers, catalogues, profile, filters.options())
    return {
        "advice": advice_document(advice, questionnaire, model, lang, gettext),
        "filters": filters,
        "scenario_choices": scenarios,
        "level_choices": [(lv.level, tr(lv.name, lang)) for lv in sorted(model.levels, key=lambda lv: lv.level)],
        "demo_catalogues": [tr(c.name, lang) for c in catalogues if c.demo],
        "deployment_labels": {k: gettext(v) for k, v in DEPLOYMENT_LABELS.items()},
        "provider_type_labels": {k: gettext(v) for k, v in PROVIDER_TYPE_LABELS.items()},
        "price_model_labels": {k: gettext(v) for k, v in PRICE_MODEL_LABELS.items()},
        "matching": profile,
        "matching_size": gettext(SIZE_CLASS_LABELS[profile.size]) if profile.size else None,
        "matching_region": site().regions.full_name(profile.region) if profile.region else None,
        "matching_industry": site().industries.name(profile.industry) if profile.industry else None,
        "cny": cny,
    }


def _submitted(assessment_id: int) -> BaseResponse | tuple[
        AssessmentRecord, Questionnaire, ScoringModel, str, Answers, Scorecard]:
    """A submitted assessment the visitor may see, scored; a draft gives the redirect to its review."""
    record = accessible(assessment_id)
    if record.draft:
        return redirect(url_for("assess.review", assessment_id=record.id), code=303)
    questionnaire, model = content_of(record)
    answers, card = assessments.result(questionnaire, model, record)
    return record, questionnaire, model, current_language(), answers, card


@bp.get("/results/<int:assessment_id>")
def show(assessment_id: int) -> str | BaseResponse:
    """The result of a submitted assessment (a draft goes to its review)."""
    result = _submitted(assessment_id)
    if isinstance(result, BaseResponse):
        return result
    record, questionnaire, model, lang, answers, card = result
    document = scorecard_document(card, questionnaire, model, lang, gettext)
    story: Story = tell(card, questionnaire, model, lang)
    comparison = previous_comparison(db(), record)
    dimension_names = {d.id: tr(d.name, lang) for d in model.dimensions}
    level_names = {lv.level: tr(lv.name, lang) for lv in (*model.levels, model.below)}
    return render_template(
        "results/show.html", record=record, questionnaire=questionnaire, model=model, card=card, doc=document,
        story=story, gap=next_gap(story, lang), comparison=comparison, dimension_names=dimension_names, level_names=level_names,
        caveats=[tr(c, lang) for c in model.caveats_for(card.level)], form=ActionForm(), translate=gettext,
        may_reassess=owner_side(record),
        **_charts(questionnaire, model, card, comparison, lang),
        **_recommendation_context(record, questionnaire, model, answers, lang),
    )


def _enterprise(record: AssessmentRecord) -> dict[str, str]:
    """The report's enterprise block from the profile frozen with the result."""
    frozen = (record.scorecard or {}).get("profile") or {}
    if not frozen:
        return {}
    regions, industries = site().regions, site().industries
    status = frozen.get("zhuanjingtexin", "none")
    return {
        "name": str(frozen.get("name", "")), "uscc": str(frozen.get("uscc", "")),
        "region": regions.full_name(str(frozen.get("region_code", ""))) or "",
        "industry": " ".join(filter(None, (str(frozen.get("industry_code", "")),
                                           industries.name(str(frozen.get("industry_code", ""))) or ""))),
        "size_class": str(frozen.get("size_class", "")),
        "zjtx_status": gettext(ZHUANJINGTEXIN_LABELS[status]) if status in ZHUANJINGTEXIN_LABELS else str(status),
    }


def _report_content(record: AssessmentRecord, questionnaire: Questionnaire, model: ScoringModel, lang: str,
                    answers: Answers, card: Scorecard) -> bytes:
    submitted = record.submitted_at.date() if record.submitted_at else None
    mode: Mode = next((m for m in MODES if m == record.mode), "self")
    context = _recommendation_context(record, questionnaire, model, answers, lang)
    advice = context.get("advice")
    recs, steps = report_rows(advice, gettext) if isinstance(advice, dict) else (None, None)
    data = build_report_data(questionnaire, model, answers, card, lang=lang, enterprise=_enterprise(record),
                             mode=mode, date=submitted, recommendations=recs, roadmap=steps,
                             **report_extras(record, questionnaire, model, card, lang))
    return render_pdf(data)


def report_pdf(record: AssessmentRecord) -> bytes | None:
    """The PDF report of a submitted assessment, as its download gives it (None if it cannot be rendered)."""
    questionnaire, model = site().questionnaire(record.questionnaire_ref), site().model(record.model_ref)
    if questionnaire is None or model is None:
        return None
    answers, card = assessments.result(questionnaire, model, record)
    try:
        return _report_content(record, questionnaire, model, current_language(), answers, card)
    except ReportError:
        return None


@bp.get("/results/<int:assessment_id>/report.pdf")
def report(assessment_id: int) -> Response | BaseResponse:
    """The result as a PDF report in the visitor's language."""
    result = _submitted(assessment_id)
    if isinstance(result, BaseResponse):
        return result
    record, questionnaire, model, lang, answers, card = result
    try:
        content = _report_content(record, questionnaire, model, lang, answers, card)
    except ReportError:
        abort(503, description="report")
    exported(security_log.EXPORT, what="report_pdf", assessment_id=record.id)
    return Response(content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="assessment-{record.id}.pdf"', "Cache-Control": "no-store"})
