"""The `official` journey: a jurisdiction's protected aggregates, the target, exports, and results shared with it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, abort, current_app, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from assessment.domain.enterprise import SIZE_CLASS_LABELS, ZHUANJINGTEXIN_LABELS
from assessment.domain.questionnaire import tr
from assessment.reporting.aggregate_charts import bars_svg, distribution_svg, trend_svg
from assessment.reporting.charts import radar_svg
from assessment.services import assessments, export_jobs, security_log
from assessment.services.aggregates import exports, officials
from assessment.services.aggregates.cells import FIELDS, MODE_LABELS, SUPPRESSED, Labels
from assessment.services.aggregates.dashboard import Dashboard, population_refusal
from assessment.services.aggregates.exports import AggregateError
from assessment.services.aggregates.facts import layouts
from assessment.services.aggregates.filters import FilterChoices, Selection, read_filters
from assessment.services.aggregates.jurisdiction import scope_name
from assessment.services.aggregates.officials import Official
from assessment.services.aggregates.policy import disclosure_policy, export_limit
from assessment.services.aggregates.region_tiles import region_map, share_change
from assessment.services.authorization import principal_of
from assessment.services.export_jobs import Export
from assessment.services.scoring import scorecard_document
from assessment.web.access import user_id
from assessment.web.database import db, read_db
from assessment.web.forms import ActionForm
from assessment.web.jobs import queue
from assessment.web.language import COOKIE, current_language
from assessment.web.main import safe_next
from assessment.web.security_log import record_event
from assessment.web.site import site
from assessment.web.tenancy import clock, principal

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


def _filters(official: Official, args: Mapping[str, str] | None = None) -> FilterChoices:
    """The dashboard's filters from the query string (or these arguments)."""
    return read_filters(read_db(), request.args if args is None else args, layouts=layouts(site().library),
                        jurisdiction=official.jurisdiction, policy=disclosure_policy(current_app.config),
                        labels=_labels())


SHOWN_SECTION = "shown_section"
"""The industry section the filter form was shown with: a different one sent back is a new choice."""


def _section_changed() -> bool:
    """Whether the official has just chosen another industry section in the filter form."""
    return SHOWN_SECTION in request.args and \
        (request.args.get(SHOWN_SECTION) or "").strip() != (request.args.get("section") or "").strip()


def _period_in_words(period: int, grain: str) -> str:
    """A period as a person says it: 2026 年, 2026 年第 3 季度."""
    return str(gettext("%(year)s, quarter %(quarter)s", year=period // 10, quarter=period % 10) if grain == "quarter" \
        else gettext("Year %(year)s", year=period))


def _selection_in_words(form: FilterChoices, usual: Selection, official: Official) -> list[tuple[str, bool]]:
    """The filter in words, each part with whether it was chosen (differs from the unfiltered dashboard)."""
    chosen = form.selection
    parts: list[tuple[str, bool]] = []
    if len(form.models) > 1:
        parts.append((dict(form.models)[chosen.model_id], chosen.model_id != usual.model_id))
    if chosen.period is not None:
        parts.append((_period_in_words(chosen.period, chosen.grain),
                      (chosen.grain, chosen.period) != (usual.grain, usual.period)))
    parts.append((dict(form.regions)[chosen.region], True) if chosen.region
                 else (gettext("All of %(region)s", region=official.jurisdiction.name), False))
    parts.append((dict(form.sections)[chosen.section], True) if chosen.section else (gettext("All industries"), False))
    if chosen.division:
        parts.append((dict(form.divisions)[chosen.division], True))
    named: tuple[tuple[Mapping[Any, str], str | None], ...] = (
        (SIZE_CLASS_LABELS, chosen.size), (ZHUANJINGTEXIN_LABELS, chosen.zjtx), (MODE_LABELS, chosen.mode))
    others = [gettext(labels[value]) for labels, value in named if value]
    if chosen.data != "all":
        others.append(gettext("Without demonstration data") if chosen.data == "real"
                      else gettext("Demonstration data only"))
    return parts + ([(text, True) for text in others] or [(gettext("no other filter"), False)])


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
    bands = [(b.label, None if b.count is None else float(b.count), float(population or 0)) for b in board.bands]
    dims = [(d.label, d.mean, d.maximum) for d in board.dimensions]
    indicators = [(i.label, i.mean, i.maximum) for i in board.indicators]
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
            "bands_chart": _markup(bars_svg(bands, title=gettext("Enterprises by score band"),
                                            hidden_label=SUPPRESSED) if population else None),
            "dimensions_chart": _markup(bars_svg(dims, title=gettext("Mean points by dimension"),
                                                 hidden_label=SUPPRESSED) if dims else None),
            "indicators_chart": _markup(bars_svg(indicators, title=gettext("Mean points by indicator"),
                                                 hidden_label=SUPPRESSED) if indicators else None),
            "scenarios_chart": _markup(scenarios_chart), "trend_chart": _markup(trend),
            "breakdown_charts": _breakdown_charts(board, layout.level_name(board.target_level, lang))}


