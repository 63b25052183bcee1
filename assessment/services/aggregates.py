"""Officials' aggregates: facts from submitted assessments, jurisdiction scoping, the dashboard's protected tables
and cell exports (CSV, XLSX, JSON); every published number goes through disclosure control (docs/officials.md)."""

from __future__ import annotations

import csv
import io
import itertools
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from fractions import Fraction
from typing import Any, BinaryIO, Literal, cast

from sqlalchemy.orm import Session

from assessment.content.loader import Library
from assessment.db import facts
from assessment.db.facts import (
    DIMENSION_COLUMNS,
    INDICATOR_COLUMNS,
    MILLI,
    SCENARIO_COLUMNS,
    Fact,
    FactQuery,
    Grain,
    SubmittedRow,
    Target,
)
from assessment.db.models import utcnow
from assessment.db.queries import AssessmentRecord
from assessment.domain.answers import N_, Problem, parse_answers
from assessment.domain.disclosure import (
    TOTAL,
    Axis,
    Category,
    CellTable,
    Coordinate,
    Policy,
    ProtectedTable,
    Row,
    Share,
    level_axis,
    population_problem,
    protect_linked,
    score_band_axis,
)
from assessment.domain.enterprise import (
    SIZE_CLASS_LABELS,
    SIZE_CLASSES,
    ZHUANJINGTEXIN_LABELS,
    ZHUANJINGTEXIN_STATUSES,
    EnterpriseProfile,
    Industries,
    Region,
    RegionLevel,
    Regions,
    normalise_industry_code,
    section_of_division,
)
from assessment.domain.model import Node, ScoringModel
from assessment.domain.questionnaire import Questionnaire, tr
from assessment.domain.scoring import Scorecard, score
from assessment.domain.spreadsheet import neutralise, neutralise_row

Translate = Callable[[str], str]
DataChoice = Literal["all", "real", "demo"]
DATA_CHOICES: tuple[DataChoice, ...] = ("all", "real", "demo")
MODES = ("self", "guided", "onsite")
MODE_LABELS: Mapping[str, str] = {
    "self": N_("Self-assessment"),
    "guided": N_("Guided assessment (with a service provider)"),
    "onsite": N_("On-site assessment"),
}
BAND_EDGES = (20, 40, 60, 80)
TREND_PERIODS = 8
WEAKEST = 5
DEFAULT_TARGET_LEVEL = 2
SUPPRESSED = "—"
"""The one symbol shown for every hidden cell (primary and complementary alike)."""

FIELDS: Mapping[str, str] = {
    "region": N_("Region (one level below the jurisdiction)"),
    "province": N_("Province"),
    "city": N_("City"),
    "county": N_("County or district"),
    "section": N_("Industry section (GB/T 4754 门类)"),
    "division": N_("Industry division (GB/T 4754 大类)"),
    "size": N_("Size class"),
    "zjtx": N_("Specialised-and-sophisticated status"),
    "mode": N_("Assessment mode"),
    "level": N_("Level"),
    "band": N_("Score band"),
    "period": N_("Period"),
}
"""The fields a cell export may break down by (the CLI's --by), with their column descriptions."""

_FIELD_COLUMNS: Mapping[str, str] = {
    "region": "region_code", "province": "province_code", "city": "city_code", "county": "region_code",
    "section": "industry_section", "division": "industry_division", "size": "size_class",
    "zjtx": "zhuanjingtexin", "mode": "mode", "level": "level", "band": "band",
}


class AggregateError(ValueError):
    """A request for aggregates that cannot be answered as asked; `problem` carries a translatable message."""

    def __init__(self, message: str, params: Mapping[str, Any] | None = None) -> None:
        self.problem = Problem(None, "aggregate", message, dict(params or {}))
        super().__init__(self.problem.render())


def milli(value: Fraction | float | int) -> int:
    """A score in thousandths of a point, as the facts store it."""
    return round(Fraction(value) * MILLI) if isinstance(value, Fraction) else round(float(value) * MILLI)


# --- layout: which model node or item each fact column holds -----------------------------------------------------

@dataclass(frozen=True)
class FactLayout:
    """A model's dimensions, indicators (the dimensions' children) and scenarios, by fact column position."""

    model: ScoringModel
    dimensions: tuple[Node, ...]
    indicators: tuple[Node, ...]
    scenarios: tuple[str, ...]
    scenario_names: Mapping[str, Mapping[str, str]]
    constraint: frozenset[str]
    levels: tuple[int, ...]
    ratings: tuple[int, ...]

    @property
    def model_id(self) -> str:
        """The scoring model's id (facts of all its versions are aggregated together)."""
        return self.model.id

    def level_name(self, level: int, lang: str) -> str:
        """The level's name (一级, Level 1) in a language."""
        return tr(self.model.level_def(level).name, lang) or str(level)


