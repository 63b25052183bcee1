"""Re-assessment over time: an enterprise's T0, T1, … and what changed between two of them, per dimension,
indicator and scenario; a result under another model version is re-scored under the newer one when possible."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from assessment.db import providers, queries
from assessment.db.providers import AssessmentLine
from assessment.db.queries import AssessmentRecord
from assessment.domain.answers import N_, Answers, AnswersInvalid, Problem, parse_answers
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire, tr
from assessment.domain.scoring import ModelError, Scorecard, score
from assessment.reporting.data import PreviousAssessment
from assessment.services.assessments import carry_over
from assessment.services.language import translator
from assessment.services.reports import previous_assessment

QuestionnaireOf = Callable[[str], Questionnaire | None]
ModelOf = Callable[[str], ScoringModel | None]


@dataclass(frozen=True)
class Delta:
    """A figure before and after: a dimension's or indicator's points, a scenario's level."""

    id: str
    name: str
    before: float
    after: float
    maximum: float

    @property
    def delta(self) -> float:
        """after − before."""
        return self.after - self.before


@dataclass(frozen=True)
class Point:
    """One submitted assessment in an enterprise's series: T0, T1, …"""

    label: str
    line: AssessmentLine


@dataclass(frozen=True)
class Progress:
    """Two submitted assessments of one enterprise compared under the later one's questionnaire and model.

    `status` is 'comparable' (same versions), 'rescored' (the earlier answers scored again under the later model)
    or 'not_comparable' (they cannot be: `problems` say why; no deltas then).
    """

    earlier: AssessmentRecord
    later: AssessmentRecord
    status: str
    problems: tuple[Problem, ...]
    level_before: int
    level_after: int
    total: Delta | None
    dimensions: tuple[Delta, ...] = ()
    indicators: tuple[Delta, ...] = ()
    scenarios: tuple[Delta, ...] = ()
    earlier_card: Scorecard | None = None


def series(session: Session, enterprise_id: int) -> list[Point]:
    """The enterprise's submitted assessments in order of submission, labelled T0, T1, …"""
    submitted = [a for a in providers.assessments_of_enterprise(session, enterprise_id) if a.status == "submitted"]
    submitted.sort(key=lambda a: (a.submitted_at or a.created_at, a.id))
    return [Point(f"T{n}", line) for n, line in enumerate(submitted)]


def _document(record: AssessmentRecord, questionnaire_id: str) -> dict[str, object]:
    return {"questionnaire": questionnaire_id, "answers": dict(record.answers), "data": dict(record.data)}


def rescore(record: AssessmentRecord, questionnaire: Questionnaire,
            model: ScoringModel) -> tuple[Scorecard | None, tuple[Problem, ...]]:
    """An earlier assessment's answers scored under another questionnaire version and model, when they allow it."""
    if record.questionnaire_id != questionnaire.id:
        return None, (Problem(None, "questionnaire", N_(
            "The assessments answer different questionnaires ({earlier} and {later})."),
            {"earlier": record.questionnaire_id, "later": questionnaire.id}),)
    try:
        answers: Answers = parse_answers(questionnaire, _document(record, questionnaire.id), complete=True)
    except AnswersInvalid:
        kept, data = carry_over(questionnaire, record.answers, record.data)
        try:
            answers = parse_answers(questionnaire, {"questionnaire": questionnaire.id, "answers": kept,
                                                    "data": data}, complete=True)
        except AnswersInvalid as exc:
            missing = sorted({p.item for p in exc.problems if p.item})
            return None, (Problem(None, "items", N_(
                "The earlier answers cannot be scored under {model}: the questionnaire {version} asks what they do "
                "not answer ({items})."), {"model": model.ref, "version": questionnaire.ref,
                                             "items": ", ".join(missing)}),)
    try:
        return score(questionnaire, model, answers), ()
    except ModelError as exc:
        return None, (Problem(None, "model", N_("The earlier answers cannot be scored under {model}: {reason}"),
                              {"model": model.ref, "reason": str(exc)}),)


def _tree(model: ScoringModel) -> list[str]:
    """Every node below the dimensions, depth first."""
    order: list[str] = []

    def visit(node_id: str) -> None:
        for child in model.nodes[node_id].children:
            order.append(child)
            visit(child)

    for dimension in model.dimensions:
        visit(dimension.id)
    return order


