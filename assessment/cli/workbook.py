"""CLI commands `workbook export` and `workbook read`: the questionnaire as an Excel workbook and back."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from assessment.cli.inputs import LANG, exit_if_broken, fail, project_root, read_json
from assessment.content.loader import Library, load_library
from assessment.domain.answers import Answers, AnswersInvalid, parse_answers
from assessment.domain.questionnaire import Questionnaire
from assessment.services.language import translator
from assessment.services.workbook import WorkbookInvalid, export_workbook, read_workbook
from assessment.services.workbook.cells import profile_problems
from assessment.services.workbook.layout import PROFILE_KEYS


@click.group("workbook")
def workbook_command() -> None:
    """The questionnaire as an Excel workbook to fill in offline, and read back into an answers document."""


def _questionnaire(lib: Library, name: str) -> Questionnaire:
    qid, _, version = name.partition("@")
    if qid not in lib.questionnaires:
        fail(f"unknown questionnaire {qid!r}; loaded: {', '.join(sorted(lib.questionnaires))}")
    if version and version not in lib.questionnaires[qid]:
        fail(f"questionnaire {qid} has no version {version!r}; loaded: {', '.join(lib.questionnaires[qid])}")
    return lib.questionnaire(qid, version or None)


def _answers(path: Path, questionnaire: Questionnaire, lang: str) -> Answers:
    doc, error = read_json(path)
    if error is not None:
        fail(error)
    try:
        return parse_answers(questionnaire, doc, complete=False)
    except AnswersInvalid as exc:
        _ = translator(lang)
        fail("\n".join(f"{path}: {problem.render(_)}" for problem in exc.problems))


def _profile(path: Path, lang: str) -> dict[str, str]:
    doc, error = read_json(path)
    if error is not None:
        fail(error)
    if not isinstance(doc, dict) or not all(isinstance(v, str) for v in doc.values()):
        fail(f"{path}: the profile must be a JSON object of field → text ({', '.join(PROFILE_KEYS)})")
    unknown = sorted(set(doc) - set(PROFILE_KEYS))
    if unknown:
        fail(f"{path}: {unknown[0]} is not a field of the enterprise profile; the fields are: {', '.join(PROFILE_KEYS)}")
    problems = profile_problems(doc)
    if problems:
        _ = translator(lang)
        fail("\n".join(f"{path}: {problem.item}: {problem.render(_)}" for problem in problems))
    return {key: value.strip() for key, value in doc.items() if value.strip()}


@workbook_command.command("export")
@click.argument("questionnaire_name", metavar="QUESTIONNAIRE")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The .xlsx file to write.")
@click.option("--lang", type=LANG, default="zh", show_default=True)
@click.option("--answers", "answers_path", type=click.Path(path_type=Path), help="Answers document to pre-fill.")
@click.option("--profile", "profile_path", type=click.Path(path_type=Path), help="Enterprise profile (JSON) to pre-fill.")
def export_command(questionnaire_name: str, output: Path, lang: str, answers_path: Path | None,
                   profile_path: Path | None) -> None:
    """Write QUESTIONNAIRE (id or id@version) as an Excel workbook; exit 2 if the answers or profile are invalid."""
    lib = load_library(project_root())
    exit_if_broken(lib)
    questionnaire = _questionnaire(lib, questionnaire_name)
    answers = _answers(answers_path, questionnaire, lang) if answers_path else None
    profile = _profile(profile_path, lang) if profile_path else None
    output.write_bytes(export_workbook(questionnaire, lang, answers, profile))
    click.echo(f"{output}: {questionnaire.ref}", err=True)


@workbook_command.command("read")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--lang", type=LANG, default="zh", show_default=True, help="Language of the problems reported.")
def read_command(path: Path, lang: str) -> None:
    """Print the answers document a filled-in workbook holds; exit 2, listing every problem, if it is not valid."""
    lib = load_library(project_root())
    exit_if_broken(lib)
    candidates = [q for versions in lib.questionnaires.values() for q in versions.values()]
    _ = translator(lang)
    try:
        with path.open("rb") as stream:
            document = read_workbook(stream, candidates)
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except WorkbookInvalid as exc:
        for problem in exc.problems:
            click.echo(problem.render(str(path), _), err=True)
        sys.exit(2)
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))