def layout_of(model: ScoringModel, questionnaire: Questionnaire | None) -> FactLayout:
    """The fact layout of a model: its first 8 dimensions, 16 indicators and 16 scenarios."""
    dimensions = model.dimensions[:len(DIMENSION_COLUMNS)]
    indicators = tuple(model.nodes[c] for d in dimensions for c in d.children if c in model.nodes)
    sets = sorted(model.item_sets.values(), key=lambda s: len(s.items), reverse=True)
    scenarios = sets[0].items[:len(SCENARIO_COLUMNS)] if sets else ()
    constraint = frozenset(i for s in sets[1:] for i in s.items)
    names: dict[str, Mapping[str, str]] = {}
    ratings: set[int] = set()
    for sid in scenarios:
        item = questionnaire.item(sid) if questionnaire is not None else None
        names[sid] = dict(item.short or item.text) if item is not None else {"zh": sid, "en": sid}
        if item is not None and item.type == "rating":
            ratings.update(range(item.min_rating, item.max_rating + 1))
    levels = tuple(sorted({0, *(lv.level for lv in model.levels)}))
    return FactLayout(model, dimensions, indicators[:len(INDICATOR_COLUMNS)], tuple(scenarios), names, constraint,
                      levels, tuple(sorted(ratings)) or (0, 1, 2, 3, 4))


def layouts(library: Library) -> dict[str, FactLayout]:
    """The layout of the latest version of every loaded model, by model id."""
    out = {}
    for mid in sorted(library.models):
        model = library.model(mid)
        questionnaire = library.questionnaires.get(model.questionnaire)
        out[mid] = layout_of(model, library.questionnaire(model.questionnaire) if questionnaire else None)
    return out


def _industry(code: str) -> tuple[str, str]:
    key = normalise_industry_code(code)
    section = section_of_division(code) or "?"
    return section, key[:2] if key[:2].isdigit() else ""


def _fact(layout: FactLayout, *, assessment_id: int, enterprise_id: int, mode: str, submitted_at: datetime,
          level: int, total: Fraction | float, values: Mapping[str, Any], ratings: Mapping[str, Any],
          profile: Mapping[str, Any], demo: bool) -> Fact:
    section, division = _industry(str(profile.get("industry_code") or ""))
    return Fact(
        assessment_id=assessment_id, enterprise_id=enterprise_id, model_id=layout.model_id,
        region_code=str(profile.get("region_code") or "000000"), industry_section=section,
        industry_division=division, size_class=str(profile.get("size_class") or ""),
        zhuanjingtexin=str(profile.get("zhuanjingtexin") or "none"), mode=mode, submitted_at=submitted_at,
        level=int(level), total=milli(total),
        dimensions=tuple(milli(values.get(d.id, 0)) for d in layout.dimensions),
        indicators=tuple(milli(values.get(i.id, 0)) for i in layout.indicators),
        scenarios=tuple(int(ratings.get(s, 0) or 0) for s in layout.scenarios),
        consent=bool(profile.get("consent_statistics")), demo=demo)


def fact_of_scorecard(layout: FactLayout, card: Scorecard, record: AssessmentRecord, profile: EnterpriseProfile,
                      demo: bool = False) -> Fact:
    """The fact of an assessment just submitted, from its scorecard and the profile it was submitted with."""
    values = {nid: node.value for nid, node in card.nodes.items()}
    fields = {"region_code": profile.region_code, "industry_code": profile.industry_code, "size_class": profile.size,
              "zhuanjingtexin": profile.zhuanjingtexin, "consent_statistics": profile.consent_statistics}
    assert record.enterprise_id is not None and record.submitted_at is not None
    return _fact(layout, assessment_id=record.id, enterprise_id=record.enterprise_id, mode=record.mode,
                 submitted_at=record.submitted_at, level=card.level, total=card.total.value, values=values,
                 ratings=card.ratings, profile=fields, demo=demo)


def record_submission(session: Session, layout: FactLayout, card: Scorecard, record: AssessmentRecord,
                      profile: EnterpriseProfile) -> None:
    """Write the fact of a submitted assessment (called by the submit use case)."""
    if record.enterprise_id is not None and record.submitted_at is not None:
        facts.record_fact(session, fact_of_scorecard(layout, card, record, profile))


