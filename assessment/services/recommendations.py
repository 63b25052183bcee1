"""Recommendation use cases: advise one enterprise from its answers and turn the advice into plain data."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from assessment.domain.answers import N_, Answers, AnswerValue, parse_answers
from assessment.domain.catalogue import Catalogue, Solution
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire, Text, tr
from assessment.domain.recommend.advice import Advice, recommend
from assessment.domain.recommend.eligibility import MatchingProfile, RecommendOptions
from assessment.domain.recommend.gaps import LevelGap
from assessment.domain.recommend.index import index_catalogues
from assessment.domain.recommend.planner import GapClosure, Upgrade
from assessment.domain.recommend.ranking import Recommendation
from assessment.domain.recommend.reasons import Reason
from assessment.domain.recommend.roadmap import RoadmapStep, Stage
from assessment.reporting.data import Recommendation as ReportRecommendation
from assessment.reporting.data import RoadmapStep as ReportRoadmapStep

Translate = Callable[[str], str]


def recommendations(questionnaire: Questionnaire, model: ScoringModel, answers: Answers,
                    catalogues: Sequence[Catalogue], profile: MatchingProfile | None = None,
                    options: RecommendOptions | None = None) -> Advice:
    """Gaps, ranked solutions and a costed roadmap; the catalogues' text index is built once and reused."""
    return recommend(questionnaire, model, answers, index_catalogues(tuple(catalogues)), profile, options)


def recommendations_document(questionnaire: Questionnaire, model: ScoringModel, document: Any,
                             catalogues: Sequence[Catalogue], profile: MatchingProfile | None = None,
                             options: RecommendOptions | None = None, lang: str = "zh",
                             translate: Translate = lambda s: s) -> dict[str, Any]:
    """Parse an answers document (raises AnswersInvalid) and advise on it, as JSON-ready data."""
    answers = parse_answers(questionnaire, document)
    advice = recommendations(questionnaire, model, answers, catalogues, profile, options)
    return advice_document(advice, questionnaire, model, lang, translate)


def _num(value: Fraction) -> int | float:
    return value.numerator if value.denominator == 1 else round(float(value), 6)


def _value(value: AnswerValue | None) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        return {k: list(v) if isinstance(v, tuple) else v for k, v in value.items()}
    if isinstance(value, Fraction):
        return _num(value)
    return value


def _reasons(reasons: Sequence[Reason], lang: str, translate: Translate) -> list[str]:
    return [r.render(lang, translate) for r in reasons]


class _Writer:
    """Names in one language for one questionnaire and model."""

    def __init__(self, questionnaire: Questionnaire, model: ScoringModel, lang: str, translate: Translate) -> None:
        self.q, self.m, self.lang, self.translate = questionnaire, model, lang, translate

    def text(self, value: Text | None) -> str | None:
        return tr(value, self.lang) or None

    def level(self, level: int) -> str:
        return tr(self.m.level_def(level).name, self.lang)

    def item(self, item_id: str) -> str:
        item = self.q.item(item_id)
        return tr(item.short or item.text, self.lang) if item is not None else item_id

    def upgrade(self, u: Upgrade) -> dict[str, Any]:
        return {"item": u.item, "name": self.item(u.item), "from": _value(u.before), "to": _value(u.after),
                "steps": u.steps}

    def closure(self, c: GapClosure) -> dict[str, Any]:
        out: dict[str, Any] = {"level": c.level, "level_name": self.level(c.level), "kind": c.kind,
                               "condition": c.condition, "short": _num(c.short)}
        if c.kind == "ratings":
            out.update({"item": c.item, "name": self.item(c.item or ""), "from": c.before, "to": c.after})
        else:
            out.update({"points": _num(c.points)})
        return out

    def solution(self, s: Solution) -> dict[str, Any]:
        return {
            "id": s.id,
            "key": s.key,
            "name": self.text(s.name),
            "summary": self.text(s.summary),
            "provider": self.text(s.provider.name),
            "provider_type": s.provider.type,
            "regions": list(s.provider.regions),
            "deployment": list(s.deployment),
            "price": {"model": s.price.model, "min_cny": s.price.min_cny, "max_cny": s.price.max_cny,
                      "note": self.text(s.price.note)},
            "weeks": {"min": s.weeks.min_weeks, "max": s.weeks.max_weeks},
            "effects": [self.text(e) for e in s.effects],
            "showcase": self.text(s.showcase),
            "listing": {"status": s.listing.status, "source": s.listing.source, "date": s.listing.date},
            "catalogue": s.provenance.catalogue,
            "file": s.provenance.file,
            "demo": s.provenance.demo,
        }

    def gap(self, g: LevelGap) -> dict[str, Any]:
        return {
            "level": g.level,
            "level_name": self.level(g.level),
            "met": g.met,
            "points_short": _num(g.points_short),
            "ratings_short": dict(g.ratings_short),
            "conditions": [
                {"kind": c.kind, "target": c.target, "name": self.text(c.name), "required": _num(c.required),
                 "actual": _num(c.actual), "short": _num(c.short), "at_least": c.at_least, "strict": c.strict}
                for c in g.conditions],
            "upgrades": [self.upgrade(u) for u in g.upgrades],
            "upgrade_steps": g.upgrade_steps,
            "level_after_upgrades": g.level_after_upgrades,
            "reasons": _reasons(g.reasons, self.lang, self.translate),
        }

    def recommendation(self, r: Recommendation) -> dict[str, Any]:
        return {
            "solution": r.solution.id,
            **{k: v for k, v in self.solution(r.solution).items() if k != "id"},
            "closes": [self.closure(c) for c in r.closes],
            "changes": [self.upgrade(u) for u in r.changes],
            "reasons": _reasons(r.reasons, self.lang, self.translate),
            "level_before": r.level_before,
            "level_after": r.level_after,
            "level_after_name": self.level(r.level_after),
            "rank": r.rank,
            "similarity": r.similarity,
        }

    def step(self, n: int, s: RoadmapStep) -> dict[str, Any]:
        return {
            "step": n,
            "solution": s.solution.id,
            "key": s.solution.key,
            "name": self.text(s.solution.name),
            "provider": self.text(s.solution.provider.name),
            "demo": s.solution.provenance.demo,
            "price": {"min_cny": s.solution.price.min_cny, "max_cny": s.solution.price.max_cny},
            "weeks": {"min": s.solution.weeks.min_weeks, "max": s.solution.weeks.max_weeks},
            "closes": [self.closure(c) for c in s.closes],
            "changes": [self.upgrade(u) for u in s.changes],
            "reasons": _reasons(s.reasons, self.lang, self.translate),
            "level_after": s.level_after,
            "level_after_name": self.level(s.level_after),
            "cumulative_cost": {"min_cny": s.cost_min_cny, "max_cny": s.cost_max_cny},
            "cumulative_weeks": {"min": s.weeks_min, "max": s.weeks_max},
        }

    def stage(self, st: Stage, first_step: int) -> dict[str, Any]:
        return {
            "level": st.level,
            "level_name": self.level(st.level),
            "reached": st.reached,
            "closable": st.closable,
            "blocker": st.blocker,
            "message": st.message.render(self.lang, self.translate) if st.message else None,
            "missing": _reasons(st.missing, self.lang, self.translate),
            "cost": {"min_cny": st.cost_min_cny, "max_cny": st.cost_max_cny},
            "weeks": {"min": st.weeks_min, "max": st.weeks_max},
            "steps": [self.step(first_step + n, s) for n, s in enumerate(st.steps)],
        }


