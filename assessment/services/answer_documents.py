"""Answers documents sent whole (the CLI's input format, the JSON API's body): what they are scored with, their
score, advice and report, with every refusal as a translatable Problem naming the field or answer item."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assessment.content.catalogue import load_catalogue_dir
from assessment.content.loader import Library
from assessment.domain.answers import N_, Answers, AnswersInvalid, Problem
from assessment.domain.catalogue import Catalogue
from assessment.domain.enterprise import SIZE_CLASSES, normalise_region_code, section_of_division
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire
from assessment.domain.recommend import MatchingProfile, RecommendOptions
from assessment.domain.scoring import Scorecard
from assessment.reporting.render import render_pdf
from assessment.services.recommendations import advice_document, recommendations, report_rows
from assessment.services.reports import build_report_data
from assessment.services.scoring import score_document, scorecard_document

DEFAULT_QUESTIONNAIRE = "miit-2024"
PROFILE_FIELDS = ("name", "uscc", "region", "industry", "size_class", "zjtx_status")
PROFILE_TEXT_MAX = 200
BUDGET_MAX = 10**12  # a trillion yuan: any real budget is far below
LIMIT_MAX = 50
Translate = Callable[[str], str]


@dataclass(frozen=True)
class Scored:
    """An answers document checked and scored: what it was scored with, its answers and its scorecard."""

    questionnaire: Questionnaire
    model: ScoringModel
    answers: Answers
    card: Scorecard


@dataclass(frozen=True)
class AdviceRequest:
    """A request for advice or a report: the answers document, the enterprise profile and the recommender's options."""

    document: Mapping[str, Any]
    profile: Mapping[str, str]
    options: RecommendOptions


def _refused(where: str, code: str, message: str, **params: Any) -> AnswersInvalid:
    return AnswersInvalid([Problem(where, code, message, params)])


def _text(document: Mapping[str, Any], key: str, default: str | None) -> str | None:
    value = document.get(key, default)
    if value is None or isinstance(value, str):
        return value
    raise _refused(key, "type", N_("Enter {field} as text."), field=key)


def scored_with(library: Library, document: Any) -> tuple[Questionnaire, ScoringModel]:
    """The questionnaire (and version) an answers document names and the model it asks for (else the default)."""
    if not isinstance(document, Mapping):
        raise _refused("", "type", N_("Send the answers document as a JSON object."))
    qid = _text(document, "questionnaire", None) or ""
    qid = DEFAULT_QUESTIONNAIRE if "questionnaire" not in document else qid
    version = _text(document, "version", None)
    mid = _text(document, "model", None)
    if qid not in library.questionnaires:
        raise _refused("questionnaire", "unknown", N_("There is no questionnaire {questionnaire}; there are: {known}."),
                       questionnaire=qid, known=", ".join(sorted(library.questionnaires)))
    if version is not None and version not in library.questionnaires[qid]:
        raise _refused("version", "unknown", N_("Questionnaire {questionnaire} has no version {version}; it has: {known}."),
                       questionnaire=qid, version=version, known=", ".join(library.questionnaires[qid]))
    questionnaire = library.questionnaire(qid, version)
    models = [m.id for m in library.models_for(qid)]
    if mid is None and models:
        return questionnaire, library.default_model(qid)
    if mid not in models:
        raise _refused("model", "unknown", N_("There is no scoring model {model} for questionnaire {questionnaire}; "
                                              "there are: {known}."),
                       model=mid or "", questionnaire=qid, known=", ".join(models))
    return questionnaire, library.model(mid)


def score(library: Library, document: Any) -> Scored:
    """Check and score an answers document; raises AnswersInvalid with every problem found."""
    questionnaire, model = scored_with(library, document)
    answers, card = score_document(questionnaire, model, document)
    return Scored(questionnaire, model, answers, card)


def score_result(library: Library, document: Any, lang: str, translate: Translate) -> dict[str, Any]:
    """The CLI's score object for an answers document (level, score, dimensions, indicators, ratings, explanation)."""
    done = score(library, document)
    return scorecard_document(done.card, done.questionnaire, done.model, lang, translate)


