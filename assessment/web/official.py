"""The `official` journey: a jurisdiction's protected aggregates, the target, exports, and results shared with it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, cast
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Config,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.cli import AppGroup
from flask_babel import gettext
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from assessment.cli import aggregate as aggregate_cli
from assessment.db import facts, queries
from assessment.db.facts import GRAINS, Target
from assessment.domain.disclosure import Policy, population_problem
from assessment.domain.enterprise import SIZE_CLASS_LABELS, SIZE_CLASSES, ZHUANJINGTEXIN_LABELS, ZHUANJINGTEXIN_STATUSES
from assessment.domain.numbers import NumberRefused, NumberRule, read_number, read_whole
from assessment.domain.questionnaire import tr
from assessment.reporting.aggregate_charts import distribution_svg, trend_svg
from assessment.reporting.charts import bars_svg, radar_svg
from assessment.services import aggregates, assessments, authorization, security_log
from assessment.services.aggregates import (
    DATA_CHOICES,
    MODE_LABELS,
    MODES,
    SUPPRESSED,
    AggregateError,
    CellRequest,
    Dashboard,
    FactLayout,
    Jurisdiction,
    Labels,
    Selection,
)
from assessment.services.scoring import scorecard_document
from assessment.web.access import user_id
from assessment.web.database import db
from assessment.web.forms import ActionForm
from assessment.web.language import current_language
from assessment.web.main import safe_next
from assessment.web.security_log import record_event
from assessment.web.site import site
from assessment.web.tenancy import principal

bp = Blueprint("official", __name__, url_prefix="/official", cli_group=None)  # its commands are top-level

DEFAULT_K = 5
DEFAULT_MIN_K = 3
DEFAULT_MODEL = "miit-2024"
TARGET_PERCENT = NumberRule(Fraction(0), Fraction(100))
"""A target share, typed as a percentage (stored to four decimals of the share)."""
EXPORT_MAX_GROUPS = 5_000
"""A download may count at most this many combinations (SQL groups); disclosure control of more takes too long."""
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def disclosure_policy(config: Config | Mapping[str, Any], k: int | None = None) -> Policy:
    """The disclosure policy: k from the request or DISCLOSURE_K (default 5), never below DISCLOSURE_MIN_K."""
    floor = int(config.get("DISCLOSURE_MIN_K", DEFAULT_MIN_K))
    if k is not None and k < floor:
        raise ValueError(f"the minimum cell size is {floor} on this server (DISCLOSURE_MIN_K); {k} is lower")
    chosen = k if k is not None else int(config.get("DISCLOSURE_K", DEFAULT_K))
    return Policy(k=max(chosen, floor))


@dataclass(frozen=True)
class Official:
    """The logged-in official and the jurisdiction the account is scoped to."""

    user_id: int
    email: str
    jurisdiction: Jurisdiction

    @property
    def authority(self) -> str:
        """The account's region code: the jurisdiction's, or NATIONAL_CODE for the whole country."""
        return self.jurisdiction.code or aggregates.NATIONAL_CODE


def current_official() -> Official:
    """The logged-in official; anonymous visitors go to the login page, other accounts get 403."""
    if user_id() is None:
        abort(redirect(url_for("auth.login", next=request.full_path.rstrip("?")), code=303))
    record = authorization.official_of(db(), principal())
    jurisdiction = aggregates.jurisdiction_of(site().regions, record.region_code) if record else None
    if record is None or jurisdiction is None:
        abort(Response(render_template(
            "errors/error.html", code=403, title=gettext("Only for officials"),
            message=gettext("This part of the site is for officials of a competent department, each for the "
                            "region their account is set up for.")), 403))
    return Official(record.id, record.contact, jurisdiction)


def _labels() -> Labels:
    return Labels(site().regions, site().industries, gettext, current_language())


# --- the filter form -----------------------------------------------------------------------------------------

@dataclass
class FilterForm:
    """The dashboard's GET form: what was asked, what was kept, the choices, and messages about the rest."""

    selection: Selection
    layout: FactLayout
    periods: list[tuple[int, str]] = field(default_factory=list)
    models: list[tuple[str, str]] = field(default_factory=list)
    regions: list[tuple[str, str]] = field(default_factory=list)
    sections: list[tuple[str, str]] = field(default_factory=list)
    divisions: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def query(self, **changes: Any) -> dict[str, str]:
        """The selection as query-string parameters (empty ones left out), with changes."""
        values = {"model": self.selection.model_id, "grain": self.selection.grain,
                  "period": aggregates.period_label(self.selection.period, self.selection.grain)
                  if self.selection.period else "",
                  "region": self.selection.region or "", "section": self.selection.section or "",
                  "division": self.selection.division or "", "size": self.selection.size or "",
                  "zjtx": self.selection.zjtx or "", "mode": self.selection.mode or "",
                  "data": "" if self.selection.data == "all" else self.selection.data}
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v}