def _fact_of_row(row: SubmittedRow, library: Library) -> Fact | None:
    mid, _, version = row.model_ref.partition("@")
    if mid not in library.models:
        return None
    latest = layouts_cache(library)[mid]
    snapshot = (row.scorecard or {}).get("zh") if row.scorecard else None
    # The profile as submitted, except the consent: facts follow the enterprise's current consent (docs/officials.md §2).
    profile = {**row.profile, **((row.scorecard or {}).get("profile") or {}),
               "consent_statistics": row.profile.get("consent_statistics")}
    if snapshot:
        values = {d["id"]: d["score"] for d in snapshot.get("dimensions", [])}
        values.update({i["id"]: i["score"] for i in snapshot.get("indicators", [])})
        return _fact(latest, assessment_id=row.id, enterprise_id=row.enterprise_id, mode=row.mode,
                     submitted_at=row.submitted_at, level=int(snapshot.get("level", row.level)),
                     total=float(snapshot.get("score", row.total)), values=values,
                     ratings=snapshot.get("ratings", {}), profile=profile, demo=row.demo)
    # No snapshot (e.g. demo rows): score the frozen answers again with the exact versions they were made with.
    model = library.models[mid].get(version)
    qid, _, qversion = row.questionnaire_ref.partition("@")
    questionnaire = library.questionnaires.get(qid, {}).get(qversion)
    if model is None or questionnaire is None:
        return None
    answers = parse_answers(questionnaire, {"questionnaire": qid, "answers": dict(row.answers),
                                            "data": dict(row.data)}, complete=False)
    card = score(questionnaire, model, answers)
    return _fact(latest, assessment_id=row.id, enterprise_id=row.enterprise_id, mode=row.mode,
                 submitted_at=row.submitted_at, level=card.level, total=card.total.value,
                 values={n: v.value for n, v in card.nodes.items()}, ratings=card.ratings, profile=profile,
                 demo=row.demo)


_LAYOUTS: dict[int, dict[str, FactLayout]] = {}


def layouts_cache(library: Library) -> dict[str, FactLayout]:
    """The layouts of a library, computed once per library object."""
    found = _LAYOUTS.get(id(library))
    if found is None:
        found = _LAYOUTS[id(library)] = layouts(library)
    return found


def rebuild_facts(session: Session, library: Library, *, include_demo: bool = False) -> int:
    """Write the facts of every submitted assessment again (after migrating, or when models changed); how many."""
    facts.delete_facts(session, demo=None if include_demo else False)
    columns = facts.FACT_COLUMN_ORDER

    def rows() -> Iterator[list[Any]]:
        for row in facts.submitted_assessments(session, include_demo=include_demo):
            fact = _fact_of_row(row, library)
            if fact is not None:
                values = fact.columns()
                yield [values[c] for c in columns]

    # Materialised first: the reading session must not be in the middle of a result while COPY runs.
    written = facts.bulk_insert(session, facts.F.__table__, columns, list(rows()))
    facts.refresh_latest(session)
    return written


# --- jurisdiction ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Jurisdiction:
    """A GB/T 2260 region an official (or an export) is scoped to; code None is the whole country (CLI only)."""

    code: str | None
    level: RegionLevel | None
    name: str

    def conditions(self) -> tuple[tuple[str, str], ...]:
        """The fact conditions selecting this region and everything below it."""
        if self.code is None:
            return ()
        province = ("province_code", self.code[:2] + "0000")
        if self.level == "province":
            return (province,)
        if self.level == "city":
            return province, ("city_code", self.code)
        return province, ("city_code", self.code[:4] + "00"), ("region_code", self.code)


NATIONAL = Jurisdiction(None, None, "全国")
NATIONAL_CODE = "000000"
"""The region code of an official account scoped to the whole country (not a GB/T 2260 division)."""


def jurisdiction_of(regions: Regions, code: str | None) -> Jurisdiction | None:
    """The jurisdiction of a region code, NATIONAL for NATIONAL_CODE (None if the code is neither)."""
    if code is None:
        return None
    if code == NATIONAL_CODE:
        return NATIONAL
    region = regions.get(code)
    if region is None:
        return None
    return Jurisdiction(region.code, region.level, regions.full_name(region.code) or region.name)


def within(regions: Regions, jurisdiction: Jurisdiction, code: str) -> bool:
    """Whether a region code lies within the jurisdiction."""
    return jurisdiction.code is None or regions.contains(jurisdiction.code, code)


def child_regions(regions: Regions, code: str | None) -> tuple[Region, ...]:
    """The regions one level below (a province's cities, with grouping rows replaced by their counties)."""
    if code is None:
        return regions.provinces()
    region = regions.get(code)
    if region is None or region.level == "county":
        return ()
    if region.level == "city":
        return regions.counties(region.code)
    out: list[Region] = []
    for city in regions.cities(region.code):
        out.extend(regions.counties(city.code) if city.grouping else (city,))
    return tuple(out)


def child_of(regions: Regions, code: str | None, region_code: str) -> str:
    """The region one level below `code` that contains `region_code`; `code` itself if there is none."""
    path = regions.path(region_code)
    if code is None:
        return path[0].code if path else region_code[:2] + "0000"
    codes = [r.code for r in path]
    if code in codes:
        position = codes.index(code)
        return codes[position + 1] if position + 1 < len(codes) else code
    return region_code


