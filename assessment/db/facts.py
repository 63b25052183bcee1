"""Query functions for officials' aggregates: assessment facts (written on submit, rebuilt, bulk-loaded), and their
grouped counts and sums over a jurisdiction and period (shares, access log and targets: db/officials.py)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Literal, cast

from sqlalchemy import ColumnElement, Engine, Select, and_, case, delete, exists, func, insert, literal, or_, select, true, tuple_, update
from sqlalchemy.orm import Session, aliased

from assessment.db.models import FACT_DIMENSIONS, FACT_INDICATORS, FACT_SCENARIOS, Assessment, AssessmentFact, AuthorityShare, Enterprise

F = AssessmentFact
Grain = Literal["year", "quarter"]
GRAINS: tuple[Grain, ...] = ("year", "quarter")

DIMENSION_COLUMNS = tuple(f"d{n}" for n in range(1, FACT_DIMENSIONS + 1))
INDICATOR_COLUMNS = tuple(f"i{n:02d}" for n in range(1, FACT_INDICATORS + 1))
SCENARIO_COLUMNS = tuple(f"s{n:02d}" for n in range(1, FACT_SCENARIOS + 1))
KEY_COLUMNS = ("province_code", "city_code", "region_code", "industry_section", "industry_division", "size_class",
               "zhuanjingtexin", "mode", "level", "year", "quarter", *SCENARIO_COLUMNS)
"""Fact columns a query may group by or filter on (plus "band", the score band computed from the total)."""
SUM_COLUMNS = ("total", *DIMENSION_COLUMNS, *INDICATOR_COLUMNS, *SCENARIO_COLUMNS, "demo")
"""What a grouped query may sum ("demo" counts demo rows)."""
MILLI = 1000
"""Scores are stored in thousandths of a point."""
CHINA_TIME = timezone(timedelta(hours=8), "CST")
BULK_CHUNK = 10_000
"""Rows per executemany of a bulk load outside PostgreSQL."""


def period_of(moment: datetime) -> tuple[int, int]:
    """The year and the quarter key (20253 for July–September 2025) of a moment, in UTC+8 (China Standard Time)."""
    # Submission times are stored in UTC; a period is a Chinese calendar quarter, so 31 Dec 20:00 UTC is next year.
    local = moment.astimezone(CHINA_TIME)
    return local.year, local.year * 10 + (local.month - 1) // 3 + 1


# --- writing facts -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fact:
    """One submitted assessment's aggregation row; scores in thousandths, lists by position in the model."""

    assessment_id: int
    enterprise_id: int
    model_id: str
    region_code: str
    industry_section: str
    industry_division: str
    size_class: str
    zhuanjingtexin: str
    mode: str
    submitted_at: datetime
    level: int
    total: int
    dimensions: tuple[int, ...] = ()
    indicators: tuple[int, ...] = ()
    scenarios: tuple[int, ...] = ()
    consent: bool = False
    demo: bool = False

    def columns(self, latest_of_year: bool = True, latest_of_quarter: bool = True) -> dict[str, Any]:
        """The row as column values."""
        year, quarter = period_of(self.submitted_at)
        code = self.region_code
        row: dict[str, Any] = {
            "assessment_id": self.assessment_id, "enterprise_id": self.enterprise_id, "model_id": self.model_id,
            "province_code": code[:2] + "0000", "city_code": code[:4] + "00", "region_code": code,
            "industry_section": self.industry_section, "industry_division": self.industry_division,
            "size_class": self.size_class, "zhuanjingtexin": self.zhuanjingtexin, "mode": self.mode,
            "year": year, "quarter": quarter, "latest_of_year": latest_of_year,
            "latest_of_quarter": latest_of_quarter, "submitted_at": self.submitted_at, "level": self.level,
            "total": self.total, "consent": self.consent, "demo": self.demo,
        }
        for names, values in ((DIMENSION_COLUMNS, self.dimensions), (INDICATOR_COLUMNS, self.indicators),
                              (SCENARIO_COLUMNS, self.scenarios)):
            for n, name in enumerate(names):
                row[name] = values[n] if n < len(values) else None
        return row


FACT_COLUMN_ORDER = tuple(c.name for c in F.__table__.columns)
"""The fact table's columns in table order (for COPY and executemany)."""