def _choice(args: Mapping[str, str], name: str, allowed: Mapping[str, Any] | tuple[str, ...],
            errors: list[str], message: str) -> str | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    if value not in allowed:
        errors.append(message)
        return None
    return value


def read_filters(args: Mapping[str, str], official: Official) -> FilterForm:
    """The selection from the query string; unknown values are dropped with a message."""
    s = site()
    regions, industries = s.regions, s.industries
    lang = current_language()
    errors: list[str] = []
    layouts = aggregates.layouts_cache(s.library)
    with_facts = [m for m in facts.models(db()) if m in layouts]
    offered = with_facts or ([DEFAULT_MODEL] if DEFAULT_MODEL in layouts else sorted(layouts)[:1])
    default = DEFAULT_MODEL if DEFAULT_MODEL in offered else offered[0]
    model_id = _choice(args, "model", tuple(offered), errors, gettext("Choose one of the listed questionnaires.")) \
        or default
    layout = layouts[model_id]
    grain_text = _choice(args, "grain", GRAINS, errors, gettext("Choose a year or a quarter."))
    grain: facts.Grain = "quarter" if grain_text == "quarter" else "year"
    jurisdiction = official.jurisdiction
    sizes = facts.period_sizes(db(), model_id, grain, jurisdiction.conditions())
    available = [p for p, _n in sizes]
    # By default the latest period big enough to publish, not a quarter that has only just begun.
    floor = disclosure_policy(current_app.config).population_floor
    period = next((p for p, n in reversed(sizes) if n >= floor), available[-1] if available else None)
    raw_period = (args.get("period") or "").strip()
    if raw_period:
        parsed = aggregates.parse_period(raw_period)
        if parsed is None or parsed[1] != grain:
            errors.append(gettext("Write the period as a year (2025) or a quarter (2025Q3), matching the choice of "
                                  "year or quarter."))
        else:
            period = parsed[0]
    descendants: list[tuple[str, str]] = []
    for child in aggregates.child_regions(regions, jurisdiction.code):
        descendants.append((child.code, child.name))
        if child.level == "city":
            descendants.extend((c.code, f"{child.name} / {c.name}") for c in regions.counties(child.code))
        elif child.level == "province":  # a national official: the provinces, each followed by its cities
            descendants.extend((c.code, f"{child.name} / {c.name}")
                               for c in aggregates.child_regions(regions, child.code))
    region = _choice(args, "region", dict(descendants), errors,
                     gettext("Choose a region within your jurisdiction."))
    sections = [(i.code, f"{i.code} {i.name}") for i in industries.sections()]
    section = _choice(args, "section", dict(sections), errors, gettext("Choose one of the listed industries."))
    division = None
    divisions: list[tuple[str, str]] = []
    if section is not None:
        divisions = [(i.code, f"{i.code} {i.name}") for i in industries.divisions(section)]
        division = _choice(args, "division", dict(divisions), errors,
                           gettext("Choose one of the listed industry divisions."))
    size = _choice(args, "size", SIZE_CLASSES, errors, gettext("Choose one of the listed size classes."))
    zjtx = _choice(args, "zjtx", ZHUANJINGTEXIN_STATUSES, errors, gettext("Choose one of the listed statuses."))
    mode = _choice(args, "mode", MODES, errors, gettext("Choose one of the listed assessment modes."))
    data = _choice(args, "data", DATA_CHOICES, errors, gettext("Choose which data to include.")) or "all"
    selection = Selection(model_id, grain, period, region, section, division, size, zjtx, mode,
                          "demo" if data == "demo" else "real" if data == "real" else "all")
    models = [(m, tr(layouts[m].model.name, lang)) for m in offered]
    periods = [(p, aggregates.period_label(p, grain)) for p in available]
    if period is not None and period not in available:
        periods.append((period, aggregates.period_label(period, grain)))
        periods.sort()
    return FilterForm(selection, layout, periods, models, descendants, sections, divisions, errors)