# --- the dashboard's selection -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    """What the official chose in the filter form (already checked)."""

    model_id: str
    grain: Grain = "year"
    period: int | None = None
    region: str | None = None
    section: str | None = None
    division: str | None = None
    size: str | None = None
    zjtx: str | None = None
    mode: str | None = None
    data: DataChoice = "all"

    def filters(self, regions: Regions) -> tuple[tuple[str, str | int], ...]:
        """The fact conditions of the chosen filters (each can be dropped for the differencing check)."""
        out: list[tuple[str, str | int]] = []
        if self.region is not None:
            region = regions.get(self.region)
            if region is not None:
                column = {"province": "province_code", "city": "city_code"}.get(region.level, "region_code")
                out.append((column, region.code))
        if self.division is not None:
            out.append(("industry_division", self.division))
        elif self.section is not None:
            out.append(("industry_section", self.section))
        for column, value in (("size_class", self.size), ("zhuanjingtexin", self.zjtx), ("mode", self.mode)):
            if value is not None:
                out.append((column, value))
        return tuple(out)

    @property
    def demo(self) -> bool | None:
        """The fact query's demo condition."""
        return {"all": None, "real": False, "demo": True}[self.data]


def period_label(period: int, grain: Grain) -> str:
    """2025, or 2025Q3 for the quarter key 20253."""
    return str(period) if grain == "year" else f"{period // 10}Q{period % 10}"


def parse_period(text: str) -> tuple[int, Grain] | None:
    """A period written as 2025 or 2025Q3 (also 2025-Q3, 2025q3): its key and grain; None if it is neither."""
    cleaned = text.strip().upper().replace("-", "")
    if not cleaned.isascii():  # ² and ٢ are digits to str.isdigit, but not to int()
        return None
    if cleaned.isdigit() and len(cleaned) == 4:
        return int(cleaned), "year"
    if len(cleaned) == 6 and cleaned[:4].isdigit() and cleaned[4] == "Q" and cleaned[5] in "1234":
        return int(cleaned[:4]) * 10 + int(cleaned[5]), "quarter"
    return None


def periods_back(last: int, grain: Grain, count: int) -> tuple[int, ...]:
    """`count` consecutive periods ending with `last`, oldest first."""
    if grain == "year":
        return tuple(range(last - count + 1, last + 1))
    out = []
    year, quarter = divmod(last, 10)
    for _ in range(count):
        out.append(year * 10 + quarter)
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return tuple(reversed(out))


def periods_between(first: int, last: int, grain: Grain) -> tuple[int, ...]:
    """Every period from `first` to `last`, inclusive."""
    out = []
    current = first
    while current <= last:
        out.append(current)
        if grain == "year":
            current += 1
        else:
            year, quarter = divmod(current, 10)
            current = (year + 1) * 10 + 1 if quarter == 4 else current + 1
    return tuple(out)


# --- the dashboard -----------------------------------------------------------------------------------------------

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
class Labels:
    """How codes are named on a page or in an export, in one language."""

    regions: Regions
    industries: Industries
    translate: Translate
    lang: str

    def region(self, code: str, scope: str | None = None) -> str:
        """A region's name; the scope itself is "(not assigned to a district)"."""
        name = self.regions.name(code)
        if name is None:
            return f"{code} ({self.translate(N_('unknown code'))})"
        if scope is not None and code == scope:
            return f"{name} ({self.translate(N_('not assigned to a district'))})"
        return name

    def value(self, field_name: str, value: Any, layout: FactLayout, grain: Grain = "year",
              scope: str | None = None) -> str:
        """The name of a category of a breakdown field."""
        if value is TOTAL:
            return self.translate(N_("Total"))
        if field_name in ("region", "province", "city", "county"):
            return self.region(str(value), scope if field_name == "region" else None)
        if field_name in ("section", "division"):
            return self.industries.name(str(value)) or str(value)
        if field_name == "size":
            return self.translate(cast(Mapping[str, str], SIZE_CLASS_LABELS).get(str(value), str(value)))
        if field_name == "zjtx":
            return self.translate(cast(Mapping[str, str], ZHUANJINGTEXIN_LABELS).get(str(value), str(value)))
        if field_name == "mode":
            return self.translate(MODE_LABELS.get(str(value), str(value)))
        if field_name == "level":
            if isinstance(value, str) and value.endswith("+"):
                return self.translate(N_("{level} and above")).format(level=layout.level_name(int(value[:-1]),
                                                                                             self.lang))
            return layout.level_name(int(value), self.lang)
        if field_name == "period":
            return period_label(int(value), grain)
        return str(value)


def _axis_for(field_name: str, seen: Iterable[Any], *, layout: FactLayout, industries: Industries,
              regions: Regions, scope: str | None, section: str | None = None, target_level: int = 2,
              grain: Grain = "year") -> Axis:
    """The disclosure axis of a breakdown field: its categories in display order."""
    seen = set(seen)
    if field_name == "region":
        children = [r.code for r in child_regions(regions, scope)]
        extra = sorted(str(v) for v in seen if v not in set(children))
        return Axis("region", tuple(children + extra))
    if field_name == "section":
        sections = [i.code for i in industries.sections()]
        return Axis("section", tuple(sections + sorted(str(v) for v in seen if v not in sections)))
    if field_name == "division" and section is not None:
        divisions = [i.code for i in industries.divisions(section)]
        return Axis("division", tuple(divisions + sorted(str(v) for v in seen if v not in divisions)))
    if field_name == "size":
        return Axis("size", tuple(SIZE_CLASSES) + tuple(sorted(str(v) for v in seen if v not in SIZE_CLASSES)))
    if field_name == "zjtx":
        return Axis("zjtx", ZHUANJINGTEXIN_STATUSES + tuple(sorted(str(v) for v in seen
                                                                   if v not in ZHUANJINGTEXIN_STATUSES)))
    if field_name == "mode":
        return Axis("mode", MODES + tuple(sorted(str(v) for v in seen if v not in MODES)))
    if field_name == "level":
        levels = tuple(sorted(set(layout.levels) | {int(v) for v in seen}))
        return level_axis(levels, at_or_above=target_level if target_level in levels[1:] else None)
    if field_name == "band":
        return score_band_axis(BAND_EDGES, name="band")
    if field_name == "period":
        return Axis("period", tuple(sorted(int(v) for v in seen)) or (0,), total=False)
    return Axis(field_name, tuple(sorted(str(v) for v in seen)) or ("",))