def record_fact(session: Session, fact: Fact) -> None:
    """Store (or replace) the fact of a submitted assessment and mark which assessment each period counts."""
    session.execute(delete(F).where(F.assessment_id == fact.assessment_id))
    session.execute(insert(F).values(**fact.columns()))
    year, quarter = period_of(fact.submitted_at)
    for flag, column, value in ((F.latest_of_year, F.year, year), (F.latest_of_quarter, F.quarter, quarter)):
        same = (F.enterprise_id == fact.enterprise_id, F.model_id == fact.model_id, column == value)
        winner = session.scalars(select(F.assessment_id).where(*same)
                                 .order_by(F.submitted_at.desc(), F.assessment_id.desc()).limit(1)).one()
        session.execute(update(F).where(*same).values({flag: F.assessment_id == winner}))


def follow_consent(session: Session, enterprise_id: int, consent: bool) -> int:
    """Make every fact of an enterprise follow its current consent to statistical use; how many facts changed.

    Withdrawing consent takes all the enterprise's results out of the aggregates from then on, and consenting again
    brings its earlier results back (docs/officials.md §2). One UPDATE on the (enterprise_id, …) index.
    """
    result = session.execute(update(F).where(F.enterprise_id == enterprise_id, F.consent != consent)
                             .values(consent=consent))
    return int(result.rowcount)  # type: ignore[attr-defined]


def refresh_latest(session: Session) -> None:
    """Recompute, for every fact, whether it is its enterprise's latest of the year and of the quarter."""
    later = aliased(F)
    for flag, column in (("latest_of_year", "year"), ("latest_of_quarter", "quarter")):
        newer = exists().where(
            later.enterprise_id == F.enterprise_id, later.model_id == F.model_id,
            getattr(later, column) == getattr(F, column),
            or_(later.submitted_at > F.submitted_at,
                and_(later.submitted_at == F.submitted_at, later.assessment_id > F.assessment_id)))
        session.execute(update(F).values({flag: ~newer}))


def delete_facts(session: Session, *, demo: bool | None = None) -> int:
    """Delete facts (only demo ones, only real ones, or all); how many."""
    query = delete(F)
    if demo is not None:
        query = query.where(F.demo == demo)
    return int(session.execute(query).rowcount)  # type: ignore[attr-defined]


def delete_rows(session: Session, table: Any) -> int:
    """Delete the demo rows of the enterprises or assessments table; how many."""
    return int(session.execute(delete(table).where(table.c.demo == true())).rowcount)  # type: ignore[attr-defined]


def fact_count(session: Session, *, demo: bool | None = None) -> int:
    """How many facts are stored."""
    query = select(func.count()).select_from(F)
    if demo is not None:
        query = query.where(F.demo == demo)
    return int(session.scalar(query) or 0)


@dataclass(frozen=True)
class SubmittedRow:
    """A submitted assessment as the fact rebuild reads it: result, mode, time, snapshot and current profile."""

    id: int
    enterprise_id: int
    model_ref: str
    questionnaire_ref: str
    mode: str
    submitted_at: datetime
    level: int
    total: Decimal
    answers: Mapping[str, Any]
    data: Mapping[str, Any]
    scorecard: Mapping[str, Any] | None
    profile: Mapping[str, Any]
    demo: bool


def submitted_assessments(session: Session, *, include_demo: bool = False, batch: int = 500) -> Iterator[SubmittedRow]:
    """Every submitted assessment with an enterprise, in id order, read in batches."""
    after = 0
    while True:
        query = (select(Assessment, Enterprise).join(Enterprise, Enterprise.id == Assessment.enterprise_id)
                 .where(Assessment.status == "submitted", Assessment.id > after,
                        # a deleted account's results stay only where it consented (docs/data-rights.md)
                        or_(Enterprise.erased_at.is_(None), Enterprise.consent_statistics.is_(True)))
                 .order_by(Assessment.id).limit(batch))
        if not include_demo:
            query = query.where(Assessment.demo.is_(False))
        rows = session.execute(query).all()
        if not rows:
            return
        for a, e in rows:
            profile = {"region_code": e.region_code, "industry_code": e.industry_code, "size_class": e.size_class,
                       "zhuanjingtexin": e.zhuanjingtexin, "consent_statistics": e.consent_statistics}
            yield SubmittedRow(a.id, e.id, a.model_ref, a.questionnaire_ref, a.mode, a.submitted_at or a.updated_at,
                               a.level or 0, a.total or Decimal(0), dict(a.answers or {}), dict(a.data or {}),
                               dict(a.scorecard) if a.scorecard else None, profile, bool(a.demo or e.demo))
            after = a.id
        session.expunge_all()