def _percent(value: float | None) -> str:
    return SUPPRESSED if value is None else f"{value * 100:.1f}%".replace(".0%", "%")


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
    bands_chart = bars_svg(bands, title=gettext("Enterprises by score band")) if bands else None
    dims = [(d.label, d.mean, d.maximum) for d in board.dimensions if d.mean is not None]
    radar = radar_svg([(label, mean / maximum if maximum else 0.0) for label, mean, maximum in dims],
                      title=gettext("Mean score by dimension, as a share of its maximum")) if len(dims) >= 3 else None
    dims_chart = bars_svg([(label, mean, maximum) for label, mean, maximum in dims],
                          title=gettext("Mean points by dimension")) if dims else None
    indicators = [(i.label, i.mean, i.maximum) for i in board.indicators if i.mean is not None]
    indicators_chart = bars_svg(indicators, title=gettext("Mean points by indicator")) if indicators else None
    scenario_names = [str(r) for r in range(len(board.scenarios[0].counts))] if board.scenarios else []
    scenarios_chart = distribution_svg(
        [(s.label, population, s.counts) for s in board.scenarios], scenario_names,
        title=gettext("Level of each business scenario (share of enterprises)"),
        hidden_label=SUPPRESSED) if board.scenarios else None
    target = float(board.target.share) if board.target is not None else None
    trend = trend_svg([(p.label, p.row.share.share) for p in board.trend], target=target,
                      title=gettext("Share at %(level)s and above, by period",
                                    level=layout.level_name(board.target_level, lang)),
                      hidden_label=SUPPRESSED, target_label=gettext("Target"))
    breakdown_charts = {}
    for breakdown in board.breakdowns:
        rows = [(r.label, r.count, r.levels) for r in breakdown.rows if r.count]
        if rows:
            breakdown_charts[breakdown.field] = Markup(distribution_svg(
                rows, level_names, title=gettext("Levels by %(field)s", field=breakdown.title),
                hidden_label=SUPPRESSED))
    return {"levels_chart": _markup(levels_chart), "bands_chart": _markup(bands_chart), "radar_chart": _markup(radar),
            "dimensions_chart": _markup(dims_chart), "indicators_chart": _markup(indicators_chart),
            "scenarios_chart": _markup(scenarios_chart), "trend_chart": _markup(trend),
            "breakdown_charts": breakdown_charts}


def _markup(svg: str | None) -> Markup | None:
    return Markup(svg) if svg else None


def _target(official: Official) -> Target | None:
    return facts.target_of(db(), official.user_id)


def _shared_with(official: Official) -> str | None:
    return official.jurisdiction.code


@bp.get("/")
def dashboard() -> str:
    """The jurisdiction's aggregates for one period and filter; every number through disclosure control."""
    official = current_official()
    form = read_filters(request.args, official)
    policy = disclosure_policy(current_app.config)
    board = aggregates.dashboard(
        db(), regions=site().regions, industries=site().industries, layout=form.layout,
        jurisdiction=official.jurisdiction, selection=form.selection, policy=policy, target=_target(official),
        labels=_labels(), shared_with=_shared_with(official))
    facts.log_access(db(), user_id=official.user_id, region_code=official.authority,
                     kind="dashboard", detail=form.query())
    db().commit()
    lang = current_language()
    return render_template(
        "official/dashboard.html", official=official, form=form, board=board, policy=policy,
        suppressed_symbol=SUPPRESSED, percent=_percent, action=ActionForm(),
        level_choices=[(lv, form.layout.level_name(lv, lang)) for lv in form.layout.levels if lv > 0],
        size_labels={k: gettext(v) for k, v in SIZE_CLASS_LABELS.items()},
        zjtx_labels={k: gettext(v) for k, v in ZHUANJINGTEXIN_LABELS.items()},
        mode_labels={k: gettext(v) for k, v in MODE_LABELS.items()},
        export_fields=[(f, gettext(label)) for f, label in aggregates.FIELDS.items()],
        problem_text=board.refusal.render(gettext) if board.refusal else None,
        model_name=tr(form.layout.model.name, lang),
        here=_dashboard_url(form), **_charts(board))


