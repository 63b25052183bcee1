"""Demo data at scale: generated enterprises and submitted assessments with realistic distributions, bulk-loaded
and marked demo everywhere (enterprises, assessments and facts carry demo = true)."""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from assessment.content.loader import Library
from assessment.db import facts
from assessment.db.models import Assessment, Enterprise
from assessment.domain.answers import answers_to_document, parse_answers
from assessment.domain.enterprise import (
    USCC_CHARACTERS,
    Industries,
    Regions,
    size_class,
    uscc_check_character,
)
from assessment.domain.sampling import random_document
from assessment.domain.scoring import score
from assessment.services.aggregates import FactLayout, layout_of, milli

PROVINCE_WEIGHTS: dict[str, float] = {
    "44": 14.0, "32": 11.0, "33": 10.0, "37": 8.0, "35": 4.5, "41": 4.5, "42": 4.0, "51": 4.0, "34": 3.8,
    "31": 3.5, "13": 3.3, "43": 3.0, "11": 3.0, "36": 2.5, "50": 2.3, "21": 2.0, "61": 2.0, "45": 1.8, "12": 1.5,
    "53": 1.5, "14": 1.3, "52": 1.2, "22": 0.9, "15": 0.9, "23": 0.9, "62": 0.6, "65": 0.7, "46": 0.6, "64": 0.3,
    "63": 0.2, "54": 0.1,
}
"""Rough share of SMEs by province (two-digit GB/T 2260 prefix): the coastal manufacturing provinces lead."""

SECTION_WEIGHTS: dict[str, float] = {
    "C": 52.0, "F": 5.0, "G": 12.0, "I": 8.0, "L": 5.0, "M": 5.0, "E": 3.0, "H": 1.5, "A": 2.0, "B": 0.5,
    "D": 0.8, "K": 0.5, "N": 1.0, "O": 1.0, "P": 0.4, "Q": 0.4, "R": 0.9, "J": 0.3,
}
"""Manufacturing-heavy: the MIIT assessment targets manufacturing SMEs first."""

LEVEL_WEIGHTS = (0.08, 0.47, 0.33, 0.10, 0.02)
"""Levels 0–4 of a small or micro enterprise without 专精特新 status: mostly 一级 and 二级."""
ZJTX_WEIGHTS = {"none": 0.88, "provincial": 0.10, "national_little_giant": 0.02}
MODE_WEIGHTS = {"self": 0.80, "guided": 0.15, "onsite": 0.05}
REPEATS = (1, 1, 1, 1, 1, 1, 1, 2, 2, 3)
"""How many assessments an enterprise has in the window (re-assessments 6–15 months apart)."""
CONSENT = 0.85
POOL = 4000
CHUNK = 20_000
DEFAULT_START = date(2024, 1, 1)
DEFAULT_END = date(2026, 9, 30)
CHINA_OFFSET = timedelta(hours=8)


@dataclass(frozen=True)
class Answered:
    """One generated, scored answers document: what an assessment stores and what its fact holds."""

    answers: str
    data: str
    level: int
    total: Fraction
    tail: tuple[Any, ...]
    """Fact columns level, total, d1–d8, i01–i16, s01–s16."""


@dataclass(frozen=True)
class DemoSummary:
    """What demo-data wrote and how long it took."""

    enterprises: int
    assessments: int
    seconds: float


def _pool(library: Library, questionnaire_id: str, rng: random.Random, size: int) -> tuple[FactLayout, list[list[Answered]]]:
    """Scored answer documents by level, generated at maturities spread over 0–1."""
    questionnaire = library.questionnaire(questionnaire_id)
    model = library.default_model(questionnaire_id)
    layout = layout_of(model, questionnaire)
    top = max(layout.levels)
    buckets: list[list[Answered]] = [[] for _ in range(top + 1)]
    dims = len(facts.DIMENSION_COLUMNS)
    inds = len(facts.INDICATOR_COLUMNS)
    scen = len(facts.SCENARIO_COLUMNS)
    for n in range(size):
        maturity = min(1.0, (n % 100) / 100 + rng.random() / 100)
        answers = parse_answers(questionnaire, random_document(questionnaire, rng, maturity))
        card = score(questionnaire, model, answers)
        document = answers_to_document(answers)
        nodes = card.nodes
        dims_v = [milli(nodes[d.id].value) for d in layout.dimensions]
        inds_v = [milli(nodes[i.id].value) for i in layout.indicators]
        scen_v = [int(card.ratings.get(s, 0)) for s in layout.scenarios]
        tail = (card.level, milli(card.total.value), *dims_v, *([None] * (dims - len(dims_v))),
                *inds_v, *([None] * (inds - len(inds_v))), *scen_v, *([None] * (scen - len(scen_v))))
        buckets[card.level].append(Answered(json.dumps(document["answers"], ensure_ascii=False),
                                            json.dumps(document.get("data", {}), ensure_ascii=False),
                                            card.level, card.total.value, tail))
    return layout, buckets


