"""The officials' endpoints (an official's token): the dashboard figures and the cell exports of the official's
jurisdiction, through the same services and the same disclosure control as the web's pages (same k, same
suppression, same cells)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Response, current_app, request
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from assessment.api.access import Caller, admit, forbidden, permitted, token_caller
from assessment.api.etags import tagged_json
from assessment.api.official_schemas import DashboardSchema, dashboard_parameters, export_content, export_parameters
from assessment.api.problems import answer_as_problems, problem, translate
from assessment.api.state import api_state
from assessment.api.token_endpoints import code_lists, labels, operation
from assessment.domain.answers import N_, Problem
from assessment.services import security_log
from assessment.services.aggregates import exports, officials
from assessment.services.aggregates.dashboard import population_refusal
from assessment.services.aggregates.exports import AggregateError
from assessment.services.aggregates.facts import layouts
from assessment.services.aggregates.figures import dashboard_figures
from assessment.services.aggregates.filters import FilterChoices, read_filters
from assessment.services.aggregates.jurisdiction import scope_name
from assessment.services.aggregates.officials import Official
from assessment.services.aggregates.policy import disclosure_policy, export_limit

bp = Blueprint("api_official", __name__, url_prefix="/api/v1/official",
               description="An official's token: the jurisdiction's protected figures and exports")
bp.before_request(admit)
answer_as_problems(bp)
NO_DATA = N_("No assessment in this jurisdiction yet")
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _official(session: Session) -> Official | Response:
    """The token's account as an official of a jurisdiction; 401 without a token, 403 for any other account."""
    who = token_caller()
    if isinstance(who, Response):
        return who
    regions, _industries = code_lists()
    found = officials.official_of(session, who.principal, regions)
    if not _reads(who, found is not None) or found is None:
        return forbidden()
    return found


@contextmanager
def _reading(session: Session) -> Iterator[Session]:
    """The session the aggregates read: the read replica's when one is configured, else the request's own (on
    SQLite a second session's read could hold off the first one's write)."""
    state = api_state()
    if state.reads is None:
        yield session
        return
    with state.reads() as reads:
        yield reads


def _reads(who: Caller, allowed: bool) -> bool:
    return permitted(who, allowed, writes=False)


def _filters(session: Session, official: Official) -> FilterChoices | Response:
    """The web's filters from the query string; a value the web would drop is a 422 problem for its parameter."""
    choices = read_filters(session, request.args, layouts=layouts(api_state().library),
                           jurisdiction=official.jurisdiction, policy=disclosure_policy(current_app.config),
                           labels=labels())
    if choices.errors:
        return problem(422, errors=[Problem(field, "invalid_filter", message)
                                    for field, message in zip(choices.refused, choices.errors, strict=True)])
    return choices


@operation(bp, "/dashboard", "GET", {"schema": DashboardSchema}, (422,), parameters=dashboard_parameters())
def dashboard() -> Response:
    """The dashboard's figures for one period and filter: every number through disclosure control, null where the
    web's page shows it suppressed (—); a population too small to publish is a `refusal` with no figures."""
    with api_state().sessions() as session, _reading(session) as reads:
        official = _official(session)
        if isinstance(official, Response):
            return official
        choices = _filters(reads, official)
        if isinstance(choices, Response):
            return choices
        board = officials.view_dashboard(session, official, choices, policy=disclosure_policy(current_app.config),
                                         labels=labels(), reads=reads)
        session.commit()
        regions, _industries = code_lists()
        return tagged_json(dashboard_figures(board, choices, translate(),
                                               scope_name(regions, official.jurisdiction, choices.selection.region)))


def _fields(official: Official, choices: FilterChoices) -> tuple[str, ...] | Response:
    asked = [p for value in request.args.getlist("by") for p in value[:200].split(",") if p.strip()]
    regions, _industries = code_lists()
    try:
        return exports.check_fields(officials.export_fields(asked, official, choices.selection, regions))
    except AggregateError as refused:
        return problem(422, errors=[Problem("by", "invalid_field", refused.problem.message, refused.problem.params)])


@operation(bp, "/exports/<kind>", "GET", {"description": "the cells as CSV, XLSX or JSON"}, (404, 422),
           parameters=export_parameters(tuple(EXPORT_TYPES)), responses={200: {"content": export_content(EXPORT_TYPES)}})
def export(kind: str) -> Response:
    """The protected cells of a breakdown with the dashboard's filters, as the web's download (the same limits)."""
    with api_state().sessions() as session, _reading(session) as reads:
        official = _official(session)
        if isinstance(official, Response):
            return official
        if kind not in EXPORT_TYPES:
            return problem(404)
        choices = _filters(reads, official)
        if isinstance(choices, Response):
            return choices
        if choices.selection.period is None:
            return problem(404, errors=[Problem(None, "no_data", NO_DATA)])
        by = _fields(official, choices)
        if isinstance(by, Response):
            return by
        return _cells(session, reads, official, choices, by, kind)


def _cells(session: Session, reads: Session, official: Official, choices: FilterChoices, by: tuple[str, ...],
           kind: str) -> Response:
    """The download itself: refused as on the web for a population too small, too many combinations or a bad range;
    the figures read from `reads` (the replica's session, when one is configured), the log written on `session`."""
    policy = disclosure_policy(current_app.config)
    names = labels()
    refusal = population_refusal(reads, jurisdiction=official.jurisdiction,
                                 selection=choices.selection, layout=choices.layout, policy=policy,
                                 regions=names.regions)
    if refusal is not None:
        return problem(403, errors=[refusal])
    try:
        cells = officials.export_cells(session, official, choices, by, policy=policy,
                                       labels=names, zeros=request.args.get("zeros") == "1",
                                       max_groups=export_limit(current_app.config), kind=kind, reads=reads)
    except AggregateError as refused:
        return problem(422, errors=[Problem("by", "aggregate", refused.problem.message, refused.problem.params)])
    security_log.record(session, security_log.EXPORT, user_id=official.user_id,
                        actor_id=official.user_id, address=request.remote_addr or "", what="aggregates",
                        format=kind, by=",".join(by), region_code=official.authority, via="api")
    session.commit()
    body = "".join(exports.csv_chunks(cells) if kind == "csv" else exports.json_chunks(cells)).encode("utf-8") \
        if kind != "xlsx" else b"".join(exports.xlsx_chunks(cells, names))  # bounded by EXPORT_MAX_GROUPS
    response = Response(body, mimetype=EXPORT_TYPES[kind])
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{officials.export_name(official, choices.selection, by, kind)}"'
    response.headers["Cache-Control"] = "no-store"
    if cells.meta.get("demo"):
        response.headers["X-Demo-Data"] = "true"
    return response