def _band_label(index: int) -> str:
    return str(score_band_axis(BAND_EDGES).categories[index])


def _scale(values: Sequence[int], kinds: Sequence[str]) -> tuple[float, ...]:
    """Sums from the database in the table's units: points for scores, plain counts and levels otherwise."""
    return tuple(v / MILLI if kind == "milli" else float(v) for v, kind in zip(values, kinds, strict=True))


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


def dashboard(session: Session, *, regions: Regions, industries: Industries, layout: FactLayout,
              jurisdiction: Jurisdiction, selection: Selection, policy: Policy, target: Target | None,
              labels: Labels, shared_with: str | None = None) -> Dashboard:
    """The protected dashboard of a jurisdiction for one period and filter, with the trend up to that period."""
    target_level = target.level if target is not None and target.level in layout.levels[1:] else DEFAULT_TARGET_LEVEL
    grain = selection.grain
    period = selection.period
    base = Dashboard(jurisdiction, selection, layout, policy, period_label(period, grain) if period else "",
                     target_level, target)
    if period is None:
        return replace(base, refusal=Problem(None, "no_data", N_("No assessment in this jurisdiction yet")))
    filters = selection.filters(regions)
    equals = (*jurisdiction.conditions(), *filters)
    known = shared_with if shared_with is not None and facts.has_shares(session, shared_with) else None
    query = FactQuery(layout.model_id, grain, period, period, equals, demo=selection.demo, shared_with=known,
                      band_edges=BAND_EDGES)
    # 1. Refuse a tiny population, or one that differs by a tiny group from the same query with a filter dropped.
    population = facts.counts(session, query, drop=[c for c, _ in filters])
    problem = population_problem(population.count, policy, population.supersets)
    if problem is not None:
        return replace(base, refusal=problem, demo=population.demo > 0)
    if population.count == 0:
        return replace(base, refusal=Problem(None, "population_empty", N_("No enterprise matches this filter")))

    # 2. One GROUP BY per table over the trend's periods (one scan on PostgreSQL), at category level.
    available = facts.periods(session, layout.model_id, grain, jurisdiction.conditions())
    trend = tuple(p for p in periods_back(period, grain, TREND_PERIODS) if not available or p >= available[0])
    query = replace(query, first=trend[0], last=period)
    pc = "year" if grain == "year" else "quarter"
    scope = selection.region if selection.region is not None else jurisdiction.code
    scope_region = regions.get(scope) if scope else None
    breakdowns: list[tuple[str, str]] = []
    if scope is None or (scope_region is not None and scope_region.level != "county"):
        breakdowns.append(("region", "region_code"))
    breakdowns.append(("division", "industry_division") if selection.section and not selection.division
                      else ("section", "industry_section"))
    breakdowns += [("size", "size_class"), ("zjtx", "zhuanjingtexin"), ("mode", "mode")]
    scenario_columns = SCENARIO_COLUMNS[:len(layout.scenarios)]
    dims = DIMENSION_COLUMNS[:len(layout.dimensions)]
    indicators = INDICATOR_COLUMNS[:len(layout.indicators)]
    groupings = [(pc, column, "level") for _, column in breakdowns] + [(pc, "band")]
    sums = ("total", *dims, "demo")
    grouped = facts.grouped(session, query, groupings, sums)
    overall = facts.grouped(session, query, [(pc, "level")], ("total", *dims, *indicators, *scenario_columns, "demo"))[0]
    targets = [(column, rating) for column in scenario_columns for rating in layout.ratings]
    spread = facts.distributions(session, query, [pc], targets)

    # 3. Cell tables (margins summed in disclosure), protected together, read only through the result.
    stats = ("score", *(f"dimension:{d.id}" for d in layout.dimensions), "demo")
    kinds = ("milli", *("milli" for _ in dims), "count")
    seen_periods = {r.key[0] for rows in (*grouped, overall) for r in rows} | {d.key[0] for d in spread}
    period_axis = Axis("period", trend, total=False) if seen_periods <= set(trend) else Axis(
        "period", tuple(sorted(set(trend) | seen_periods)), total=False)
    level_ax = _axis_for("level", (r.key[1] for r in overall), layout=layout, industries=industries,
                         regions=regions, scope=scope, target_level=target_level)
    group = f"{target_level}+" if f"{target_level}+" in level_ax.coordinates else None
    tables: list[CellTable] = []
    names: list[str] = []
    for (name, _column), rows in zip(breakdowns, grouped[:len(breakdowns)], strict=True):
        classify = (lambda v: child_of(regions, scope, str(v))) if name == "region" else (lambda v: v)
        keyed = [(r, classify(r.key[1])) for r in rows]
        axis = _axis_for(name, (k for _, k in keyed), layout=layout, industries=industries, regions=regions,
                         scope=scope, section=selection.section)
        tables.append(CellTable.from_rows(
            (period_axis, axis, level_ax),
            (Row((r.key[0], k, r.key[2]), r.count, _scale(r.sums, kinds), r.known) for r, k in keyed), stats))
        names.append(name)
    band_rows = grouped[len(breakdowns)]
    band_axis = score_band_axis(BAND_EDGES, name="band")
    tables.append(CellTable.from_rows((period_axis, band_axis), (
        Row((r.key[0], _band_label(int(r.key[1]))), r.count, (r.sums[0] / MILLI,), r.known) for r in band_rows),
        ("score",)))
    scenario_axes = []
    width = len(layout.ratings)
    for n, sid in enumerate(layout.scenarios):
        axis = Axis(f"scenario:{sid}", layout.ratings)
        scenario_axes.append(axis)
        tables.append(CellTable.from_rows((period_axis, axis), (
            Row((d.key[0], rating), d.counts[n * width + r], (), d.known[n * width + r])
            for d in spread for r, rating in enumerate(layout.ratings))))
    overall_stats = ("score", *(f"dimension:{d.id}" for d in layout.dimensions),
                     *(f"indicator:{i.id}" for i in layout.indicators),
                     *(f"scenario:{s}" for s in layout.scenarios), "demo")
    overall_kinds = ("milli", *("milli" for _ in dims), *("milli" for _ in indicators),
                     *("count" for _ in scenario_columns), "count")
    tables.append(CellTable.from_rows((period_axis, level_ax), (
        Row(r.key, r.count, _scale(r.sums, overall_kinds), r.known) for r in overall), overall_stats))
    protected = protect_linked(tables, policy)
    level_p = protected[-1]
    demo = any((level_p.table.cell((p, TOTAL)).sums[-1] or 0) > 0 for p in period_axis.categories)
    suppressed = any(p.suppressed for p in protected)

    # 4. Plain rows for the page, for the chosen period.
    levels = tuple(lv for lv in level_ax.categories if isinstance(lv, int))
    total_row = _period_row(level_p, period, labels.translate(N_("Total")), levels, group, target)
    level_rows = tuple((lv, layout.level_name(lv, labels.lang), level_p.count((period, lv))) for lv in levels)
    band_p = protected[len(breakdowns)]
    bands = tuple(BandRow(str(label), band_p.count((period, label))) for label in band_axis.categories)
    dimensions = tuple(MeanRow(d.id, tr(d.short or d.name, labels.lang), level_p.mean((period, TOTAL),
                                                                                        f"dimension:{d.id}"),
                               float(d.maximum)) for d in layout.dimensions)
    indicator_rows = tuple(MeanRow(i.id, tr(i.short or i.name, labels.lang),
                                   level_p.mean((period, TOTAL), f"indicator:{i.id}"), float(i.maximum))
                           for i in layout.indicators)
    scenarios = []
    for n, sid in enumerate(layout.scenarios):
        table = protected[len(breakdowns) + 1 + n]
        scenarios.append(ScenarioRow(sid, tr(layout.scenario_names.get(sid), labels.lang), sid in layout.constraint,
                                     tuple(table.count((period, r)) for r in scenario_axes[n].categories),
                                     level_p.mean((period, TOTAL), f"scenario:{sid}")))
    trend_rows = tuple(PeriodRow(int(p), period_label(int(p), grain), _period_row(
        level_p, int(p), period_label(int(p), grain), levels, group, target)) for p in period_axis.categories)
    shown_breakdowns = []
    for name, table in zip(names, protected[:len(names)], strict=True):
        axis = table.table.axis(name)
        rows_out = []
        for category in axis.categories:
            row = _category_row(table, period, category, labels.value(name, category, layout, grain, scope),
                                levels, group, target)
            if row.count == 0 and name in ("section", "division"):
                continue  # published zeros of the 20 sections (or the divisions) would crowd the table
            rows_out.append(row)
        total = _category_row(table, period, TOTAL, labels.translate(N_("Total")), levels, group, target)
        shown_breakdowns.append(Breakdown(name, labels.translate(FIELDS[name]), tuple(rows_out), total))
    return replace(base, demo=demo, total=total_row, levels=level_rows, bands=bands, dimensions=dimensions,
                   indicators=indicator_rows, scenarios=tuple(scenarios), trend=trend_rows,
                   breakdowns=tuple(shown_breakdowns), suppressed=suppressed, tables=protected)


