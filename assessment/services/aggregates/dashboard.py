"""The officials' dashboard: a jurisdiction's facts for one period and filter, with the trend up to it, counted in
linked cell tables that are protected together; the page reads only the protected numbers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from assessment.db import facts as fact_table
from assessment.db.facts import DIMENSION_COLUMNS, INDICATOR_COLUMNS, MILLI, SCENARIO_COLUMNS, Distribution, FactQuery, GroupRow
from assessment.db.officials import Target
from assessment.domain.answers import N_, Problem
from assessment.domain.disclosure import (
    TOTAL,
    Axis,
    CellTable,
    Coordinate,
    Policy,
    ProtectedTable,
    Row,
    Share,
    population_problem,
    protect_linked,
    score_band_axis,
)
from assessment.domain.enterprise import Industries, Regions
from assessment.domain.questionnaire import tr
from assessment.services.aggregates.cells import BAND_EDGES, FIELDS, Labels, axis_for, band_label, scaled
from assessment.services.aggregates.facts import FactLayout
from assessment.services.aggregates.filters import Selection
from assessment.services.aggregates.jurisdiction import Jurisdiction, child_of
from assessment.services.aggregates.periods import TREND_PERIODS, period_label, periods_back, periods_with_facts

WEAKEST = 5
DEFAULT_TARGET_LEVEL = 2


@dataclass(frozen=True)
class CountRow:
    """One breakdown category (or the total): counts by level, the share at the target level or above, mean score."""

    key: Coordinate
    label: str
    count: int | None
    levels: tuple[int | None, ...]
    share: Share
    mean_score: float | None


@dataclass(frozen=True)
class Breakdown:
    """Counts by level for each category of one variable, with the total row."""

    field: str
    title: str
    rows: tuple[CountRow, ...]
    total: CountRow


@dataclass(frozen=True)
class MeanRow:
    """A dimension's or indicator's mean score against its maximum (mean None where suppressed)."""

    id: str
    label: str
    mean: float | None
    maximum: float

    @property
    def ratio(self) -> float | None:
        """The mean as a share of the maximum."""
        return None if self.mean is None or not self.maximum else self.mean / self.maximum


@dataclass(frozen=True)
class ScenarioRow:
    """One scenario's level distribution and mean level (None where suppressed)."""

    id: str
    label: str
    constraint: bool
    counts: tuple[int | None, ...]
    mean_level: float | None


@dataclass(frozen=True)
class BandRow:
    """One score band and how many enterprises fall in it."""

    label: str
    count: int | None


@dataclass(frozen=True)
class PeriodRow:
    """One period of the trend: counts by level, the share at the target level or above, mean score."""

    period: int
    label: str
    row: CountRow


@dataclass(frozen=True)
class Dashboard:
    """Everything the officials' dashboard shows, already protected: None wherever a number is suppressed."""

    jurisdiction: Jurisdiction
    selection: Selection
    layout: FactLayout
    policy: Policy
    period_label: str
    target_level: int
    target: Target | None
    refusal: Problem | None = None
    demo: bool = False
    total: CountRow | None = None
    levels: tuple[tuple[int, str, int | None], ...] = ()
    bands: tuple[BandRow, ...] = ()
    dimensions: tuple[MeanRow, ...] = ()
    indicators: tuple[MeanRow, ...] = ()
    scenarios: tuple[ScenarioRow, ...] = ()
    trend: tuple[PeriodRow, ...] = ()
    breakdowns: tuple[Breakdown, ...] = ()
    suppressed: bool = False
    tables: tuple[ProtectedTable, ...] = field(default=(), repr=False, compare=False)
    """The protected tables behind the page, for audits and tests (the page reads only the fields above)."""

    @property
    def weakest_indicators(self) -> tuple[MeanRow, ...]:
        """The indicators with the lowest mean share of their maximum."""
        shown = [i for i in self.indicators if i.ratio is not None]
        return tuple(sorted(shown, key=lambda i: (i.ratio or 0.0, i.id))[:WEAKEST])

    @property
    def weakest_scenarios(self) -> tuple[ScenarioRow, ...]:
        """The scenarios with the lowest mean level."""
        shown = [s for s in self.scenarios if s.mean_level is not None]
        return tuple(sorted(shown, key=lambda s: (s.mean_level or 0.0, s.id))[:WEAKEST])


