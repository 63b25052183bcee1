"""ReportData: everything a report shows, as plain frozen values (str, int, float, tuples) in one language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Mode = Literal["self", "guided", "onsite"]
MODES: tuple[Mode, ...] = ("self", "guided", "onsite")


@dataclass(frozen=True)
class Enterprise:
    """Who was assessed; every field may be empty."""

    name: str = ""
    uscc: str = ""
    region: str = ""
    industry: str = ""
    size_class: str = ""
    zjtx_status: str = ""

    @property
    def is_empty(self) -> bool:
        """Whether nothing is known about the enterprise."""
        return not any((self.name, self.uscc, self.region, self.industry, self.size_class, self.zjtx_status))


@dataclass(frozen=True)
class AssessmentInfo:
    """Which assessment this is: report id, date, content versions and how it was carried out."""

    report_id: str
    date: str
    questionnaire_ref: str
    questionnaire_title: str
    model_ref: str
    model_name: str
    mode: Mode = "self"
    assessor_name: str = ""
    assessor_org: str = ""

    @property
    def questionnaire_version(self) -> str:
        """The questionnaire's version in words for readers (2024.1), without its internal `id@`."""
        return self.questionnaire_ref.partition("@")[2] or self.questionnaire_ref

    @property
    def model_version(self) -> str:
        """The scoring model's version for readers, without its internal `id@`."""
        return self.model_ref.partition("@")[2] or self.model_ref


@dataclass(frozen=True)
class ScoreRow:
    """A dimension or indicator with its score; `parent` names the node above it, `depth` 1 = dimension."""

    id: str
    name: str
    score: float
    maximum: float
    depth: int = 1
    parent: str = ""
    item: str = ""

    @property
    def share(self) -> float:
        """Score as a share of the maximum, 0–1."""
        return self.score / self.maximum if self.maximum else 0.0


@dataclass(frozen=True)
class RadarAxis:
    """One axis of the dimension radar: a 0–1 share now, and before when there was an earlier assessment."""

    name: str
    share: float
    previous: float | None = None


@dataclass(frozen=True)
class ScenarioRow:
    """A rated scenario: its level and the level's title, whether it is a constraint scenario, its group."""

    id: str
    name: str
    group: str
    level: int
    max_level: int
    level_title: str
    constraint: bool


@dataclass(frozen=True)
class EquivalentRow:
    """What the level is worth elsewhere (e.g. 专精特新 points), with the source of that figure."""

    name: str
    value: float
    source: str = ""


@dataclass(frozen=True)
class ExplanationBlock:
    """A part of the explanation: a heading (the level concerned) and its sentences."""

    heading: str
    level: int
    met: bool
    lines: tuple[str, ...]


@dataclass(frozen=True)
class LevelGap:
    """What the next level still needs, one sentence per unmet condition."""

    level: int
    name: str
    gaps: tuple[str, ...]


@dataclass(frozen=True)
class LevelRule:
    """One level of the model's level rule, with its conditions as sentences."""

    level: int
    name: str
    label: str
    conditions: tuple[str, ...]


@dataclass(frozen=True)
class ScorecardView:
    """The result as plain rows: level, total, dimensions, indicators, scenarios, equivalents."""

    level: int
    level_name: str
    level_label: str
    level_descriptor: str
    total: float
    maximum: float
    dimensions: tuple[ScoreRow, ...]
    indicators: tuple[ScoreRow, ...]
    scenarios: tuple[ScenarioRow, ...] = ()
    scenario_level_titles: tuple[str, ...] = ()
    equivalents: tuple[EquivalentRow, ...] = ()
    radar: tuple[RadarAxis, ...] = ()
    top_level: int = 0


@dataclass(frozen=True)
class PeerComparison:
    """Where the enterprise stands among assessments of the same industry and size class."""

    percentile: float
    group: str
    count: int


@dataclass(frozen=True)
class Recommendation:
    """A recommended solution with why it fits; `demo` marks illustrative catalogue entries."""

    solution_id: str
    name: str
    provider: str = ""
    price: str = ""
    weeks: str = ""
    reasons: tuple[str, ...] = ()
    demo: bool = False


@dataclass(frozen=True)
class RoadmapStep:
    """One step of the roadmap: what to do, its cost and duration, and the level expected after it."""

    title: str
    cost: str = ""
    weeks: str = ""
    level_after: str = ""


@dataclass(frozen=True)
class DimensionChange:
    """A dimension's score in the previous and in this assessment."""

    name: str
    previous: float
    current: float
    maximum: float

    @property
    def delta(self) -> float:
        """Current minus previous."""
        return self.current - self.previous


@dataclass(frozen=True)
class PreviousAssessment:
    """The earlier assessment this one is compared with; `radar` holds its shares in the radar's axis order."""

    date: str
    level: int
    level_name: str
    total: float
    maximum: float
    dimensions: tuple[DimensionChange, ...] = ()
    report_id: str = ""
    radar: tuple[float, ...] = ()
    indicators: tuple[DimensionChange, ...] = ()
    """Every indicator below the dimensions, points before and now."""
    scenarios: tuple[DimensionChange, ...] = ()
    """Every rated scenario, level before and now."""
    comparable: bool = True
    """False when the earlier result could not be put under this model: only `note` is shown then."""
    note: str = ""
    """E.g. that the earlier answers were re-scored under this model version."""


@dataclass(frozen=True)
class AnswerRow:
    """One answer in the appendix: the question, the answer as text, its points and any evidence note."""

    item_id: str
    section: str
    question: str
    answer: str
    points: str = ""
    evidence: str = ""


@dataclass(frozen=True)
class ValidationDifference:
    """An item where the assessor's validated answer differs from the self-reported one."""

    question: str
    self_reported: str
    validated: str
    reason: str


@dataclass(frozen=True)
class Validation:
    """An assessor-validated result (评定人核验): who validated, how many items, and where self-report differs."""

    assessor_name: str
    assessor_org: str
    checked: int
    differences: tuple[ValidationDifference, ...] = ()


@dataclass(frozen=True)
class ReportData:
    """Everything the report template shows, in one language; built by the services layer."""

    language: str
    title: str
    enterprise: Enterprise
    assessment: AssessmentInfo
    scorecard: ScorecardView
    strongest: tuple[ScoreRow, ...] = ()
    weakest: tuple[ScoreRow, ...] = ()
    explanation: tuple[ExplanationBlock, ...] = ()
    next_level: LevelGap | None = None
    level_rules: tuple[LevelRule, ...] = ()
    peer: PeerComparison | None = None
    peer_note: str = ""
    recommendations: tuple[Recommendation, ...] | None = None
    roadmap: tuple[RoadmapStep, ...] | None = None
    previous: PreviousAssessment | None = None
    answers: tuple[AnswerRow, ...] = ()
    methodology: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()
    disclaimer: str = ""
    author: str = ""
    validation: Validation | None = None
