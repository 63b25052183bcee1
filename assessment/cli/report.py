"""CLI command `report`: an answers file to a PDF (or HTML) report."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from assessment.cli.inputs import LANG, echo_errors, exit_if_broken, fail, pick, project_root, read_json
from assessment.content.catalogue import load_catalogue_dir, load_catalogues
from assessment.content.loader import Library, load_library
from assessment.domain.answers import Answers, AnswersInvalid
from assessment.domain.catalogue import Catalogue
from assessment.domain.enterprise import SIZE_CLASSES
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire
from assessment.domain.recommend import MatchingProfile, RecommendOptions
from assessment.domain.scoring import Scorecard
from assessment.reporting.data import MODES, Recommendation, ReportData, RoadmapStep
from assessment.reporting.render import ReportError, render_html, render_pdf
from assessment.services.language import translator
from assessment.services.recommendations import advice_document, recommendations, report_rows
from assessment.services.reports import build_report_data
from assessment.services.scoring import score_document


def _profile(path: Path | None) -> tuple[Mapping[str, str] | None, str | None]:
    """The enterprise profile (a JSON object of strings), or an error message."""
    if path is None:
        return None, None
    data, error = read_json(path)
    if error is not None:
        return None, error
    if not isinstance(data, dict):
        return None, f"{path}: the enterprise profile must be a JSON object"
    bad = [k for k, v in data.items() if v is not None and not isinstance(v, (str, int))]
    if bad:
        return None, f"{path}: {bad[0]!r} must be text"
    return {k: str(v) for k, v in data.items() if v is not None}, None


def _evidence(doc: Any, path: Path) -> tuple[Mapping[str, str], str | None]:
    """Evidence notes from the answers document's optional `evidence` object (item → note)."""
    notes = doc.get("evidence") if isinstance(doc, dict) else None
    if notes is None:
        return {}, None
    if not isinstance(notes, dict) or not all(isinstance(v, str) for v in notes.values()):
        return {}, f"{path}: 'evidence' must be an object of item → note text"
    return notes, None


def write_atomically(target: Path, content: bytes) -> None:
    """Write the whole file or nothing: a temporary file beside the target, renamed over it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.command("report")
@click.argument("answers_path", metavar="ANSWERS.json", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Where to write the report (PDF, or HTML with --html).")
@click.option("--lang", type=LANG, default="zh", show_default=True)
@click.option("--enterprise", "profile_path", type=click.Path(path_type=Path),
              help="Enterprise profile JSON: name, uscc, region, industry, size_class, zjtx_status.")
@click.option("--model", "model_id", help="Scoring model id (default: the questionnaire's own model).")
@click.option("--mode", type=click.Choice(MODES), default="self", show_default=True)
@click.option("--date", "date", help="Assessment date (YYYY-MM-DD; default: today).")
@click.option("--html", "as_html", is_flag=True, help="Write the HTML the PDF is made from instead.")
@click.option("--catalogue", "catalogue_paths", multiple=True, type=click.Path(path_type=Path),
              help="Solution catalogue file or folder for the recommendations (default: catalogue/).")
@click.option("--budget", type=click.IntRange(min=0), help="Budget in CNY for the recommendations.")
@click.option("--target-level", type=click.IntRange(min=1), help="Level the roadmap aims at.")
@click.option("--no-recommendations", is_flag=True, help="Leave the recommendations section out.")
def report_command(answers_path: Path, output: Path, lang: str, profile_path: Path | None, model_id: str | None,
                   mode: str, date: str | None, as_html: bool, catalogue_paths: tuple[Path, ...],
                   budget: int | None, target_level: int | None, no_recommendations: bool) -> None:
    """Write the assessment report for an answers file; exit 2 if the answers or profile are invalid."""
    lib = load_library(project_root())
    exit_if_broken(lib)
    _ = translator(lang)
    doc, questionnaire, model, answers, card = _scored(lib, answers_path, model_id, _)
    profile, error = _profile(profile_path)
    if error is None:
        evidence, error = _evidence(doc, answers_path)
    if error is not None:
        fail(error)
    if date is not None and not _is_date(date):
        fail(f"--date {date!r}: expected YYYY-MM-DD")
    recs: tuple[Recommendation, ...] | None = None
    steps: tuple[RoadmapStep, ...] | None = None
    if not no_recommendations:
        catalogues = _catalogues(lib, catalogue_paths, questionnaire.id)
        options = RecommendOptions(budget_cny=budget, target_level=target_level)
        if catalogues:
            recs, steps = _recommendations(questionnaire, model, answers, catalogues, profile, options, lang, _)
    data = build_report_data(questionnaire, model, answers, card, lang=lang, enterprise=profile,
                             mode=next(m for m in MODES if m == mode), date=date, evidence=evidence,
                             recommendations=recs, roadmap=steps)
    _write(data, output, as_html)


def _scored(lib: Library, path: Path, model_id: str | None, _: Callable[[str], str]
            ) -> tuple[Any, Questionnaire, ScoringModel, Answers, Scorecard]:
    """The answers document, what it is scored with, its answers and its scorecard; exit 2 if it cannot be scored."""
    doc, error = read_json(path)
    if error is not None:
        fail(error)
    picked = pick(lib, doc, model_id)
    if isinstance(picked, str):
        fail(f"{path}: {picked}")
    questionnaire, model = picked
    try:
        answers, card = score_document(questionnaire, model, doc)
    except AnswersInvalid as exc:
        for problem in exc.problems:
            click.echo(f"{path}: {problem.render(_)}", err=True)
        sys.exit(2)
    return doc, questionnaire, model, answers, card


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _catalogues(lib: Library, paths: tuple[Path, ...], qid: str) -> list[Catalogue]:
    """The catalogues for the questionnaire, from the given files or the project's catalogue/; exit 2 on errors."""
    questionnaires = {q: lib.questionnaire(q) for q in lib.questionnaires}
    catalogues, errors = (load_catalogues(paths, questionnaires) if paths
                          else load_catalogue_dir(project_root() / "catalogue", questionnaires))
    if errors:
        echo_errors(errors)
        sys.exit(2)
    return [c for c in catalogues if c.questionnaire == qid]


def _recommendations(questionnaire: Questionnaire, model: ScoringModel, answers: Answers, catalogues: list[Catalogue],
                     profile: Mapping[str, str] | None, options: RecommendOptions, lang: str,
                     _: Callable[[str], str]) -> tuple[tuple[Recommendation, ...], tuple[RoadmapStep, ...]]:
    """The report's recommendation rows and roadmap steps, matched to the enterprise profile."""
    profile = profile or {}
    matching = MatchingProfile(profile.get("industry") or None,
                               next((c for c in SIZE_CLASSES if c == profile.get("size_class")), None),
                               profile.get("region") or None)
    advice = recommendations(questionnaire, model, answers, catalogues, matching, options)
    return report_rows(advice_document(advice, questionnaire, model, lang, _), _)


def _write(data: ReportData, output: Path, as_html: bool) -> None:
    """Render the report and write it whole; exit 1, leaving any earlier file as it was, if it cannot be rendered."""
    try:
        content = render_html(data).encode("utf-8") if as_html else render_pdf(data)
    except ReportError as exc:
        click.echo(f"report not written: {exc}", err=True)
        sys.exit(1)
    write_atomically(output, content)
    click.echo(f"{output}: {data.scorecard.level_name}, {len(content):,} bytes")