# --- cell exports ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CellRequest:
    """A cell export: the fields to break down by, and which facts to count."""

    by: tuple[str, ...]
    model_id: str
    grain: Grain = "year"
    first: int | None = None
    last: int | None = None
    jurisdiction: Jurisdiction = NATIONAL
    filters: tuple[tuple[str, str | int], ...] = ()
    demo: bool | None = None
    shared_with: str | None = None
    zeros: bool = False


@dataclass
class CellExport:
    """The protected cells of one table, one row per cell, produced lazily; with its columns and metadata."""

    columns: tuple[str, ...]
    descriptions: tuple[str, ...]
    rows: Iterator[tuple[Any, ...]]
    meta: dict[str, Any]
    refusal: Problem | None = None
    protected: ProtectedTable | None = field(default=None, repr=False)
    """The protected table behind the rows, for audits and tests."""


def check_fields(by: Sequence[str]) -> tuple[str, ...]:
    """The --by fields, checked: known names, no repeats; raises AggregateError."""
    fields = tuple(f.strip() for f in by if f.strip())
    if not fields:
        raise AggregateError(N_("Give at least one field to break down by."))
    unknown = [f for f in fields if f not in FIELDS]
    if unknown:
        raise AggregateError(N_("Unknown field {field}; choose from {fields}."),
                             {"field": unknown[0], "fields": ", ".join(FIELDS)})
    if len(set(fields)) != len(fields):
        raise AggregateError(N_("A field is named twice."))
    return fields