def _delta(model: ScoringModel, before: Scorecard, after: Scorecard, node_id: str, lang: str) -> Delta:
    node = model.nodes[node_id]
    return Delta(node_id, tr(node.short or node.name, lang), float(before.nodes[node_id].value),
                 float(after.nodes[node_id].value), float(after.nodes[node_id].maximum))


def deltas(questionnaire: Questionnaire, model: ScoringModel, before: Scorecard, after: Scorecard,
           lang: str) -> tuple[tuple[Delta, ...], tuple[Delta, ...], tuple[Delta, ...]]:
    """Per-dimension, per-indicator and per-scenario changes between two scorecards under one model."""
    dimensions = tuple(_delta(model, before, after, d.id, lang) for d in model.dimensions)
    indicators = tuple(_delta(model, before, after, n, lang) for n in _tree(model))
    rated = sorted({i for s in model.item_sets.values() for i in s.items},
                   key=lambda i: [x.id for x in questionnaire.items].index(i) if questionnaire.item(i) else 0)
    scenarios = []
    for item_id in rated:
        item = questionnaire.item(item_id)
        if item is not None:
            scenarios.append(Delta(item_id, tr(item.short or item.text, lang), float(before.ratings.get(item_id, 0)),
                                   float(after.ratings.get(item_id, 0)), float(item.max_rating)))
    return dimensions, indicators, tuple(scenarios)


def _result(record: AssessmentRecord, questionnaire_of: QuestionnaireOf,
            model_of: ModelOf) -> tuple[Questionnaire, ScoringModel, Scorecard] | None:
    questionnaire, model = questionnaire_of(record.questionnaire_ref), model_of(record.model_ref)
    if questionnaire is None or model is None:
        return None
    answers = parse_answers(questionnaire, _document(record, questionnaire.id), complete=False)
    return questionnaire, model, score(questionnaire, model, answers)


def compare(earlier: AssessmentRecord, later: AssessmentRecord, questionnaire_of: QuestionnaireOf, model_of: ModelOf,
            lang: str) -> Progress | None:
    """What changed from an earlier to a later submitted assessment (None if the later one's content is missing)."""
    found = _result(later, questionnaire_of, model_of)
    if found is None or earlier.draft or later.draft:
        return None
    questionnaire, model, card = found
    if (earlier.questionnaire_ref, earlier.model_ref) == (later.questionnaire_ref, later.model_ref):
        before = _result(earlier, questionnaire_of, model_of)
        problems: tuple[Problem, ...] = ()
        earlier_card, status = (before[2] if before is not None else None), "comparable"
    else:
        earlier_card, problems = rescore(earlier, questionnaire, model)
        status = "rescored"
    if earlier_card is None:
        return Progress(earlier, later, "not_comparable", problems, earlier.level or 0, later.level or 0, None)
    dimensions, indicators, scenarios = deltas(questionnaire, model, earlier_card, card, lang)
    root = model.root
    total = Delta(root, tr(model.nodes[root].name, lang), float(earlier_card.total.value), float(card.total.value),
                  float(card.total.maximum))
    return Progress(earlier, later, status, (), earlier_card.level, card.level, total, dimensions, indicators,
                    scenarios, earlier_card)


def report_previous(session: Session, record: AssessmentRecord, questionnaire: Questionnaire, model: ScoringModel,
                    card: Scorecard, questionnaire_of: QuestionnaireOf, model_of: ModelOf,
                    lang: str) -> PreviousAssessment | None:
    """The report's comparison with the previous submitted assessment: deltas, or why there are none."""
    previous = queries.previous_submitted(session, record)
    if previous is None or previous.submitted_at is None:
        return None
    date = previous.submitted_at.date().isoformat()
    found = compare(previous, record, questionnaire_of, model_of, lang)
    _ = translator(lang)
    if found is None or found.earlier_card is None:
        reasons = " ".join(p.render(_) for p in (found.problems if found else ()))
        note = _("Not comparable: the previous assessment used {model}; {reasons}").format(
            model=previous.model_ref, reasons=reasons or _("its content is not installed."))
        return PreviousAssessment(date, previous.level or 0, "", float(previous.total or 0), 0.0, comparable=False,
                                  note=note)
    block = previous_assessment(found.earlier_card, date, questionnaire, model, lang, card)
    if found.status == "rescored":
        block = replace(block, note=_("The previous assessment was made with {before}; its answers are re-scored here "
                                      "under {after} so that the figures compare.").format(
            before=previous.model_ref, after=model.ref))
    return block


def when(moment: datetime | None) -> str:
    """A date as shown in the series."""
    return moment.date().isoformat() if moment is not None else ""