def _dashboard_url(form: FilterForm) -> str:
    query = form.query()
    return url_for(".dashboard") + ("?" + urlencode(query) if query else "")


@bp.post("/target")
def set_target() -> BaseResponse | tuple[str, int]:
    """Store the official's target: a share of enterprises at a level or above (or remove it)."""
    official = current_official()
    form = ActionForm()
    back = safe_next(request.form.get("next"), url_for(".dashboard"))
    if not form.validate_on_submit():
        abort(400)
    if request.form.get("action") == "clear":
        facts.set_target(db(), official.user_id, None)
        db().commit()
        return redirect(back, code=303)
    typed = {name: str(request.form.get(name) or "").strip() for name in ("level", "share", "year")}
    errors: dict[str, list[str]] = {}
    try:
        percent = read_number(typed["share"].removesuffix("%").removesuffix("％"), TARGET_PERCENT)
    except NumberRefused:
        errors["share"] = [gettext("Enter the target as a percentage between 0 and 100, for example 30.")]
    level = read_whole(typed["level"], 1, 4)
    if level is None:
        errors["level"] = [gettext("Choose one of the listed levels.")]
    year = read_whole(typed["year"], 2000, 2100) if typed["year"] else None
    if typed["year"] and year is None:
        errors["year"] = [gettext("Enter the target year as four digits, for example 2027.")]
    if errors or level is None:
        return render_template("official/target.html", form=form, errors=errors, typed=typed, back=back,
                               level_choices=_target_levels()), 422
    share = Decimal(percent.numerator) / Decimal(percent.denominator) / 100  # at most 32 digits: exact enough
    facts.set_target(db(), official.user_id, Target(level, share.quantize(Decimal("0.0001")), year))
    db().commit()
    return redirect(back, code=303)


def _target_levels() -> list[tuple[int, str]]:
    """The levels a target may name, with their names in the default model."""
    layout = aggregates.layouts_cache(site().library).get(DEFAULT_MODEL)
    lang = current_language()
    return [(level, layout.level_name(level, lang) if layout is not None else str(level)) for level in range(1, 5)]


def _export_by(args: Any, form: FilterForm, official: Official) -> tuple[str, ...]:
    raw = [p for value in args.getlist("by") for p in value.split(",") if p.strip()]
    if raw:
        return tuple(raw)
    region = form.selection.region or official.jurisdiction.code
    found = site().regions.get(region) if region else None
    return ("region", "level") if found is None or found.level != "county" else ("section", "level")