@dataclass(frozen=True)
class _Scan:
    """What the dashboard's queries return over the trend's periods, at category level."""

    trend: tuple[int, ...]
    scope: str | None
    """The region the breakdown by region is below: the region filter, else the jurisdiction."""
    breakdowns: tuple[tuple[str, str], ...]
    """(field, fact column) of each breakdown by level."""
    grouped: list[list[GroupRow]]
    """(period, category, level) of each breakdown, then (period, band)."""
    overall: list[GroupRow]
    """(period, level) with the indicator and scenario-level sums too."""
    spread: list[Distribution]
    """Per period, how many facts have each level of each scenario."""


@dataclass(frozen=True)
class _Tables:
    """The dashboard's protected tables (breakdowns, bands, scenarios, then period × level) and their axes."""

    protected: tuple[ProtectedTable, ...]
    names: tuple[str, ...]
    periods: Axis
    levels: Axis
    bands: Axis
    scenarios: tuple[Axis, ...]
    group: str | None
    """The level group "N+" of the target level, if the level axis has it."""

    @property
    def overall(self) -> ProtectedTable:
        """The (period, level) table with every mean."""
        return self.protected[-1]


def population_refusal(session: Session, *, jurisdiction: Jurisdiction, selection: Selection, layout: FactLayout,
                       policy: Policy, regions: Regions) -> Problem | None:
    """Why a selection's population may not be published (the dashboard's own check); None if it may."""
    if selection.period is None:
        return None
    filters = selection.filters(regions)
    query = FactQuery(layout.model_id, selection.grain, selection.period, selection.period,
                      (*jurisdiction.conditions(), *filters), demo=selection.demo)
    population = fact_table.counts(session, query, drop=[c for c, _ in filters])
    return population_problem(population.count, policy, population.supersets)


def dashboard(session: Session, *, regions: Regions, industries: Industries, layout: FactLayout,
              jurisdiction: Jurisdiction, selection: Selection, policy: Policy, target: Target | None,
              labels: Labels, shared_with: str | None = None) -> Dashboard:
    """The protected dashboard of a jurisdiction for one period and filter, with the trend up to that period."""
    target_level = target.level if target is not None and target.level in layout.levels[1:] else DEFAULT_TARGET_LEVEL
    period = selection.period
    base = Dashboard(jurisdiction, selection, layout, policy, period_label(period, selection.grain) if period else "",
                     target_level, target)
    if period is None:
        return replace(base, refusal=Problem(None, "no_data", N_("No assessment in this jurisdiction yet")))
    filters = selection.filters(regions)
    known = shared_with if shared_with is not None and fact_table.has_shares(session, shared_with) else None
    query = FactQuery(layout.model_id, selection.grain, period, period, (*jurisdiction.conditions(), *filters),
                      demo=selection.demo, shared_with=known, band_edges=BAND_EDGES)
    # 1. Refuse a tiny population, or one that differs by a tiny group from the same query with a filter dropped.
    population = fact_table.counts(session, query, drop=[c for c, _ in filters])
    problem = population_problem(population.count, policy, population.supersets)
    if problem is not None:
        return replace(base, refusal=problem, demo=population.demo > 0)
    if population.count == 0:
        return replace(base, refusal=Problem(None, "population_empty", N_("No enterprise matches this filter")))
    # 2. Query, 3. protect, 4. read the page's rows from the protected tables only.
    scan = _scan(session, query, layout=layout, regions=regions, jurisdiction=jurisdiction, selection=selection)
    tables = _protect(scan, layout=layout, industries=industries, regions=regions, section=selection.section,
                      policy=policy, target_level=target_level)
    return _page(base, scan, tables, labels)


def _breakdowns(regions: Regions, jurisdiction: Jurisdiction, selection: Selection) -> tuple[tuple[str, str], ...]:
    """The dashboard's breakdowns by level: by region (unless the scope is a county), industry, size, status, mode."""
    scope = selection.region if selection.region is not None else jurisdiction.code
    scope_region = regions.get(scope) if scope else None
    out: list[tuple[str, str]] = []
    if scope is None or (scope_region is not None and scope_region.level != "county"):
        out.append(("region", "region_code"))
    out.append(("division", "industry_division") if selection.section and not selection.division
               else ("section", "industry_section"))
    return (*out, ("size", "size_class"), ("zjtx", "zhuanjingtexin"), ("mode", "mode"))


