"""The `official` journey: a jurisdiction's protected aggregates, the target, exports, and results shared with it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from assessment.domain.enterprise import SIZE_CLASS_LABELS, ZHUANJINGTEXIN_LABELS
from assessment.domain.questionnaire import tr
from assessment.reporting.aggregate_charts import distribution_svg, trend_svg
from assessment.reporting.charts import bars_svg, radar_svg
from assessment.services import assessments, security_log
from assessment.services.aggregates import exports, officials
from assessment.services.aggregates.cells import FIELDS, MODE_LABELS, SUPPRESSED, Labels
from assessment.services.aggregates.dashboard import Dashboard, population_refusal
from assessment.services.aggregates.exports import AggregateError
from assessment.services.aggregates.facts import layouts
from assessment.services.aggregates.filters import FilterChoices, read_filters
from assessment.services.aggregates.jurisdiction import scope_name
from assessment.services.aggregates.officials import Official
from assessment.services.aggregates.policy import disclosure_policy, export_limit
from assessment.services.scoring import scorecard_document
from assessment.web.access import user_id
from assessment.web.database import db
from assessment.web.forms import ActionForm
from assessment.web.language import current_language
from assessment.web.main import safe_next
from assessment.web.security_log import record_event
from assessment.web.site import site
from assessment.web.tenancy import principal

bp = Blueprint("official", __name__, url_prefix="/official")

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def current_official() -> Official:
    """The logged-in official; anonymous visitors go to the login page, other accounts get 403."""
    if user_id() is None:
        abort(redirect(url_for("auth.login", next=request.full_path.rstrip("?")), code=303))
    found = officials.official_of(db(), principal(), site().regions)
    if found is None:
        abort(Response(render_template(
            "errors/error.html", code=403, title=gettext("Only for officials"),
            message=gettext("This part of the site is for officials of a competent department, each for the "
                            "region their account is set up for.")), 403))
    return found


def _labels() -> Labels:
    return Labels(site().regions, site().industries, gettext, current_language())


def _filters(official: Official) -> FilterChoices:
    """The dashboard's filters from the query string."""
    return read_filters(db(), request.args, layouts=layouts(site().library), jurisdiction=official.jurisdiction,
                        policy=disclosure_policy(current_app.config), labels=_labels())


def _percent(value: float | None) -> str:
    return SUPPRESSED if value is None else f"{value * 100:.1f}%".replace(".0%", "%")


def _any_hidden(*parts: Any) -> bool:
    """Whether any figure in these rows (counts, shares, means, nested rows) is suppressed."""
    for part in parts:
        if part is None:
            return True
        if isinstance(part, (tuple, list)):
            if _any_hidden(*part):
                return True
        elif hasattr(part, "__dataclass_fields__") and _any_hidden(*(
                getattr(part, name) for name in ("count", "levels", "share", "mean_score", "mean", "counts",
                                                 "mean_level") if hasattr(part, name))):
            return True
    return False


def _markup(svg: str | None) -> Markup | None:
    return Markup(svg) if svg else None