@bp.get("/export.<kind>")
def export(kind: str) -> Response:
    """The protected cells of a breakdown as CSV, XLSX or JSON, with the dashboard's filters; streamed."""
    official = current_official()
    if kind not in EXPORT_TYPES:
        abort(404)
    form = read_filters(request.args, official)
    selection = form.selection
    policy = disclosure_policy(current_app.config)
    labels = _labels()
    regions = site().regions
    if selection.period is None:
        abort(Response(gettext("No assessment in this jurisdiction yet"), 404, mimetype="text/plain"))
    by = _export_by(request.args, form, official)
    problem = selection_problem(official, selection, form.layout, policy)
    if problem is not None:
        abort(Response(problem, 403, mimetype="text/plain"))
    periods = aggregates.periods_back(selection.period, selection.grain, aggregates.TREND_PERIODS) \
        if "period" in by else (selection.period,)
    cell_request = CellRequest(
        by, selection.model_id, selection.grain, periods[0], periods[-1], official.jurisdiction,
        selection.filters(regions), selection.demo, _shared_with(official), request.args.get("zeros") == "1")
    try:
        cells = aggregates.cell_export(db(), regions=regions, industries=site().industries, layout=form.layout,
                                       request=cell_request, policy=policy, labels=labels,
                                       max_groups=int(current_app.config.get("EXPORT_MAX_GROUPS", EXPORT_MAX_GROUPS)))
    except AggregateError as exc:
        abort(Response(exc.problem.render(gettext), 400, mimetype="text/plain"))
    facts.log_access(db(), user_id=official.user_id, region_code=official.authority, kind="export",
                     detail={**form.query(), "by": ",".join(by), "format": kind})
    record_event(security_log.EXPORT, what="aggregates", format=kind, by=",".join(by), region_code=official.authority)
    db().commit()
    chunks: Iterator[str] | Iterator[bytes]
    if kind == "csv":
        chunks = aggregates.csv_chunks(cells)
    elif kind == "json":
        chunks = aggregates.json_chunks(cells)
    else:
        chunks = aggregates.xlsx_chunks(cells, labels)
    name = f"aggregates-{official.authority}-{aggregates.period_label(selection.period, selection.grain)}"
    response = Response(stream_with_context(chunks), mimetype=EXPORT_TYPES[kind])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{"-".join(by)}.{kind}"'
    response.headers["Cache-Control"] = "no-store"
    if cells.meta.get("demo"):
        response.headers["X-Demo-Data"] = "true"
    return response


def selection_problem(official: Official, selection: Selection, layout: FactLayout, policy: Policy) -> str | None:
    """Why a selection's population may not be published (the dashboard's own check), translated; None if it may."""
    if selection.period is None:
        return None
    filters = selection.filters(site().regions)
    query = facts.FactQuery(layout.model_id, selection.grain, selection.period, selection.period,
                            (*official.jurisdiction.conditions(), *filters), demo=selection.demo)
    population = facts.counts(db(), query, drop=[c for c, _ in filters])
    problem = population_problem(population.count, policy, population.supersets)
    return None if problem is None else problem.render(gettext)


# --- results shared with the authority ---------------------------------------------------------------------------

@bp.get("/shared")
def shared() -> str:
    """The individual results enterprises shared with this authority."""
    official = current_official()
    results = facts.shared_results(db(), official.authority)
    regions = site().regions
    return render_template("official/shared.html", official=official, results=results,
                           region_name=lambda code: regions.full_name(code) or code)


@bp.get("/results/<int:assessment_id>")
def shared_result(assessment_id: int) -> str:
    """One result an enterprise shared with this authority; 404 for anything else. Every view is logged."""
    official = current_official()
    found = authorization.shared_result(db(), principal(), official.authority, assessment_id)
    record = queries.get_assessment(db(), assessment_id) if found is not None else None
    if found is None or record is None:
        abort(404)
    questionnaire = site().questionnaire(record.questionnaire_ref)
    model = site().model(record.model_ref)
    if questionnaire is None or model is None:
        abort(503, description="content-missing")
    lang = current_language()
    _answers, card = assessments.result(questionnaire, model, record)
    document = scorecard_document(card, questionnaire, model, lang, gettext)
    facts.log_access(db(), user_id=official.user_id, region_code=official.authority, kind="result",
                     assessment_id=found.assessment_id, enterprise_id=found.enterprise_id)
    db().commit()
    nodes = card.nodes
    radar = radar_svg([(tr(d.short or d.name, lang), nodes[d.id].ratio) for d in model.dimensions],
                      title=gettext("Score by dimension, as a share of its maximum"))
    scenario_names = {iid: tr((questionnaire.item(iid).short or questionnaire.item(iid).text)  # type: ignore[union-attr]
                              if questionnaire.item(iid) else None, lang) for iid in card.ratings}
    return render_template("official/result.html", official=official, result=found, doc=document,
                           questionnaire=questionnaire, radar=Markup(radar), scenario_names=scenario_names,
                           region_name=site().regions.full_name(found.region_code) or found.region_code,
                           mode_label=gettext(MODE_LABELS.get(found.mode, found.mode)))


aggregate_cli.register(cast(AppGroup, bp.cli))  # `assessment aggregate`, `assessment demo-data`, `assessment facts rebuild`