def _leaves(regions: Regions) -> dict[str, list[str]]:
    """Per province prefix, the codes an enterprise can be registered at: counties, and cities without any."""
    out: dict[str, list[str]] = {}
    for province in regions.provinces():
        codes: list[str] = []
        for city in regions.cities(province.code):
            counties = regions.counties(city.code)
            if counties:
                codes.extend(c.code for c in counties)
            elif not city.grouping:
                codes.append(city.code)
        if codes:
            out[province.code[:2]] = codes
    return out


def _choose(rng: random.Random, weights: dict[str, float]) -> Callable[[], str]:
    keys = list(weights)
    cumulative = []
    total = 0.0
    for key in keys:
        total += weights[key]
        cumulative.append(total)

    def pick() -> str:
        """One key, with the given weights."""
        return keys[min(len(keys) - 1, _bisect(cumulative, rng.random() * total))]
    return pick


def _bisect(cumulative: Sequence[float], value: float) -> int:
    low, high = 0, len(cumulative)
    while low < high:
        middle = (low + high) // 2
        if cumulative[middle] <= value:
            low = middle + 1
        else:
            high = middle
    return low


def _uscc(rng: random.Random, region: str) -> str:
    body = "91" + region + "".join(rng.choice(USCC_CHARACTERS) for _ in range(9))
    return body + uscc_check_character(body)


def _level(rng: random.Random, size: str, zjtx: str, top: int) -> int:
    """A level drawn from LEVEL_WEIGHTS, shifted up for larger and 专精特新 enterprises."""
    shift = {"micro": 0.0, "small": 0.2, "medium": 0.6, "large": 0.9}.get(size, 0.0)
    shift += {"none": 0.0, "provincial": 0.8, "national_little_giant": 1.4}.get(zjtx, 0.0)
    draw = rng.random()
    cumulative = 0.0
    base = len(LEVEL_WEIGHTS) - 1
    for level, weight in enumerate(LEVEL_WEIGHTS):
        cumulative += weight
        if draw < cumulative:
            base = level
            break
    lifted = base + (1 if rng.random() < shift - math.floor(shift) else 0) + math.floor(shift)
    return max(0, min(top, lifted))


@dataclass(frozen=True)
class _Draws:
    """Where generated enterprises are drawn from: registrable regions and industry divisions, with weighted choosers."""

    rng: random.Random
    leaves: dict[str, list[str]]
    divisions: dict[str, list[str]]
    province: Callable[[], str]
    section: Callable[[], str]
    zjtx: Callable[[], str]
    mode: Callable[[], str]


def _draws(rng: random.Random, regions: Regions, industries: Industries, provinces: Sequence[str]) -> _Draws:
    """The choosers for enterprises, kept to `provinces` (two-digit prefixes) when any are given."""
    leaves = _leaves(regions)
    province = _choose(rng, {p: w for p, w in PROVINCE_WEIGHTS.items()
                             if p in leaves and (not provinces or p in provinces)})
    divisions = {s: [d.code for d in industries.divisions(s)] for s in SECTION_WEIGHTS}
    section = _choose(rng, {s: w for s, w in SECTION_WEIGHTS.items() if divisions.get(s)})
    return _Draws(rng, leaves, divisions, province, section, _choose(rng, ZJTX_WEIGHTS), _choose(rng, MODE_WEIGHTS))


