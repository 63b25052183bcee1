"""Which catalogue entries may be offered to an enterprise: its matching facts, the user's filters, the cost."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from assessment.domain.catalogue import Deployment, Solution
from assessment.domain.enterprise import EnterpriseProfile, SizeClass

# Free tools still take effort to roll out; the floor keeps cost ratios finite and favours real impact.
EFFORT_FLOOR_CNY = Fraction(1000)


@dataclass(frozen=True)
class MatchingProfile:
    """What solutions are matched on: GB/T 4754 industry, size class, GB/T 2260 region; None = not applied."""

    industry: str | None = None
    size: SizeClass | None = None
    region: str | None = None

    @classmethod
    def of(cls, enterprise: EnterpriseProfile) -> MatchingProfile:
        """The matching facts of a full enterprise profile."""
        return cls(enterprise.industry_code, enterprise.size, enterprise.region_code)


@dataclass(frozen=True)
class RecommendOptions:
    """User choices: budget (CNY, whole roadmap), target level, and filters (empty = no filter)."""

    budget_cny: int | None = None
    target_level: int | None = None
    deployments: frozenset[Deployment] = frozenset()
    scenarios: frozenset[str] = frozenset()
    limit: int = 10


def exclusion(solution: Solution, profile: MatchingProfile, options: RecommendOptions,
              questionnaire_id: str, catalogue_questionnaire: str) -> str | None:
    """The first rule that rules a solution out for this enterprise, or None when it is eligible."""
    if catalogue_questionnaire != questionnaire_id:
        return "questionnaire"
    if solution.listing.status == "delisted":
        return "delisted"
    if profile.industry is not None and not solution.fits_industry(profile.industry):
        return "industry"
    if profile.size is not None and profile.size not in solution.sizes:
        return "size"
    if profile.region is not None and not solution.provider.serves(profile.region):
        return "region"
    if options.deployments and not set(solution.deployment) & options.deployments:
        return "deployment"
    if options.budget_cny is not None and solution.price.max_cny > options.budget_cny:
        return "budget"
    return None


def adoption_cost(solution: Solution) -> Fraction:
    """What adopting a solution costs when comparing: the middle of its price plus the effort floor."""
    return solution.price.mid_cny + EFFORT_FLOOR_CNY


@dataclass(frozen=True)
class Candidate:
    """An eligible solution with its cost and how well its text matches the gaps (0–1)."""

    solution: Solution
    cost: Fraction
    similarity: float
    order: int  # position by key: ties go to the first

    @property
    def key(self) -> str:
        """The solution's key."""
        return self.solution.key


@dataclass(frozen=True)
class Pool:
    """The candidates of a set of catalogues for one enterprise.

    `over_budget` holds those eligible but for the price, which tells "budget" from "catalogue" blockers.
    """

    eligible: tuple[Candidate, ...]
    over_budget: tuple[Candidate, ...]
    excluded: Mapping[str, int]


def pool(solutions: Sequence[Solution], questionnaires: Sequence[str], similarity: Sequence[float],
         questionnaire_id: str, profile: MatchingProfile, options: RecommendOptions) -> Pool:
    """Sort the solutions into eligible, over budget and excluded (counted by the rule that excluded them)."""
    top_similarity = max(similarity, default=0.0)
    excluded: dict[str, int] = {}
    eligible: list[Candidate] = []
    over_budget: list[Candidate] = []
    for n, (sol, for_questionnaire) in enumerate(zip(solutions, questionnaires, strict=True)):
        rule = exclusion(sol, profile, options, questionnaire_id, for_questionnaire)
        if rule is not None:
            excluded[rule] = excluded.get(rule, 0) + 1
            if rule != "budget":
                continue
        sim = similarity[n] / top_similarity if top_similarity > 0 else 0.0
        (eligible if rule is None else over_budget).append(Candidate(sol, adoption_cost(sol), sim, n))
    return Pool(tuple(eligible), tuple(over_budget), dict(sorted(excluded.items())))