def _charts(board: Dashboard) -> dict[str, Any]:
    """SVG charts from the protected values only; a suppressed figure is left out."""
    if board.total is None:
        return {}
    layout = board.layout
    lang = current_language()
    population = board.total.count
    level_names = [layout.level_name(lv, lang) for lv, _name, _count in board.levels]
    levels_chart = distribution_svg([(gettext("All enterprises"), population, [c for _lv, _n, c in board.levels])],
                                    level_names, title=gettext("Enterprises by level"), hidden_label=SUPPRESSED)
    bands = [(b.label, float(b.count), float(population)) for b in board.bands if b.count is not None and population]
    dims = [(d.label, d.mean, d.maximum) for d in board.dimensions if d.mean is not None]
    radar = radar_svg([(label, mean / maximum if maximum else 0.0) for label, mean, maximum in dims],
                      title=gettext("Mean score by dimension, as a share of its maximum")) if len(dims) >= 3 else None
    indicators = [(i.label, i.mean, i.maximum) for i in board.indicators if i.mean is not None]
    scenarios_chart = distribution_svg(
        [(s.label, population, s.counts) for s in board.scenarios],
        [str(r) for r in range(len(board.scenarios[0].counts))],
        title=gettext("Level of each business scenario (share of enterprises)"),
        hidden_label=SUPPRESSED) if board.scenarios else None
    target = float(board.target.share) if board.target is not None else None
    trend = trend_svg([(p.label, p.row.share.share) for p in board.trend], target=target,
                      title=gettext("Share at %(level)s and above, by period",
                                    level=layout.level_name(board.target_level, lang)),
                      hidden_label=SUPPRESSED, target_label=gettext("Target"))
    return {"levels_chart": _markup(levels_chart),
            "bands_chart": _markup(bars_svg(bands, title=gettext("Enterprises by score band")) if bands else None),
            "radar_chart": _markup(radar),
            "dimensions_chart": _markup(bars_svg(dims, title=gettext("Mean points by dimension")) if dims else None),
            "indicators_chart": _markup(bars_svg(indicators, title=gettext("Mean points by indicator"))
                                        if indicators else None),
            "scenarios_chart": _markup(scenarios_chart), "trend_chart": _markup(trend),
            "breakdown_charts": _breakdown_charts(board, level_names)}


def _breakdown_charts(board: Dashboard, level_names: list[str]) -> dict[str, Markup]:
    """A stacked level chart for each breakdown with published rows."""
    charts = {}
    for breakdown in board.breakdowns:
        rows = [(r.label, r.count, r.levels) for r in breakdown.rows if r.count]
        if rows:
            charts[breakdown.field] = Markup(distribution_svg(
                rows, level_names, title=gettext("Levels by %(field)s", field=breakdown.title),
                hidden_label=SUPPRESSED))
    return charts


@bp.get("/")
def dashboard() -> str:
    """The jurisdiction's aggregates for one period and filter; every number through disclosure control."""
    official = current_official()
    form = _filters(official)
    policy = disclosure_policy(current_app.config)
    board = officials.view_dashboard(db(), official, form, policy=policy, labels=_labels())
    db().commit()
    lang = current_language()
    query = form.query()
    return render_template(
        "official/dashboard.html", official=official, form=form, board=board, policy=policy,
        suppressed_symbol=SUPPRESSED, percent=_percent, action=ActionForm(), any_hidden=_any_hidden,
        scope=scope_name(site().regions, official.jurisdiction, form.selection.region),
        level_choices=[(lv, form.layout.level_name(lv, lang)) for lv in form.layout.levels if lv > 0],
        size_labels={k: gettext(v) for k, v in SIZE_CLASS_LABELS.items()},
        zjtx_labels={k: gettext(v) for k, v in ZHUANJINGTEXIN_LABELS.items()},
        mode_labels={k: gettext(v) for k, v in MODE_LABELS.items()},
        export_fields=[(f, gettext(label)) for f, label in FIELDS.items()],
        problem_text=board.refusal.render(gettext) if board.refusal else None,
        model_name=tr(form.layout.model.name, lang),
        dashboard_url=url_for(".dashboard") + ("?" + urlencode(query) if query else ""), **_charts(board))


@bp.post("/target")
def set_target() -> BaseResponse | tuple[str, int]:
    """Store the official's target: a share of enterprises at a level or above (or remove it)."""
    official = current_official()
    form = ActionForm()
    back = safe_next(request.form.get("next"), url_for(".dashboard"))
    if not form.validate_on_submit():
        abort(400)
    if request.form.get("action") == "clear":
        officials.set_target(db(), official, None)
        db().commit()
        return redirect(back, code=303)
    typed = {name: str(request.form.get(name) or "").strip() for name in ("level", "share", "year")}
    target, errors = officials.read_target(typed, gettext)
    if target is None:
        return render_template("official/target.html", form=form, errors=errors, typed=typed, back=back,
                               level_choices=officials.target_levels(layouts(site().library),
                                                                     current_language())), 422
    officials.set_target(db(), official, target)
    db().commit()
    return redirect(back, code=303)