def _scan(session: Session, query: FactQuery, *, layout: FactLayout, regions: Regions, jurisdiction: Jurisdiction,
          selection: Selection) -> _Scan:
    """One GROUP BY per table over the trend's periods (one scan on PostgreSQL), at category level."""
    grain, period = selection.grain, selection.period
    assert period is not None
    available = periods_with_facts(session, layout.model_id, grain, jurisdiction)
    trend = tuple(p for p in periods_back(period, grain, TREND_PERIODS) if not available or p >= available[0])
    query = replace(query, first=trend[0], last=period)
    pc = "year" if grain == "year" else "quarter"
    breakdowns = _breakdowns(regions, jurisdiction, selection)
    scenario_columns = SCENARIO_COLUMNS[:len(layout.scenarios)]
    dims = DIMENSION_COLUMNS[:len(layout.dimensions)]
    indicators = INDICATOR_COLUMNS[:len(layout.indicators)]
    groupings = [(pc, column, "level") for _, column in breakdowns] + [(pc, "band")]
    grouped = fact_table.grouped(session, query, groupings, ("total", *dims, "demo"))
    overall = fact_table.grouped(session, query, [(pc, "level")],
                                 ("total", *dims, *indicators, *scenario_columns, "demo"))[0]
    targets = [(column, rating) for column in scenario_columns for rating in layout.ratings]
    spread = fact_table.distributions(session, query, [pc], targets)
    scope = selection.region if selection.region is not None else jurisdiction.code
    return _Scan(trend, scope, breakdowns, grouped, overall, spread)


def _protect(scan: _Scan, *, layout: FactLayout, industries: Industries, regions: Regions, section: str | None,
             policy: Policy, target_level: int) -> _Tables:
    """Cell tables (margins summed in disclosure), all sharing the period axis, protected together."""
    seen = {r.key[0] for rows in (*scan.grouped, scan.overall) for r in rows} | {d.key[0] for d in scan.spread}
    periods = Axis("period", scan.trend if seen <= set(scan.trend) else tuple(sorted({*scan.trend, *seen})),
                   total=False)
    levels = axis_for("level", (r.key[1] for r in scan.overall), layout=layout, industries=industries,
                      regions=regions, scope=scan.scope, target_level=target_level)
    stats = ("score", *(f"dimension:{d.id}" for d in layout.dimensions), "demo")
    kinds = ("milli", *("milli" for _ in layout.dimensions), "count")
    tables: list[CellTable] = []
    for (name, _column), rows in zip(scan.breakdowns, scan.grouped[:len(scan.breakdowns)], strict=True):
        keyed = [(r, child_of(regions, scan.scope, str(r.key[1])) if name == "region" else r.key[1]) for r in rows]
        axis = axis_for(name, (k for _, k in keyed), layout=layout, industries=industries, regions=regions,
                        scope=scan.scope, section=section)
        tables.append(CellTable.from_rows((periods, axis, levels), (
            Row((r.key[0], k, r.key[2]), r.count, scaled(r.sums, kinds), r.known) for r, k in keyed), stats))
    bands = score_band_axis(BAND_EDGES, name="band")
    tables.append(CellTable.from_rows((periods, bands), (
        Row((r.key[0], band_label(int(r.key[1]))), r.count, (r.sums[0] / MILLI,), r.known)
        for r in scan.grouped[len(scan.breakdowns)]), ("score",)))
    scenarios = tuple(Axis(f"scenario:{sid}", layout.ratings) for sid in layout.scenarios)
    tables.extend(_scenario_table(periods, axis, n, layout.ratings, scan.spread) for n, axis in enumerate(scenarios))
    tables.append(_overall_table(periods, levels, layout, scan.overall))
    group = f"{target_level}+" if f"{target_level}+" in levels.coordinates else None
    return _Tables(protect_linked(tables, policy), tuple(name for name, _ in scan.breakdowns), periods, levels, bands,
                   scenarios, group)


def _scenario_table(periods: Axis, axis: Axis, n: int, ratings: Sequence[int], spread: list[Distribution]) -> CellTable:
    """The (period, level) distribution of the n-th scenario."""
    width = len(ratings)
    return CellTable.from_rows((periods, axis), (
        Row((d.key[0], rating), d.counts[n * width + r], (), d.known[n * width + r])
        for d in spread for r, rating in enumerate(ratings)))


def _overall_table(periods: Axis, levels: Axis, layout: FactLayout, overall: list[GroupRow]) -> CellTable:
    """The (period, level) table with the score, dimension, indicator and scenario-level means."""
    stats = ("score", *(f"dimension:{d.id}" for d in layout.dimensions),
             *(f"indicator:{i.id}" for i in layout.indicators), *(f"scenario:{s}" for s in layout.scenarios), "demo")
    kinds = ("milli", *("milli" for _ in layout.dimensions), *("milli" for _ in layout.indicators),
             *("count" for _ in layout.scenarios), "count")
    return CellTable.from_rows((periods, levels), (Row(r.key, r.count, scaled(r.sums, kinds), r.known)
                                                   for r in overall), stats)