def cell_export(session: Session, *, regions: Regions, industries: Industries, layout: FactLayout,
                request: CellRequest, policy: Policy, labels: Labels, max_groups: int | None = None) -> CellExport:
    """One row per cell of the table broken down by `request.by`, protected; suppressed cells are rows too."""
    by = check_fields(request.by)
    grain = request.grain
    periods = facts.periods(session, layout.model_id, grain, request.jurisdiction.conditions())
    first = request.first if request.first is not None else (periods[0] if periods else None)
    last = request.last if request.last is not None else (periods[-1] if periods else None)
    if "period" not in by:
        if request.first is None and request.last is None:
            first = last  # the latest period with data
        if first != last:
            raise AggregateError(N_("A range of periods needs the field period among the fields: each enterprise is "
                                    "counted once per period, so periods cannot be added up."))
    pc = "year" if grain == "year" else "quarter"
    keys = [pc if f == "period" else _FIELD_COLUMNS[f] for f in by]
    equals = (*request.jurisdiction.conditions(), *request.filters)
    known = request.shared_with if request.shared_with and facts.has_shares(session, request.shared_with) else None
    query = FactQuery(layout.model_id, grain, first, last, equals, demo=request.demo, shared_with=known,
                      band_edges=BAND_EDGES)
    dims = DIMENSION_COLUMNS[:len(layout.dimensions)]
    rows = facts.grouped(session, query, [keys], ("total", *dims, "demo"))[0] if first is not None else []
    scope = request.jurisdiction.code

    def classify(f: str, value: Any) -> Category:
        if f == "region":
            return child_of(regions, scope, str(value))
        if f == "band":
            return _band_label(int(value))
        return cast(Category, value)

    keyed = [(r, tuple(classify(f, v) for f, v in zip(by, r.key, strict=True))) for r in rows]
    combinations = len({k for _, k in keyed})
    if max_groups is not None and combinations > max_groups:
        # Disclosure control must see the whole table before any cell is published, and its cost grows faster than
        # the table; a table this fine is also mostly suppressed. (docs/officials.md §4)
        raise AggregateError(N_("This breakdown has too many cells to protect in one download ({cells} combinations; "
                                "at most {limit}). Leave out a field or narrow the filter."),
                             {"cells": combinations, "limit": max_groups})
    section = next((str(v) for c, v in request.filters if c == "industry_section"), None)
    axes = tuple(_axis_for(f, (k[n] for _, k in keyed), layout=layout, industries=industries, regions=regions,
                           scope=scope, section=section, grain=grain)
                 for n, f in enumerate(by))
    stats = ("score", *(f"dimension:{d.id}" for d in layout.dimensions), "demo")
    kinds = ("milli", *("milli" for _ in dims), "count")
    table = CellTable.from_rows(axes, (Row(k, r.count, _scale(r.sums, kinds), r.known) for r, k in keyed), stats)
    protected = protect_linked([table], policy)[0]
    columns: list[str] = []
    descriptions: list[str] = []
    t = labels.translate
    for f in by:
        columns += [f, f"{f}_name"]
        descriptions += [t(N_("{field}: code (total for the margin, N+ for a level group)")).format(field=t(FIELDS[f])),
                         t(N_("{field}: name")).format(field=t(FIELDS[f]))]
    columns += ["count", "suppressed", "mean_score", *(f"mean_{d.id}" for d in layout.dimensions), "demo"]
    descriptions += [
        t(N_("Enterprises in the cell (one assessment per enterprise per period); empty where suppressed")),
        t(N_("true where the cell is suppressed by disclosure control (fewer than k enterprises, or hidden so that "
             "another cell cannot be derived)")),
        t(N_("Mean base score (0–100); empty where suppressed or empty")),
        *(t(N_("Mean score of the dimension {name}")).format(name=tr(d.name, labels.lang)) for d in layout.dimensions),
        t(N_("true where the cell includes generated demonstration data")),
    ]
    demo_any = any(r.sums[-1] for r in rows)
    meta = {
        "title": t(N_("Digital maturity of SMEs: aggregate cells")),
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "model": layout.model_id,
        "jurisdiction": {"code": scope, "name": request.jurisdiction.name},
        "period": {"grain": grain, "from": period_label(first, grain) if first else None,
                   "to": period_label(last, grain) if last else None},
        "filters": {c: v for c, v in request.filters},
        "by": list(by),
        "k": policy.k,
        "population_floor": policy.population_floor,
        "zeros": request.zeros,
        "demo": demo_any,
        "suppressed_cells": len(protected.suppressed),
        "note": t(N_("Only enterprises that consented to statistical use are counted. Suppressed cells are listed "
                     "with an empty count and suppressed=true; cells not listed count 0.")),
        "method": "docs/disclosure.md",
    }
    if protected.refusal is not None:
        meta["refusal"] = protected.refusal.render(t)
    width = len(layout.dimensions)

    def cell_rows() -> Iterator[tuple[Any, ...]]:
        names: dict[tuple[int, Any], str] = {}
        for cell in protected.cells(zeros=request.zeros):
            out: list[Any] = []
            for n, (f, value) in enumerate(zip(by, cell.key, strict=True)):
                code = "total" if value is TOTAL else value
                name = names.get((n, value))
                if name is None:
                    name = names[(n, value)] = labels.value(f, value, layout, grain, scope)
                out += [code, name]
            if cell.count is None:
                out += [None, True, None, *([None] * width), None]
            else:
                means = cell.means
                out += [cell.count, False, _rounded(means[0]), *(_rounded(m) for m in means[1:1 + width]),
                        None if means[-1] is None else means[-1] > 0]
            yield tuple(out)

    return CellExport(tuple(columns), tuple(descriptions), cell_rows(), meta, protected.refusal, protected)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