def _plain(status: int, text: str) -> Response:
    return Response(text, status, mimetype="text/plain")


@bp.get("/export.<kind>")
def export(kind: str) -> Response:
    """The protected cells of a breakdown as CSV, XLSX or JSON, with the dashboard's filters; streamed."""
    official = current_official()
    if kind not in EXPORT_TYPES:
        abort(404)
    form = _filters(official)
    selection = form.selection
    policy = disclosure_policy(current_app.config)
    labels = _labels()
    if selection.period is None:
        abort(_plain(404, gettext("No assessment in this jurisdiction yet")))
    asked = [p for value in request.args.getlist("by") for p in value.split(",") if p.strip()]
    by = officials.export_fields(asked, official, selection, labels.regions)
    problem = population_refusal(db(), jurisdiction=official.jurisdiction, selection=selection, layout=form.layout,
                                 policy=policy, regions=labels.regions)
    if problem is not None:
        abort(_plain(403, problem.render(gettext)))
    try:
        cells = officials.export_cells(db(), official, form, by, policy=policy, labels=labels,
                                       zeros=request.args.get("zeros") == "1",
                                       max_groups=export_limit(current_app.config), kind=kind)
    except AggregateError as exc:
        abort(_plain(400, exc.problem.render(gettext)))
    record_event(security_log.EXPORT, what="aggregates", format=kind, by=",".join(by), region_code=official.authority)
    db().commit()
    chunks = exports.csv_chunks(cells) if kind == "csv" else exports.json_chunks(cells) if kind == "json" \
        else exports.xlsx_chunks(cells, labels)
    response = Response(stream_with_context(chunks), mimetype=EXPORT_TYPES[kind])
    response.headers["Content-Disposition"] = f'attachment; filename="{officials.export_name(official, selection, by, kind)}"'
    response.headers["Cache-Control"] = "no-store"
    if cells.meta.get("demo"):
        response.headers["X-Demo-Data"] = "true"
    return response


# --- results shared with the authority ---------------------------------------------------------------------------

@bp.get("/shared")
def shared() -> str:
    """The individual results enterprises shared with this authority."""
    official = current_official()
    regions = site().regions
    return render_template("official/shared.html", official=official, results=officials.shared_results(db(), official),
                           region_name=lambda code: regions.full_name(code) or code)


@bp.get("/results/<int:assessment_id>")
def shared_result(assessment_id: int) -> str:
    """One result an enterprise shared with this authority; 404 for anything else. Every view is logged."""
    official = current_official()
    found = officials.shared_assessment(db(), principal(), official, assessment_id)
    if found is None:
        abort(404)
    record = found.record
    questionnaire = site().questionnaire(record.questionnaire_ref)
    model = site().model(record.model_ref)
    if questionnaire is None or model is None:
        abort(503, description="content-missing")
    lang = current_language()
    _answers, card = assessments.result(questionnaire, model, record)
    document = scorecard_document(card, questionnaire, model, lang, gettext)
    officials.log_access(db(), official, "result", result=found.share)
    db().commit()
    nodes = card.nodes
    radar = radar_svg([(tr(d.short or d.name, lang), nodes[d.id].ratio) for d in model.dimensions],
                      title=gettext("Score by dimension, as a share of its maximum"))
    scenario_names = {iid: tr((questionnaire.item(iid).short or questionnaire.item(iid).text)  # type: ignore[union-attr]
                              if questionnaire.item(iid) else None, lang) for iid in card.ratings}
    return render_template("official/result.html", official=official, result=found.share, doc=document,
                           questionnaire=questionnaire, radar=Markup(radar), scenario_names=scenario_names,
                           region_name=site().regions.full_name(found.share.region_code) or found.share.region_code,
                           mode_label=gettext(MODE_LABELS.get(found.share.mode, found.share.mode)))