def _count_row(read: Callable[[Coordinate], int | None], mean_score: float | None, key: Coordinate, label: str,
               levels: Sequence[int], group: str | None, target: Target | None) -> CountRow:
    """The counts by level of one category; `read(level)` gives a protected count (TOTAL: all levels)."""
    count = read(TOTAL)
    above = read(group) if group is not None else None
    share = Share((key,), above, count, float(target.share) if target is not None else None)
    return CountRow(key, label, count, tuple(read(lv) for lv in levels), share, mean_score)


def _category_row(table: ProtectedTable, period: int, key: Coordinate, label: str, levels: Sequence[int],
                  group: str | None, target: Target | None) -> CountRow:
    """A category of a protected (period, category, level) table."""
    return _count_row(lambda lv: table.count((period, key, lv)), table.mean((period, key, TOTAL), "score"), key,
                      label, levels, group, target)


def _period_row(table: ProtectedTable, period: int, label: str, levels: Sequence[int], group: str | None,
                target: Target | None) -> CountRow:
    """A period of the protected (period, level) table."""
    return _count_row(lambda lv: table.count((period, lv)), table.mean((period, TOTAL), "score"), TOTAL, label,
                      levels, group, target)


def _page(base: Dashboard, scan: _Scan, tables: _Tables, labels: Labels) -> Dashboard:
    """The page's rows for the chosen period (and the trend), read from the protected tables only."""
    layout, period, grain, target = base.layout, base.selection.period, base.selection.grain, base.target
    assert period is not None
    overall, lang = tables.overall, labels.lang
    levels = tuple(lv for lv in tables.levels.categories if isinstance(lv, int))
    bands_p = tables.protected[len(tables.names)]
    scenarios = tuple(
        ScenarioRow(sid, tr(layout.scenario_names.get(sid), lang), sid in layout.constraint,
                    tuple(table.count((period, r)) for r in axis.categories),
                    overall.mean((period, TOTAL), f"scenario:{sid}"))
        for sid, axis, table in zip(layout.scenarios, tables.scenarios,
                                    tables.protected[len(tables.names) + 1:-1], strict=True))
    trend = tuple(PeriodRow(int(p), period_label(int(p), grain), _period_row(
        overall, int(p), period_label(int(p), grain), levels, tables.group, target)) for p in tables.periods.categories)
    return replace(
        base, demo=any((overall.table.cell((p, TOTAL)).sums[-1] or 0) > 0 for p in tables.periods.categories),
        total=_period_row(overall, period, labels.translate(N_("Total")), levels, tables.group, target),
        levels=tuple((lv, layout.level_name(lv, lang), overall.count((period, lv))) for lv in levels),
        bands=tuple(BandRow(str(label), bands_p.count((period, label))) for label in tables.bands.categories),
        dimensions=tuple(MeanRow(d.id, tr(d.short or d.name, lang),
                                 overall.mean((period, TOTAL), f"dimension:{d.id}"), float(d.maximum))
                         for d in layout.dimensions),
        indicators=tuple(MeanRow(i.id, tr(i.short or i.name, lang),
                                 overall.mean((period, TOTAL), f"indicator:{i.id}"), float(i.maximum))
                         for i in layout.indicators),
        scenarios=scenarios, trend=trend, breakdowns=_breakdown_rows(base, scan, tables, labels, levels),
        suppressed=any(p.suppressed for p in tables.protected), tables=tables.protected)


def _breakdown_rows(base: Dashboard, scan: _Scan, tables: _Tables, labels: Labels,
                    levels: Sequence[int]) -> tuple[Breakdown, ...]:
    """Each breakdown's rows for the chosen period, with its total row."""
    period, grain, target = base.selection.period, base.selection.grain, base.target
    assert period is not None
    out = []
    for name, table in zip(tables.names, tables.protected[:len(tables.names)], strict=True):
        rows = []
        for category in table.table.axis(name).categories:
            row = _category_row(table, period, category, labels.value(name, category, base.layout, grain, scan.scope),
                                levels, tables.group, target)
            if row.count == 0 and name in ("section", "division"):
                continue  # published zeros of the 20 sections (or the divisions) would crowd the table
            rows.append(row)
        total = _category_row(table, period, TOTAL, labels.translate(N_("Total")), levels, tables.group, target)
        out.append(Breakdown(name, labels.translate(FIELDS[name]), tuple(rows), total))
    return tuple(out)