def advice_document(advice: Advice, questionnaire: Questionnaire, model: ScoringModel, lang: str = "zh",
                    translate: Translate = lambda s: s) -> dict[str, Any]:
    """Advice as plain JSON-ready data, names in `lang` and reasons rendered (results page, report, CLI)."""
    w = _Writer(questionnaire, model, lang, translate)
    roadmap = advice.roadmap
    stages = []
    first = 1
    for st in roadmap.stages:
        stages.append(w.stage(st, first))
        first += len(st.steps)
    return {
        "questionnaire": advice.questionnaire,
        "model": advice.model,
        "catalogues": list(advice.catalogues),
        "level": advice.level,
        "level_name": w.level(advice.level),
        "target_level": advice.target_level,
        "target_level_name": w.level(advice.target_level),
        "notes": _reasons(advice.notes, lang, translate),
        "excluded": dict(advice.excluded),
        "gaps": [w.gap(g) for g in advice.gaps],
        "recommendations": [w.recommendation(r) for r in advice.recommendations],
        "roadmap": {
            "target_level": roadmap.target_level,
            "target_level_name": w.level(roadmap.target_level),
            "reaches_target": roadmap.reaches_target,
            "message": roadmap.message.render(lang, translate) if roadmap.message else None,
            "cost": {"min_cny": roadmap.cost_min_cny, "max_cny": roadmap.cost_max_cny},
            "weeks": {"min": roadmap.weeks_min, "max": roadmap.weeks_max},
            "stages": stages,
        },
    }



def _range(low: int | None, high: int | None, unit: str, single: str | None = None) -> str:
    if low is None and high is None:
        return ""
    if single is not None and (low, high) in ((1, 1), (1, None)):
        return single
    if low == high or high is None:
        return unit.format(f"{low:,}")
    if low is None:
        return unit.format(f"{high:,}")
    return unit.format(f"{low:,}–{high:,}")


def report_rows(document: Mapping[str, Any], translate: Translate = lambda s: s
                ) -> tuple[tuple[ReportRecommendation, ...], tuple[ReportRoadmapStep, ...]]:
    """The recommendations and roadmap of an advice document as the PDF report's rows."""
    yuan = translate(N_("¥{}"))
    weeks = translate(N_("{} weeks"))
    one_week = translate(N_("1 week"))
    recs = tuple(
        ReportRecommendation(r["solution"], r["name"], r["provider"],
                             _range(r["price"]["min_cny"], r["price"]["max_cny"], yuan),
                             _range(r["weeks"]["min"], r["weeks"]["max"], weeks, one_week), tuple(r["reasons"]),
                             bool(r["demo"]))
        for r in document["recommendations"])
    steps = tuple(
        ReportRoadmapStep(f"{s['name']}（{s['provider']}）" if s["provider"] else s["name"],
                          _range(s["price"]["min_cny"], s["price"]["max_cny"], yuan),
                          _range(s["weeks"]["min"], s["weeks"]["max"], weeks, one_week), s["level_after_name"])
        for stage in document["roadmap"]["stages"] for s in stage["steps"])
    return recs, steps