def _whole(body: Mapping[str, Any], key: str, minimum: int, maximum: int, message: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise _refused(key, "range", message, minimum=minimum, maximum=maximum)
    return value


def _profile(raw: Any) -> dict[str, str]:
    """The enterprise profile: known fields as bounded text, codes that are GB/T codes, a known size class."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise _refused("profile", "type", N_("Send the enterprise profile as a JSON object."))
    problems: list[Problem] = []
    profile: dict[str, str] = {}
    for key, value in raw.items():
        name = f"profile.{key}"
        if key not in PROFILE_FIELDS:
            problems.append(Problem(name, "unknown", N_("{field} is not a field of the enterprise profile; the fields "
                                                        "are: {known}."), {"field": key, "known": ", ".join(PROFILE_FIELDS)}))
        elif value is not None and (not isinstance(value, str) or len(value) > PROFILE_TEXT_MAX):
            problems.append(Problem(name, "type", N_("Enter {field} as text of at most {maximum} characters."),
                                    {"field": key, "maximum": PROFILE_TEXT_MAX}))
        elif value:
            profile[key] = value.strip()
    problems.extend(_profile_codes(profile))
    if problems:
        raise AnswersInvalid(problems)
    return profile


def _profile_codes(profile: Mapping[str, str]) -> list[Problem]:
    problems = []
    if "industry" in profile and section_of_division(profile["industry"]) is None:
        problems.append(Problem("profile.industry", "code", N_("Enter a GB/T 4754-2017 industry code such as 3670 or C3670.")))
    if "region" in profile and normalise_region_code(profile["region"]) is None:
        problems.append(Problem("profile.region", "code", N_("Enter a GB/T 2260 region code such as 370102.")))
    if "size_class" in profile and profile["size_class"] not in SIZE_CLASSES:
        problems.append(Problem("profile.size_class", "choice", N_("Choose one of the listed size classes.")))
    return problems


def advice_request(body: Any, known: frozenset[str]) -> AdviceRequest:
    """Read {answers, profile?, budget?, target_level?, limit?}; raises AnswersInvalid naming each bad field."""
    if not isinstance(body, Mapping):
        raise _refused("", "type", N_("Send the request as a JSON object."))
    unknown = sorted(set(body) - known)
    if unknown:
        raise _refused(unknown[0], "unknown", N_("{field} is not a field of this request; the fields are: {known}."),
                       field=unknown[0], known=", ".join(sorted(known)))
    if "answers" not in body:
        raise _refused("answers", "missing", N_("Send the answers document as answers."))
    budget = _whole(body, "budget", 0, BUDGET_MAX, N_("Enter the budget as a whole number of yuan from {minimum} to "
                                                      "{maximum}."))
    target = _whole(body, "target_level", 1, 99, N_("Enter the target level as a whole number from {minimum} to {maximum}."))
    limit = _whole(body, "limit", 1, LIMIT_MAX, N_("Enter the limit as a whole number from {minimum} to {maximum}."))
    options = RecommendOptions(budget_cny=budget, target_level=target, limit=limit or 10)
    return AdviceRequest(body["answers"], _profile(body.get("profile")), options)


def matching(profile: Mapping[str, str]) -> MatchingProfile:
    """The recommender's matching facts from a checked profile."""
    size = next((c for c in SIZE_CLASSES if c == profile.get("size_class")), None)
    return MatchingProfile(profile.get("industry"), size, normalise_region_code(profile.get("region") or "") or None)


def _target_checked(done: Scored, options: RecommendOptions) -> None:
    levels = sorted(level.level for level in done.model.levels)
    if options.target_level is not None and options.target_level not in levels:
        raise _refused("target_level", "choice", N_("Choose one of the levels {levels}."),
                       levels=", ".join(str(level) for level in levels))


def advice(library: Library, catalogues: Sequence[Catalogue], request: AdviceRequest, lang: str,
           translate: Translate) -> dict[str, Any]:
    """Gaps, ranked solutions and a roadmap for the answers, as JSON-ready data (the CLI's `recommend` output)."""
    done = score(library, request.document)
    _target_checked(done, request.options)
    found = recommendations(done.questionnaire, done.model, done.answers, _for(catalogues, done.questionnaire),
                            matching(request.profile), request.options)
    return advice_document(found, done.questionnaire, done.model, lang, translate)


def report_pdf(library: Library, catalogues: Sequence[Catalogue], request: AdviceRequest, lang: str,
               translate: Translate) -> bytes:
    """The assessment report as PDF: the same report as `assessment report` makes, with recommendations."""
    done = score(library, request.document)
    _target_checked(done, request.options)
    mine = _for(catalogues, done.questionnaire)
    recs = steps = None
    if mine:
        found = recommendations(done.questionnaire, done.model, done.answers, mine, matching(request.profile),
                                request.options)
        recs, steps = report_rows(advice_document(found, done.questionnaire, done.model, lang, translate), translate)
    data = build_report_data(done.questionnaire, done.model, done.answers, done.card, lang=lang,
                             enterprise=request.profile or None, recommendations=recs, roadmap=steps)
    return render_pdf(data)


def _for(catalogues: Sequence[Catalogue], questionnaire: Questionnaire) -> list[Catalogue]:
    return [c for c in catalogues if c.questionnaire == questionnaire.id]


def shipped_catalogues(directory: Path, library: Library) -> tuple[tuple[Catalogue, ...], list[str]]:
    """The solution catalogues in a directory, and the errors of the files left out."""
    if not directory.is_dir():
        return (), []
    loaded, errors = load_catalogue_dir(directory, {q.id: q for q in library.latest_questionnaires()})
    return tuple(loaded), [str(error) for error in errors]