@dataclass(frozen=True)
class _Enterprise:
    """A generated enterprise: its row, and what the facts of its assessments repeat."""

    id: int
    region: str
    section: str
    division: str
    size: str
    status: str
    consent: bool
    mode: str
    created: datetime
    row: tuple[Any, ...]


def _enterprise(draws: _Draws, enterprise_id: int, start: date, span: int) -> _Enterprise:
    """One enterprise: region, industry, size, 专精特新 status, consent, mode and creation time."""
    rng = draws.rng
    codes = draws.leaves[draws.province()]
    region = codes[int(rng.random() * len(codes))]
    sec = draws.section()
    options = draws.divisions[sec]
    division = options[int(rng.random() * len(options))]
    employees = max(1, int(math.exp(rng.gauss(3.2, 1.15))))
    revenue = Fraction(max(1, round(employees * math.exp(rng.gauss(3.4, 0.8)))))
    size = size_class(division, employees, revenue)
    status = draws.zjtx()
    consent = rng.random() < CONSENT
    how = draws.mode()
    created = datetime.combine(start, datetime.min.time(), UTC) + timedelta(days=span * math.sqrt(rng.random()))
    row = (enterprise_id, f"演示企业{enterprise_id:07d}有限公司", _uscc(rng, region), region, division, employees,
           Decimal(int(revenue)), size, status, consent, created, created, True)
    return _Enterprise(enterprise_id, region, sec, division, size, status, consent, how, created, row)


def _moments(rng: random.Random, created: datetime, repeats: int, end: date) -> list[datetime]:
    """When an enterprise's assessments were submitted: the first within three days, then 6–15 months apart."""
    moments: list[datetime] = []
    moment = created + timedelta(hours=rng.random() * 72)
    for _ in range(repeats):
        if (moment + CHINA_OFFSET).date() > end:  # periods are counted in China Standard Time
            break
        moments.append(moment)
        moment += timedelta(days=180 + rng.random() * 270)
    return moments


@dataclass(frozen=True)
class _Source:
    """What generated assessments are drawn from: the scored documents by level and the content they reference."""

    layout: FactLayout
    documents: list[list[Answered]]
    top: int
    questionnaire_ref: str
    model_ref: str


@dataclass
class _Rows:
    """The rows of one bulk load: enterprises, their assessments and the facts of those assessments."""

    enterprises: list[tuple[Any, ...]] = field(default_factory=list)
    assessments: list[tuple[Any, ...]] = field(default_factory=list)
    fact_rows: list[tuple[Any, ...]] = field(default_factory=list)

    def add_assessments(self, rng: random.Random, source: _Source, enterprise: _Enterprise, moments: list[datetime],
                        level: int, first_id: int) -> int:
        """Add an enterprise's assessments, one per moment, starting near `level`; returns the next free id."""
        periods = [facts.period_of(m) for m in moments]
        previous: int | None = None
        assessment_id = first_id
        for n, submitted in enumerate(moments):
            while not source.documents[level]:
                level -= 1
            answered = source.documents[level][int(rng.random() * len(source.documents[level]))]
            self.assessments.append((
                assessment_id, enterprise.id, previous, source.questionnaire_ref, source.model_ref, "submitted",
                enterprise.mode, answered.answers, answered.data, 2, submitted - timedelta(hours=1), submitted, submitted,
                answered.level, Decimal(answered.total.numerator) / Decimal(answered.total.denominator), True))
            year, quarter = periods[n]
            later = periods[n + 1:]
            region = enterprise.region
            self.fact_rows.append((
                assessment_id, enterprise.id, source.layout.model_id, region[:2] + "0000", region[:4] + "00", region,
                enterprise.section, enterprise.division, enterprise.size, enterprise.status, enterprise.mode, year,
                quarter, all(y != year for y, _ in later), all(q != quarter for _, q in later), submitted,
                *answered.tail, enterprise.consent, True))
            previous = assessment_id
            assessment_id += 1
            if rng.random() < 0.45:
                level = min(source.top, level + 1)
        return assessment_id

    def load(self, session: Session) -> None:
        """Bulk-insert the rows."""
        dialect = session.get_bind().dialect.name
        facts.bulk_insert(session, Enterprise.__table__, ENTERPRISE_COLUMNS, _dialect_rows(self.enterprises, dialect))
        facts.bulk_insert(session, Assessment.__table__, ASSESSMENT_COLUMNS, _dialect_rows(self.assessments, dialect))
        facts.bulk_insert(session, facts.F.__table__, facts.FACT_COLUMN_ORDER, _dialect_rows(self.fact_rows, dialect))


