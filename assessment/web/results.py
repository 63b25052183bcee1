"""The `results` journey: the level, scores, charts, the engine's explanation and the change since last time."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, redirect, render_template, url_for
from flask_babel import gettext
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from assessment.db import queries
from assessment.db.queries import AssessmentRecord
from assessment.domain.enterprise import ZHUANJINGTEXIN_LABELS
from assessment.domain.explanation import Story, tell
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire, tr
from assessment.domain.scoring import Scorecard
from assessment.reporting.charts import bars_svg, radar_svg, scenario_levels_svg
from assessment.reporting.data import MODES, Mode
from assessment.reporting.render import ReportError, render_pdf
from assessment.services import assessments
from assessment.services.assessments import Comparison
from assessment.services.reports import build_report_data
from assessment.services.scoring import scorecard_document
from assessment.web.access import accessible, content_of
from assessment.web.database import db
from assessment.web.forms import ActionForm
from assessment.web.language import current_language
from assessment.web.site import site

bp = Blueprint("results", __name__)


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


def _level_names(questionnaire: Questionnaire, model: ScoringModel, lang: str) -> list[str]:
    first = next((questionnaire.item(i) for s in model.item_sets.values() for i in s.items), None)
    if first is None:
        return []
    return [tr(lv.title, lang) for lv in sorted(first.levels, key=lambda lv: lv.level)]


def _charts(questionnaire: Questionnaire, model: ScoringModel, card: Scorecard, comparison: Comparison | None,
            lang: str) -> dict[str, object]:
    nodes = card.nodes
    dimensions = model.dimensions
    previous = {c.id: c.before for c in comparison.dimensions} if comparison else {}
    compare = None
    if comparison is not None and all(d.id in previous for d in dimensions):
        compare = [previous[d.id] / float(nodes[d.id].maximum) if nodes[d.id].maximum else 0.0 for d in dimensions]
    radar = radar_svg([(tr(d.short or d.name, lang), nodes[d.id].ratio) for d in dimensions], compare=compare,
                      title=gettext("Score by dimension, as a share of its maximum"),
                      legend=(gettext("This assessment"), gettext("Previous assessment")) if compare else ())
    bars = bars_svg([(tr(d.short or d.name, lang), float(nodes[d.id].value), float(nodes[d.id].maximum))
                     for d in dimensions], title=gettext("Points by dimension"))
    indicators = []
    for dimension in dimensions:
        children = [model.nodes[c] for c in dimension.children]
        if children:
            indicators.append(IndicatorChart(tr(dimension.name, lang), Markup(bars_svg(
                [(tr(c.short or c.name, lang), float(nodes[c.id].value), float(nodes[c.id].maximum))
                 for c in children], title=gettext("Points by indicator: {dimension}").format(
                    dimension=tr(dimension.name, lang))))))
    rows = scenario_rows(questionnaire, model, card, lang)
    scenarios = Markup(scenario_levels_svg(rows, title=gettext("Level of each business scenario"),
                                           level_names=_level_names(questionnaire, model, lang))) if rows else None
    return {"radar": Markup(radar), "bars": Markup(bars), "indicators": indicators, "scenarios": scenarios}


@bp.get("/results/<int:assessment_id>")
def show(assessment_id: int) -> str | BaseResponse:
    """The result of a submitted assessment (a draft goes to its review)."""
    record = accessible(assessment_id)
    if record.draft:
        return redirect(url_for("assess.review", assessment_id=record.id), code=303)
    questionnaire, model = content_of(record)
    lang = current_language()
    _answers, card = assessments.result(questionnaire, model, record)
    document = scorecard_document(card, questionnaire, model, lang, gettext)
    story: Story = tell(card, questionnaire, model, lang)
    comparison = assessments.previous_comparison(db(), record)
    dimension_names = {d.id: tr(d.name, lang) for d in model.dimensions}
    level_names = {lv.level: tr(lv.name, lang) for lv in (*model.levels, model.below)}
    return render_template(
        "results/show.html", record=record, questionnaire=questionnaire, model=model, card=card, doc=document,
        story=story, comparison=comparison, dimension_names=dimension_names, level_names=level_names,
        caveats=[tr(c, lang) for c in model.caveats], form=ActionForm(), translate=gettext,
        **_charts(questionnaire, model, card, comparison, lang),
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


@bp.get("/results/<int:assessment_id>/report.pdf")
def report(assessment_id: int) -> Response | BaseResponse:
    """The result as a PDF report in the visitor's language."""
    record = accessible(assessment_id)
    if record.draft:
        return redirect(url_for("assess.review", assessment_id=record.id), code=303)
    questionnaire, model = content_of(record)
    lang = current_language()
    answers, card = assessments.result(questionnaire, model, record)
    previous_record = queries.previous_submitted(db(), record)
    previous = None
    if previous_record is not None and (previous_record.questionnaire_ref, previous_record.model_ref) == (
            record.questionnaire_ref, record.model_ref) and previous_record.submitted_at is not None:
        _old_answers, old_card = assessments.result(questionnaire, model, previous_record)
        previous = (previous_record.submitted_at.date().isoformat(), old_card)
    submitted = record.submitted_at.date() if record.submitted_at else None
    mode: Mode = next((m for m in MODES if m == record.mode), "self")
    data = build_report_data(questionnaire, model, answers, card, lang=lang, enterprise=_enterprise(record),
                             mode=mode, date=submitted, previous=previous)
    try:
        content = render_pdf(data)
    except ReportError:
        abort(503, description="report")
    return Response(content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="assessment-{record.id}.pdf"'})