# --- writers: CSV, JSON and XLSX, produced piece by piece ------------------------------------------------------

def _batches(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _plain(value: Any) -> Any:
    """A cell as CSV writes it: true/false, empty for none, text neutralised (numbers stay numbers)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else neutralise(value)


def csv_chunks(export: CellExport, rows_per_chunk: int = 2000) -> Iterator[str]:
    """The export as CSV text (UTF-8 with a BOM, so spreadsheet programs read the Chinese names), in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    buffer.write("\ufeff")
    writer.writerow(neutralise_row(export.columns))
    for batch in _batches(export.rows, rows_per_chunk):
        writer.writerows([[_plain(v) for v in row] for row in batch])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def json_chunks(export: CellExport, rows_per_chunk: int = 2000) -> Iterator[str]:
    """The export as one JSON document {"meta", "columns", "rows": [{column: value}, …]}, in chunks."""
    head = {"meta": export.meta, "columns": [{"name": c, "description": d}
                                              for c, d in zip(export.columns, export.descriptions, strict=True)]}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": ['
    first = True
    columns = export.columns
    for batch in _batches(export.rows, rows_per_chunk):
        text = ",\n".join(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False) for row in batch)
        yield ("\n" if first else ",\n") + text
        first = False
    yield "\n]}\n"


def write_xlsx(export: CellExport, labels: Labels, target: BinaryIO) -> None:
    """The export as an XLSX workbook: the cells, then a data dictionary (write-only, so memory stays flat).

    Text cells are neutralised; numbers stay numbers.
    """
    from openpyxl import Workbook

    t = labels.translate
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(t(N_("cells")))
    data.append(neutralise_row(export.columns))
    for row in export.rows:
        data.append(neutralise_row(row))
    dictionary = workbook.create_sheet(t(N_("data dictionary")))
    dictionary.append(neutralise_row([t(N_("column")), t(N_("meaning"))]))
    for column, description in zip(export.columns, export.descriptions, strict=True):
        dictionary.append(neutralise_row([column, description]))
    dictionary.append([])
    dictionary.append(neutralise_row([t(N_("about this table")), ""]))
    for key, value in export.meta.items():
        dictionary.append(neutralise_row(
            [key, json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value]))
    workbook.save(target)


def xlsx_chunks(export: CellExport, labels: Labels, size: int = 1 << 16) -> Iterator[bytes]:
    """The XLSX workbook's bytes in chunks, written to a temporary file first (a zip is finished at its end)."""
    with tempfile.TemporaryFile() as handle:
        write_xlsx(export, labels, handle)
        handle.seek(0)
        while chunk := handle.read(size):
            yield chunk