def _breakdown_charts(board: Dashboard, level_name: str) -> dict[str, Markup]:
    """For each breakdown but the regions (the tiles show them), the share at the target level and above per row."""
    charts = {}
    for breakdown in board.breakdowns:
        rows = [(r.label, None if r.share.share is None else round(r.share.share * 100, 1), 100.0)
                for r in breakdown.rows if r.count]
        if rows and breakdown.field != "region":
            charts[breakdown.field] = Markup(bars_svg(
                rows, title=gettext("Share at %(level)s and above, by %(field)s", level=level_name,
                                    field=breakdown.title), hidden_label=SUPPRESSED, unit="%"))
    return charts


@bp.get("/")
def dashboard() -> str:
    """The jurisdiction's aggregates for one period and filter; every number through disclosure control."""
    official = current_official()
    section_changed = _section_changed()
    # the division sent with a new section belongs to the old one: the form offers the new section's divisions
    form = _filters(official, {k: v for k, v in request.args.items() if k != "division"} if section_changed else None)
    policy = disclosure_policy(current_app.config)
    board = officials.view_dashboard(db(), official, form, policy=policy, labels=_labels(), reads=read_db())
    db().commit()
    lang = current_language()
    query = form.query()
    labels = _labels()
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
        dashboard_url=url_for(".dashboard") + ("?" + urlencode(query) if query else ""),
        region_map=region_map(board, labels, {code for code, _name in form.regions}) if board.total else None,
        change=share_change(board), shown_section=SHOWN_SECTION,
        filter_words=_selection_in_words(form, _filters(official, {}).selection, official),
        filter_open=bool(form.errors) or (section_changed and bool(form.divisions)), **_charts(board))


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


def _now() -> datetime:
    return datetime.fromtimestamp(clock(), UTC)


def _plain(status: int, text: str) -> Response:
    return Response(text, status, mimetype="text/plain")


def _prepared(official: Official, kind: str) -> tuple[exports.CellExport, str, Labels]:
    """The protected cells of the download the query string asks for, its file name and labels (the synchronous
    download and the export job both come here); aborts with the reason when it cannot be given."""
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
    problem = population_refusal(read_db(), jurisdiction=official.jurisdiction, selection=selection, layout=form.layout,
                                 policy=policy, regions=labels.regions)
    if problem is not None:
        abort(_plain(403, problem.render(gettext)))
    try:
        cells = officials.export_cells(db(), official, form, by, policy=policy, labels=labels,
                                       zeros=request.args.get("zeros") == "1",
                                       max_groups=export_limit(current_app.config), kind=kind, reads=read_db())
    except AggregateError as exc:
        abort(_plain(400, exc.problem.render(gettext)))
    record_event(security_log.EXPORT, what="aggregates", format=kind, by=",".join(by), region_code=official.authority)
    db().commit()
    return cells, officials.export_name(official, selection, by, kind), labels


def _chunks(cells: exports.CellExport, kind: str, labels: Labels) -> Iterator[str] | Iterator[bytes]:
    return exports.csv_chunks(cells) if kind == "csv" else exports.json_chunks(cells) if kind == "json" \
        else exports.xlsx_chunks(cells, labels)


@bp.get("/export.<kind>")
def export(kind: str) -> Response:
    """The protected cells of a breakdown as CSV, XLSX or JSON, with the dashboard's filters; streamed."""
    cells, name, labels = _prepared(current_official(), kind)
    response = Response(stream_with_context(_chunks(cells, kind, labels)), mimetype=EXPORT_TYPES[kind])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    if cells.meta.get("demo"):
        response.headers["X-Demo-Data"] = "true"
    return response


def export_file(app: Flask) -> Export:
    """An export job's file made as the download makes it, for the job's owner while still an official (the worker's
    request context of its own, with the stored query values and language)."""
    def make(owner_id: int, parameters: dict[str, Any]) -> tuple[str, bytes]:
        kind, lang = str(parameters.get("kind")), str(parameters.get("lang", "zh"))
        query = urlencode([(str(k), str(v)) for k, v in parameters.get("arguments", [])])
        with app.test_request_context(f"/official/export.{kind}?{query}",
                                      environ_base={"HTTP_COOKIE": f"{COOKIE}={lang}"}):
            official = officials.official_of(db(), principal_of(db(), owner_id), site().regions)
            if official is None:
                raise RuntimeError("the job's owner is no longer an official")
            cells, name, labels = _prepared(official, kind)
            content = b"".join(c.encode() if isinstance(c, str) else c for c in _chunks(cells, kind, labels))
            db().commit()
            return name, content
    return make


@bp.route("/export-job", methods=["GET", "POST"])
def export_job() -> BaseResponse | str:
    """Ask for a large table as a file made in the background (the download's fields and filters); the job's page
    offers it when it is ready."""
    official = current_official()
    arguments = [(k, v) for k in request.values if k not in ("csrf_token", "kind")
                 for v in request.values.getlist(k)]
    form = ActionForm()
    kind = request.form.get("kind", "")
    if request.method == "POST" and form.validate_on_submit() and kind in EXPORT_TYPES:
        job_id = export_jobs.start_export(db(), principal(), arguments, kind, current_language(), _now())
        record_event(security_log.EXPORT, what="aggregates_job", format=kind, region_code=official.authority)
        db().commit()
        queue().enqueue(job_id)
        return redirect(url_for("jobs.show", job_id=job_id), code=303)
    return render_template("official/export_job.html", arguments=arguments[:export_jobs.MAX_ARGUMENTS],
                           kinds=export_jobs.KINDS, form=form)


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
