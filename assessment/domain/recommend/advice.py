"""The advice for one enterprise: the gaps, the ranked solutions and the roadmap, with levels always the engine's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from assessment.domain.answers import N_, Answers
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire, Text
from assessment.domain.recommend.eligibility import MatchingProfile, RecommendOptions, pool
from assessment.domain.recommend.gaps import LevelGap, gap_text, level_gap, stage_levels
from assessment.domain.recommend.index import SolutionIndex
from assessment.domain.recommend.planner import Planner, rules_for
from assessment.domain.recommend.ranking import Recommendation, ranked
from assessment.domain.recommend.reasons import Reason
from assessment.domain.recommend.roadmap import Roadmap, plan_roadmap


@dataclass(frozen=True)
class Advice:
    """Everything the results page, the report and the CLI show about recommendations."""

    questionnaire: str
    model: str
    level: int
    level_name: Text
    target_level: int
    gaps: tuple[LevelGap, ...]
    recommendations: tuple[Recommendation, ...]
    roadmap: Roadmap
    excluded: Mapping[str, int]
    notes: tuple[Reason, ...]
    catalogues: tuple[str, ...]


def _notes(model: ScoringModel, index: SolutionIndex, options: RecommendOptions) -> tuple[Reason, ...]:
    """What the reader should know about the advice as a whole: a clamped target, demo data."""
    notes: list[Reason] = []
    if options.target_level is not None and options.target_level > model.top_level:
        notes.append(Reason("target_clamped", N_("the highest level is {level}; the roadmap aims there"),
                            {"level": model.level_def(model.top_level).name}))
    if any(c.demo for c in index.catalogues):
        notes.append(Reason("demo_catalogue", N_("the catalogue holds illustrative demo data: its products, providers "
                                                 "and prices are not real")))
    return tuple(notes)


def recommend(questionnaire: Questionnaire, model: ScoringModel, answers: Answers, index: SolutionIndex,
              profile: MatchingProfile | None = None, options: RecommendOptions | None = None) -> Advice:
    """Gaps, ranked solutions and a costed roadmap for one enterprise; levels are always the engine's."""
    profile = profile or MatchingProfile()
    options = options or RecommendOptions()
    rules = rules_for(questionnaire, model)
    planner = Planner(rules, answers)
    card = planner.score(answers.values)
    start = planner.state(answers.values)
    goal, levels = stage_levels(model, card.level, options.target_level)
    gaps = tuple(level_gap(planner, level, start, card) for level in levels)
    notes = _notes(model, index, options)
    similarity = index.similarity(gap_text(rules, gaps))
    found = pool(index.solutions, index.questionnaires, similarity, questionnaire.id, profile, options)
    recommendations = ranked(planner, card, start, levels, found.eligible, profile, options,
                             {c.ref: c.name for c in index.catalogues})
    roadmap = plan_roadmap(planner, card.level, start, goal, levels, found.eligible, found.over_budget,
                           options.budget_cny)
    return Advice(questionnaire.ref, model.ref, card.level, model.level_def(card.level).name, goal, gaps,
                  recommendations, roadmap, found.excluded, notes, tuple(c.ref for c in index.catalogues))