def bulk_insert(session: Session, table: Any, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """Insert many rows as the driver takes them (demo data, the fact rebuild); how many were written.

    A bulk load of demo data is hundreds of thousands of rows, and the person running it waits for it: on
    PostgreSQL the rows go through COPY (psycopg's `Cursor.copy`, reached through SQLAlchemy's public
    `PoolProxiedConnection.driver_connection`, since SQLAlchemy has no COPY), elsewhere through one
    `Connection.exec_driver_sql` executemany per chunk. Both skip SQLAlchemy's per-value type processing, so the
    rows must already hold what the driver stores (services/demo.py prepares them per dialect).
    """
    connection = session.connection()
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        return _copy(connection.connection.driver_connection, f'COPY "{table.name}" ({names}) FROM STDIN', rows)
    statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" for _ in columns)})'
    written = 0
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, BULK_CHUNK)):
        connection.exec_driver_sql(statement, chunk)
        written += len(chunk)
    return written


def _copy(driver_connection: Any, statement: str, rows: Iterable[tuple[Any, ...]]) -> int:
    """Rows written through psycopg's COPY FROM STDIN; how many."""
    written = 0
    with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def next_ids(session: Session) -> tuple[int, int]:
    """The first free enterprise and assessment ids."""
    enterprise = session.scalar(select(func.max(Enterprise.id))) or 0
    assessment = session.scalar(select(func.max(Assessment.id))) or 0
    return int(enterprise) + 1, int(assessment) + 1


def after_bulk_load(session: Session) -> None:
    """Move the id sequences past bulk-loaded rows and refresh the planner's statistics (PostgreSQL)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    for table in ("enterprises", "assessments"):
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))")


def analyse(session: Session, *, cluster: bool = False) -> None:
    """Refresh the planner's statistics (PostgreSQL: VACUUM ANALYZE), and with `cluster` first put the facts in
    scope-index order, so a jurisdiction's rows share pages (CLUSTER locks the table while it runs); commits."""
    session.commit()
    engine = cast(Engine, session.get_bind())
    if engine.dialect.name != "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
        return
    # VACUUM cannot run inside a transaction block.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if cluster:
            connection.exec_driver_sql("CLUSTER assessment_facts USING ix_assessment_facts_scope")
        for table in ("assessment_facts", "enterprises", "assessments"):
            connection.exec_driver_sql(f"VACUUM (ANALYZE) {table}")


# --- reading aggregates --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FactQuery:
    """Which facts a query counts: one model, a period range at a grain, equality conditions, consent and demo."""

    model_id: str
    grain: Grain = "year"
    first: int | None = None
    last: int | None = None
    equals: tuple[tuple[str, str | int], ...] = ()
    consent_only: bool = True
    demo: bool | None = None
    """None: real and demo rows; True: demo rows only; False: real rows only."""
    shared_with: str | None = None
    """An authority's region code: rows whose result was shared with it count as known to the viewer."""
    band_edges: tuple[int, ...] = (20, 40, 60, 80)

    def __post_init__(self) -> None:
        for column, _ in self.equals:
            if column not in KEY_COLUMNS:
                raise ValueError(f"cannot filter facts on {column!r}")


@dataclass(frozen=True)
class GroupRow:
    """One group: its key (a value per grouping column), fact count, sums, and facts known to the viewer."""

    key: tuple[Any, ...]
    count: int
    sums: tuple[int, ...] = ()
    known: int = 0


@dataclass(frozen=True)
class Counts:
    """A filtered population and the populations with one condition dropped each (for differencing checks)."""

    count: int
    supersets: tuple[int, ...] = field(default_factory=tuple)
    demo: int = 0


def _period_column(grain: Grain) -> Any:
    return F.year if grain == "year" else F.quarter


