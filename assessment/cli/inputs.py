"""What the commands share: where content lives, reading JSON files, choosing the questionnaire and model an
answers file is scored with, and printing problems."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

import click

from assessment.content.errors import ContentError
from assessment.content.loader import Library, content_root
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire

DEFAULT_QUESTIONNAIRE = "miit-2024"
LANG = click.Choice(["zh", "en"])


def project_root() -> Path:
    """Where content lives: $ASSESSMENT_CONTENT_DIR, else the project directory."""
    env = os.environ.get("ASSESSMENT_CONTENT_DIR")
    return Path(env) if env else content_root()


def read_json(path: Path) -> tuple[Any, str | None]:
    """A JSON file's data, or an error message naming the file and the line."""
    try:
        return json.loads(path.read_text(encoding="utf-8")), None
    except FileNotFoundError:
        return None, f"{path}: no such file"
    except UnicodeDecodeError as exc:
        return None, f"{path}: not UTF-8 text ({exc.reason})"
    except json.JSONDecodeError as exc:
        return None, f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}"


def echo_errors(errors: Iterable[ContentError]) -> None:
    """Print content errors to stderr, one per line."""
    for err in errors:
        click.echo(str(err), err=True)


def fail(message: str) -> NoReturn:
    """Print the message to stderr and exit 2 (invalid input)."""
    click.echo(message, err=True)
    sys.exit(2)


def exit_if_broken(lib: Library) -> None:
    """Print the library's content errors and exit 2 if it has any."""
    if lib.errors:
        echo_errors(lib.errors)
        sys.exit(2)


def questionnaire_named(doc: Any) -> Any:
    """The questionnaire id an answers document names (the default questionnaire if it names none)."""
    return doc.get("questionnaire", DEFAULT_QUESTIONNAIRE) if isinstance(doc, dict) else DEFAULT_QUESTIONNAIRE


def model_named(doc: Any, model_id: str | None) -> Any:
    """The model id asked for on the command line, else the one the answers document names, else None."""
    return model_id or (doc.get("model") if isinstance(doc, dict) else None)


def pick(lib: Library, doc: Any, model_id: str | None) -> tuple[Questionnaire, ScoringModel] | str:
    """The questionnaire (and version) the answers document names and the model to score it with, or why not."""
    qid = questionnaire_named(doc)
    if qid not in lib.questionnaires:
        return f"unknown questionnaire {qid!r}; loaded: {', '.join(sorted(lib.questionnaires))}"
    version = doc.get("version") if isinstance(doc, dict) else None
    if version is not None and version not in lib.questionnaires[qid]:
        return f"questionnaire {qid} has no version {version!r}; loaded: {', '.join(lib.questionnaires[qid])}"
    questionnaire = lib.questionnaire(qid, version)
    mid = model_named(doc, model_id)
    if mid is None:
        try:
            return questionnaire, lib.default_model(qid)
        except KeyError as exc:
            return str(exc.args[0])
    if mid not in lib.models:
        return f"unknown model {mid!r}; loaded: {', '.join(sorted(lib.models))}"
    model = lib.model(mid)
    if model.questionnaire != qid:
        return f"model {model.ref} scores questionnaire {model.questionnaire!r}, but the answers are for {qid!r}"
    return questionnaire, model
