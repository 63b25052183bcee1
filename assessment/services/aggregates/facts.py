"""Facts: what each submitted assessment contributes to the aggregates, written on submit and rebuilt on demand,
with the layout that says which model node or item each fact column holds."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from assessment.content.loader import Library
from assessment.db import facts as fact_table
from assessment.db.facts import DIMENSION_COLUMNS, INDICATOR_COLUMNS, MILLI, SCENARIO_COLUMNS, Fact, SubmittedRow
from assessment.db.queries import AssessmentRecord
from assessment.domain.answers import parse_answers
from assessment.domain.enterprise import EnterpriseProfile, normalise_industry_code, section_of_division
from assessment.domain.model import Node, ScoringModel
from assessment.domain.questionnaire import Questionnaire, tr
from assessment.domain.scoring import Scorecard, score


def milli(value: Fraction | float | int) -> int:
    """A score in thousandths of a point, as the facts store it."""
    return round(Fraction(value) * MILLI) if isinstance(value, Fraction) else round(float(value) * MILLI)


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
    """The layout of the latest version of every loaded model, by model id (computed anew: it is cheap)."""
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
        fact_table.record_fact(session, fact_of_scorecard(layout, card, record, profile))


def _fact_of_row(row: SubmittedRow, library: Library, latest: Mapping[str, FactLayout]) -> Fact | None:
    """The fact of a stored result, in the layout of its model's latest version; None if its model is not loaded."""
    mid, _, version = row.model_ref.partition("@")
    if mid not in latest:
        return None
    snapshot = (row.scorecard or {}).get("zh") if row.scorecard else None
    # The profile as submitted, except the consent: facts follow the enterprise's current consent (docs/officials.md §2).
    profile = {**row.profile, **((row.scorecard or {}).get("profile") or {}),
               "consent_statistics": row.profile.get("consent_statistics")}
    if snapshot:
        values = {d["id"]: d["score"] for d in snapshot.get("dimensions", [])}
        values.update({i["id"]: i["score"] for i in snapshot.get("indicators", [])})
        return _fact(latest[mid], assessment_id=row.id, enterprise_id=row.enterprise_id, mode=row.mode,
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
    return _fact(latest[mid], assessment_id=row.id, enterprise_id=row.enterprise_id, mode=row.mode,
                 submitted_at=row.submitted_at, level=card.level, total=card.total.value,
                 values={n: v.value for n, v in card.nodes.items()}, ratings=card.ratings, profile=profile,
                 demo=row.demo)


def rebuild_facts(session: Session, library: Library, *, include_demo: bool = False) -> int:
    """Write the facts of every submitted assessment again (after migrating, or when models changed); how many."""
    fact_table.delete_facts(session, demo=None if include_demo else False)
    columns = fact_table.FACT_COLUMN_ORDER
    latest = layouts(library)

    def rows() -> Iterator[tuple[Any, ...]]:
        for row in fact_table.submitted_assessments(session, include_demo=include_demo):
            fact = _fact_of_row(row, library, latest)
            if fact is not None:
                values = fact.columns()
                yield tuple(values[c] for c in columns)

    # Materialised first: the reading session must not be in the middle of a result while COPY runs.
    written = fact_table.bulk_insert(session, fact_table.F.__table__, columns, list(rows()))
    fact_table.refresh_latest(session)
    return written


def fact_count(session: Session) -> int:
    """How many facts are stored."""
    return fact_table.fact_count(session)


def models_with_facts(session: Session) -> list[str]:
    """The ids of the models that have facts."""
    return fact_table.models(session)


def cluster_facts(session: Session) -> None:
    """Put the facts in jurisdiction order and refresh the planner's statistics (PostgreSQL CLUSTER); commits."""
    fact_table.analyse(session, cluster=True)