def _base(query: FactQuery, *, equals: bool = True) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [F.model_id == query.model_id]
    conditions.append((F.latest_of_year if query.grain == "year" else F.latest_of_quarter) == true())
    period = _period_column(query.grain)
    if query.first is not None:
        conditions.append(period >= query.first)
    if query.last is not None:
        conditions.append(period <= query.last)
    if query.grain == "quarter":  # the year bounds let the indexes, which lead with the year, narrow the range
        if query.first is not None:
            conditions.append(F.year >= query.first // 10)
        if query.last is not None:
            conditions.append(F.year <= query.last // 10)
    if query.consent_only:
        conditions.append(F.consent == true())
    if query.demo is not None:
        conditions.append(F.demo == query.demo)
    if equals:
        conditions.extend(getattr(F, column) == value for column, value in query.equals)
    return conditions


def _band(edges: Sequence[int]) -> ColumnElement[int]:
    """The band index of the total (0 below the first edge); edges in points, totals in thousandths."""
    return case(*((F.total < edge * MILLI, n) for n, edge in enumerate(edges)), else_=len(edges))


def _known(query: FactQuery) -> ColumnElement[int]:
    if query.shared_with is None:
        return literal(0)
    active = (AuthorityShare.region_code == query.shared_with, AuthorityShare.revoked_at.is_(None))
    whole = select(AuthorityShare.enterprise_id).where(*active, AuthorityShare.assessment_id.is_(None))
    single = select(AuthorityShare.assessment_id).where(*active, AuthorityShare.assessment_id.is_not(None))
    return case((or_(F.enterprise_id.in_(whole), F.assessment_id.in_(single)), 1), else_=0)


def has_shares(session: Session, region_code: str) -> bool:
    """Whether any enterprise currently shares a result with the authority of this region."""
    return session.scalar(select(AuthorityShare.id).where(
        AuthorityShare.region_code == region_code, AuthorityShare.revoked_at.is_(None)).limit(1)) is not None


def counts(session: Session, query: FactQuery, drop: Sequence[str] = ()) -> Counts:
    """The population of a query, with each listed condition dropped in turn, and its demo rows; one scan."""
    # Conditions every count shares go to WHERE (they use the indexes); the dropped ones become FILTER clauses.
    kept = [getattr(F, c) == v for c, v in query.equals if c not in drop]
    dropped = [(c, getattr(F, c) == v) for c, v in query.equals if c in drop]
    everything = and_(true(), *(condition for _, condition in dropped))
    columns: list[Any] = [func.count().filter(everything), func.count().filter(and_(everything, F.demo == true()))]
    for column in drop:
        columns.append(func.count().filter(and_(true(), *(cond for c, cond in dropped if c != column))))
    row = session.execute(select(*columns).where(*_base(query, equals=False), *kept)).one()
    return Counts(int(row[0]), tuple(int(v) for v in row[2:]), int(row[1]))


def _inner(query: FactQuery, keys: Iterable[str], sums: Sequence[str]) -> Any:
    columns: list[Any] = []
    for key in dict.fromkeys(keys):
        columns.append(_band(query.band_edges).label("band") if key == "band" else getattr(F, key).label(key))
    for name in sums:
        if name == "demo":
            columns.append(case((F.demo == true(), 1), else_=0).label("sum_demo"))
        else:
            columns.append(getattr(F, name).label(f"sum_{name}"))
    columns.append(_known(query).label("known"))
    return select(*columns).where(*_base(query)).subquery("facts")


def grouped(session: Session, query: FactQuery, groupings: Sequence[Sequence[str]],
            sums: Sequence[str] = ()) -> list[list[GroupRow]]:
    """Counts, sums and known counts per group, for each grouping (a list of key columns or "band"); one scan on
    PostgreSQL (GROUPING SETS), one query per grouping elsewhere."""
    for name in (k for keys in groupings for k in keys):
        if name != "band" and name not in KEY_COLUMNS:
            raise ValueError(f"cannot group facts by {name!r}")
    for total in sums:
        if total not in SUM_COLUMNS:
            raise ValueError(f"cannot sum {total!r}")
    if not groupings:
        return []
    inner = _inner(query, dict.fromkeys(k for keys in groupings for k in keys), sums)
    aggregates = [func.count(), *(func.sum(inner.c[f"sum_{s}"]) for s in sums), func.sum(inner.c.known)]
    distinct = [tuple(dict.fromkeys(keys)) for keys in groupings]
    if session.get_bind().dialect.name == "postgresql" and len(groupings) > 1 and all(distinct):
        return _grouping_sets(session, inner, aggregates, distinct, len(sums))
    out = []
    for keys in distinct:
        key_columns = [inner.c[k] for k in keys]
        statement = select(*key_columns, *aggregates)
        if key_columns:
            statement = statement.group_by(*key_columns)
        found = (_group_row(tuple(row[:len(keys)]), row[len(keys):], len(sums)) for row in session.execute(statement))
        out.append([r for r in found if r.count])
    return out


def _group_row(key: tuple[Any, ...], values: Sequence[Any], width: int) -> GroupRow:
    """A group from its key and the aggregates count, sums…, known."""
    return GroupRow(key, int(values[0]), tuple(int(v or 0) for v in values[1:1 + width]), int(values[1 + width] or 0))


def _grouping_sets(session: Session, inner: Any, aggregates: list[Any], distinct: list[tuple[str, ...]],
                   width: int) -> list[list[GroupRow]]:
    """All groupings in one scan (PostgreSQL's GROUPING SETS), told apart by GROUPING()'s bit mask."""
    all_keys = list(dict.fromkeys(k for keys in distinct for k in keys))
    sets = list(dict.fromkeys(distinct))
    key_columns = [inner.c[k] for k in all_keys]
    statement: Select[Any] = (select(func.grouping(*key_columns), *key_columns, *aggregates)
                              .group_by(func.grouping_sets(*(tuple_(*(inner.c[k] for k in s)) for s in sets))))
    positions = {k: i for i, k in enumerate(all_keys)}
    masks = [sum(1 << (len(all_keys) - 1 - i) for i, k in enumerate(all_keys) if k not in s) for s in sets]
    mask_keys = {mask: [positions[k] for k in s] for mask, s in zip(masks, sets, strict=True)}
    by_mask: dict[int, list[GroupRow]] = {mask: [] for mask in masks}
    for row in session.execute(statement):
        mask = int(row[0])
        by_mask[mask].append(_group_row(tuple(row[1 + p] for p in mask_keys[mask]), row[1 + len(all_keys):], width))
    found = dict(zip(sets, by_mask.values(), strict=True))
    return [list(found[d]) for d in distinct]


@dataclass(frozen=True)
class Distribution:
    """Per group: how many facts have each (column, value) asked for, and how many of those the viewer knows."""

    key: tuple[Any, ...]
    counts: tuple[int, ...]
    known: tuple[int, ...]


def distributions(session: Session, query: FactQuery, keys: Sequence[str],
                  targets: Sequence[tuple[str, int]]) -> list[Distribution]:
    """COUNT(*) FILTER (WHERE column = value) for every target, per group of `keys`; one scan on every database."""
    for name in (*keys, *(c for c, _ in targets)):
        if name not in KEY_COLUMNS:
            raise ValueError(f"cannot count facts by {name!r}")
    known = query.shared_with is not None
    aggregates: list[Any] = [func.count().filter(getattr(F, c) == v) for c, v in targets]
    if known:
        flag = _known(query)
        aggregates += [func.sum(case((getattr(F, c) == v, flag), else_=0)) for c, v in targets]
    key_columns = [getattr(F, k) for k in keys]
    statement = select(*key_columns, *aggregates).where(*_base(query))
    if key_columns:
        statement = statement.group_by(*key_columns)
    out = []
    width = len(targets)
    for row in session.execute(statement):
        values = [int(v or 0) for v in row[len(keys):]]
        out.append(Distribution(tuple(row[:len(keys)]), tuple(values[:width]),
                                tuple(values[width:]) if known else (0,) * width))
    return out


def period_sizes(session: Session, model_id: str, grain: Grain,
                 equals: Sequence[tuple[str, str | int]] = ()) -> list[tuple[int, int]]:
    """The periods (years or quarter keys) with facts in a scope and how many facts each has, oldest first.

    Within a jurisdiction only the scope index is read (an index-only scan), so the counts include every fact
    (unconsented, superseded, other models): they size a period, they are never published. Nationally, one model.
    """
    column = _period_column(grain)
    conditions = [getattr(F, c) == v for c, v in equals] or [F.model_id == model_id]
    rows = session.execute(select(column, func.count()).where(*conditions).group_by(column).order_by(column))
    return [(int(p), int(n)) for p, n in rows]


def periods(session: Session, model_id: str, grain: Grain, equals: Sequence[tuple[str, str | int]] = ()) -> list[int]:
    """The periods with facts in a scope, oldest first (see period_sizes)."""
    return [p for p, _n in period_sizes(session, model_id, grain, equals)]


def models(session: Session) -> list[str]:
    """The model ids that have facts."""
    return [str(r) for r in session.scalars(select(F.model_id).group_by(F.model_id).order_by(F.model_id))]
