"""Recommendations: the gaps to the next levels, catalogue solutions that close them, and a costed roadmap.

The scoring engine is the only judge of levels: every plan is checked by re-scoring upgraded answers, so
the advice stays right when the model file changes. Search heuristics only decide what to try first.

Modules: `planner` (the engine as the planner sees it), `gaps` (conditions short, cheapest upgrades),
`eligibility` (who may be offered what), `index` (the text index, the only user of numpy and scikit-learn),
`ranking` (solutions to adopt now), `roadmap` (the costed path per level), `reasons` (the sentences) and
`advice` (all of it for one enterprise). The public names are re-exported here for the adapters.
"""

from assessment.domain.recommend.advice import Advice, recommend
from assessment.domain.recommend.eligibility import MatchingProfile, RecommendOptions, exclusion
from assessment.domain.recommend.gaps import LevelGap, level_gaps
from assessment.domain.recommend.index import SolutionIndex, index_catalogues, solution_text
from assessment.domain.recommend.planner import ConditionGap, GapClosure, Upgrade, apply_solution, prerequisites_met
from assessment.domain.recommend.ranking import Recommendation
from assessment.domain.recommend.reasons import Reason
from assessment.domain.recommend.roadmap import Blocker, Roadmap, RoadmapStep, Stage

__all__ = [
    "Advice",
    "Blocker",
    "ConditionGap",
    "GapClosure",
    "LevelGap",
    "MatchingProfile",
    "Reason",
    "RecommendOptions",
    "Recommendation",
    "Roadmap",
    "RoadmapStep",
    "SolutionIndex",
    "Stage",
    "Upgrade",
    "apply_solution",
    "exclusion",
    "index_catalogues",
    "level_gaps",
    "prerequisites_met",
    "recommend",
    "solution_text",
]
