"""CLI command `score`: answers files scored, one JSON object (or a readable summary) per file."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from assessment.cli.inputs import LANG, exit_if_broken, model_named, pick, project_root, questionnaire_named, read_json
from assessment.content.loader import Library, load_for, load_library
from assessment.domain.answers import AnswersInvalid
from assessment.domain.explanation import number, story_lines, tell
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire, tr
from assessment.domain.scoring import Scorecard
from assessment.services.language import translator
from assessment.services.scoring import score_document, scorecard_document

AnswersFile = tuple[Path, Any, str | None]
"""An answers file: its path, its JSON data and the reason it could not be read (None if it could)."""


@click.command("score")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--model", "model_id", help="Scoring model id (default: the questionnaire's own model).")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True)
@click.option("--lang", type=LANG, default="zh", show_default=True)
def score_command(paths: tuple[Path, ...], model_id: str | None, fmt: str, lang: str) -> None:
    """Score answer files: one JSON object per file (JSON Lines); exit 2 if any file is invalid."""
    files = [(path, *read_json(path)) for path in paths]
    lib = _library_for(files, model_id)
    exit_if_broken(lib)
    _ = translator(lang)
    failed = False
    for file in files:
        out = _scored(lib, file, model_id, fmt, lang, _)
        if out is None:
            failed = True
        else:
            click.echo(out)
    if failed:
        sys.exit(2)


def _library_for(files: Sequence[AnswersFile], model_id: str | None) -> Library:
    """The questionnaires and models the readable files name (all content if one names something other than text)."""
    docs = [doc for _path, doc, error in files if error is None]
    questionnaires = [questionnaire_named(doc) for doc in docs]
    models = [mid for doc in docs if (mid := model_named(doc, model_id)) is not None]
    if all(isinstance(name, str) for name in [*questionnaires, *models]):
        return load_for(project_root(), set(questionnaires), set(models))
    return load_library(project_root())


def _scored(lib: Library, file: AnswersFile, model_id: str | None, fmt: str, lang: str,
            _: Callable[[str], str]) -> str | None:
    """One file's output line (JSON or text); None, with the problems printed to stderr, if it cannot be scored."""
    path, doc, error = file
    if error is not None:
        click.echo(error, err=True)
        return None
    picked = pick(lib, doc, model_id)
    if isinstance(picked, str):
        click.echo(f"{path}: {picked}", err=True)
        return None
    questionnaire, model = picked
    try:
        _answers, card = score_document(questionnaire, model, doc)
    except AnswersInvalid as exc:
        for problem in exc.problems:
            click.echo(f"{path}: {problem.render(_)}", err=True)
        return None
    if fmt == "json":
        return json.dumps({"file": str(path), **scorecard_document(card, questionnaire, model, lang, _)}, ensure_ascii=False)
    return _text_summary(card, questionnaire, model, lang, str(path))


def _text_summary(card: Scorecard, questionnaire: Questionnaire, model: ScoringModel, lang: str, path: str) -> str:
    _ = translator(lang)
    lines = [f"== {path}", f"{tr(questionnaire.title, lang)} · {model.ref}"]
    level = model.level_def(card.level)
    lines.append(
        _("Level: {level}").format(level=tr(level.name, lang))
        + (f"（{tr(level.label, lang)}）" if level.label and lang == "zh" else f" ({tr(level.label, lang)})" if level.label else "")
    )
    lines.append(_("Score: {score} of {max}").format(score=number(card.total.value), max=number(card.total.maximum)))
    for dim in model.dimensions:
        node = card.nodes[dim.id]
        lines.append(f"  {tr(dim.name, lang)}: {number(node.value)} / {number(node.maximum)}")
    lines.extend(story_lines(tell(card, questionnaire, model, lang), _))
    return "\n".join(lines)