def generate(session: Session, *, library: Library, regions: Regions, industries: Industries, count: int,
             seed: int = 0, questionnaire_id: str = "miit-2024", start: date = DEFAULT_START, end: date = DEFAULT_END,
             provinces: Sequence[str] = (), pool: int = POOL,
             progress: Callable[[int], None] | None = None) -> DemoSummary:
    """Generate `count` submitted demo assessments (and their enterprises and facts), bulk-loaded; commits.

    `provinces` (two-digit prefixes) keeps the enterprises in those provinces; `pool` is how many distinct answer
    documents are generated and scored, then drawn from.
    """
    began = time.perf_counter()
    rng = random.Random(seed)
    layout, documents = _pool(library, questionnaire_id, rng, pool)
    top = max(i for i, bucket in enumerate(documents) if bucket)
    source = _Source(layout, documents, top, library.questionnaire(questionnaire_id).ref,
                     library.default_model(questionnaire_id).ref)
    draws = _draws(rng, regions, industries, provinces)
    enterprise_id, assessment_id = facts.next_ids(session)
    span = (end - start).days
    written = 0
    enterprises_written = 0
    while written < count:
        rows = _Rows()
        while written < count and len(rows.assessments) < CHUNK:
            enterprise = _enterprise(draws, enterprise_id, start, span)
            rows.enterprises.append(enterprise.row)
            level = _level(rng, enterprise.size, enterprise.status, top)
            repeats = min(REPEATS[int(rng.random() * len(REPEATS))], count - written)
            next_id = rows.add_assessments(rng, source, enterprise, _moments(rng, enterprise.created, repeats, end),
                                           level, assessment_id)
            written += next_id - assessment_id
            assessment_id = next_id
            enterprise_id += 1
            enterprises_written += 1
        rows.load(session)
        if progress is not None:
            progress(written)
    facts.after_bulk_load(session)
    session.commit()
    facts.analyse(session, cluster=True)
    return DemoSummary(enterprises_written, written, time.perf_counter() - began)


ENTERPRISE_COLUMNS = ("id", "name", "uscc", "region_code", "industry_code", "employees", "revenue_10k_cny",
                      "size_class", "zhuanjingtexin", "consent_statistics", "created_at", "updated_at", "demo")
ASSESSMENT_COLUMNS = ("id", "enterprise_id", "previous_assessment_id", "questionnaire_ref", "model_ref", "status",
                      "mode", "answers", "data", "version", "created_at", "updated_at", "submitted_at", "level",
                      "total", "demo")
assert facts.FACT_COLUMN_ORDER[:16] == (
    "assessment_id", "enterprise_id", "model_id", "province_code", "city_code", "region_code", "industry_section",
    "industry_division", "size_class", "zhuanjingtexin", "mode", "year", "quarter", "latest_of_year",
    "latest_of_quarter", "submitted_at") and facts.FACT_COLUMN_ORDER[-2:] == ("consent", "demo")


def _dialect_rows(rows: list[tuple[Any, ...]], dialect: str) -> Iterator[tuple[Any, ...]]:
    """Rows as the driver takes them: SQLite stores timestamps as SQLAlchemy's text and numbers as floats."""
    if dialect == "postgresql":
        yield from rows
        return
    for row in rows:
        yield tuple(_sqlite_value(v) for v in row)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, Decimal):
        return float(value)
    return value


def delete_demo(session: Session) -> tuple[int, int]:
    """Delete every demo assessment and enterprise (their facts go with them); how many of each; commits."""
    facts.delete_facts(session, demo=True)
    assessments = facts.delete_rows(session, Assessment.__table__)
    enterprises = facts.delete_rows(session, Enterprise.__table__)
    session.commit()
    return enterprises, assessments
