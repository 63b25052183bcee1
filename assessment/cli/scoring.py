"""CLI commands for content and scoring: validate, models, schema, score."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from assessment.content.catalogue import CATALOGUE, load_catalogue_dir, load_catalogues
from assessment.content.loader import ContentError, Library, content_root, load_library
from assessment.content.schemas import SCHEMAS
from assessment.domain.answers import AnswersInvalid
from assessment.domain.explanation import number, story_lines, tell
from assessment.domain.questionnaire import tr
from assessment.services.language import translator
from assessment.services.scoring import score_document, scorecard_document

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


def echo_errors(errors: list[ContentError]) -> None:
    """Print content errors to stderr, one per line."""
    for err in errors:
        click.echo(str(err), err=True)


def _pick(lib: Library, doc: Any, model_id: str | None) -> tuple[Any, Any, str | None]:
    qid = doc.get("questionnaire", DEFAULT_QUESTIONNAIRE) if isinstance(doc, dict) else DEFAULT_QUESTIONNAIRE
    if qid not in lib.questionnaires:
        return None, None, f"unknown questionnaire {qid!r}; loaded: {', '.join(sorted(lib.questionnaires))}"
    version = doc.get("version") if isinstance(doc, dict) else None
    if version is not None and version not in lib.questionnaires[qid]:
        return None, None, f"questionnaire {qid} has no version {version!r}; loaded: {', '.join(lib.questionnaires[qid])}"
    questionnaire = lib.questionnaire(qid, version)
    mid = model_id or (doc.get("model") if isinstance(doc, dict) else None)
    if mid is None:
        try:
            return questionnaire, lib.default_model(qid), None
        except KeyError as exc:
            return None, None, str(exc.args[0])
    if mid not in lib.models:
        return None, None, f"unknown model {mid!r}; loaded: {', '.join(sorted(lib.models))}"
    model = lib.model(mid)
    if model.questionnaire != qid:
        return None, None, f"model {model.ref} scores questionnaire {model.questionnaire!r}, but the answers are for {qid!r}"
    return questionnaire, model, None


def _text_summary(card: Any, questionnaire: Any, model: Any, lang: str, path: str) -> str:
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


def register(group: AppGroup) -> None:
    """Add the content and scoring commands to the `assessment` group."""

    @group.command("score", with_appcontext=False)
    @click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
    @click.option("--model", "model_id", help="Scoring model id (default: the questionnaire's own model).")
    @click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True)
    @click.option("--lang", type=LANG, default="zh", show_default=True)
    def score_command(paths: tuple[Path, ...], model_id: str | None, fmt: str, lang: str) -> None:
        """Score answer files: one JSON object per file (JSON Lines); exit 2 if any file is invalid."""
        lib = load_library(project_root())
        if lib.errors:
            echo_errors(lib.errors)
            sys.exit(2)
        _ = translator(lang)
        failed = False
        for path in paths:
            doc, error = read_json(path)
            if error is not None:
                click.echo(error, err=True)
                failed = True
                continue
            questionnaire, model, error = _pick(lib, doc, model_id)
            if error is not None:
                click.echo(f"{path}: {error}", err=True)
                failed = True
                continue
            try:
                _answers, card = score_document(questionnaire, model, doc)
            except AnswersInvalid as exc:
                for problem in exc.problems:
                    click.echo(f"{path}: {problem.render(_)}", err=True)
                failed = True
                continue
            if fmt == "json":
                out = {"file": str(path), **scorecard_document(card, questionnaire, model, lang, _)}
                click.echo(json.dumps(out, ensure_ascii=False))
            else:
                click.echo(_text_summary(card, questionnaire, model, lang, str(path)))
        if failed:
            sys.exit(2)

    @group.command("validate", with_appcontext=False)
    @click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
    def validate_command(paths: tuple[Path, ...]) -> None:
        """Validate content files (default: everything under questionnaires/, scoring_models/, catalogue/)."""
        root = project_root()
        missing = [p for p in paths if not p.is_file()]
        for p in missing:
            click.echo(f"{p}: no such file", err=True)
        shipped = {p.resolve() for d in ("questionnaires", "scoring_models") for p in (root / d).rglob("*") if p.is_file()}
        extra = [p for p in paths if p.is_file() and p.resolve() not in shipped and not _is_catalogue(p)]
        lib = load_library(root, extra)
        errors = list(lib.errors)
        errors += _catalogue_errors(root, paths, lib)
        echo_errors(errors)
        if errors or missing:
            broken = sorted({e.file for e in errors})
            click.echo(f"{len(errors)} problem(s) in {len(broken)} file(s)", err=True)
            sys.exit(2)
        counts = sum(len(v) for v in lib.questionnaires.values()), sum(len(v) for v in lib.models.values())
        click.echo(f"ok: {counts[0]} questionnaire(s), {counts[1]} scoring model(s)")

    @group.command("models", with_appcontext=False)
    @click.option("--lang", type=LANG, default="zh", show_default=True)
    def models_command(lang: str) -> None:
        """List the questionnaires and scoring models with their versions."""
        lib = load_library(project_root())
        echo_errors(lib.errors)
        for _qid, versions in sorted(lib.questionnaires.items()):
            for _version, q in sorted(versions.items()):
                click.echo(f"questionnaire {q.ref}\t{tr(q.title, lang)}\t{lib.files[q.ref]}")
        for _mid, mversions in sorted(lib.models.items()):
            for _mversion, m in sorted(mversions.items()):
                click.echo(f"model {m.ref}\tfor {m.questionnaire}\t{tr(m.name, lang)}\t{lib.files['model:' + m.ref]}")
        if lib.errors:
            sys.exit(2)

    @group.command("schema", with_appcontext=False)
    @click.argument("name", type=click.Choice(sorted([*SCHEMAS, "catalogue"])))
    def schema_command(name: str) -> None:
        """Print the JSON Schema of a content format."""
        click.echo(json.dumps({**SCHEMAS, "catalogue": CATALOGUE}[name], ensure_ascii=False, indent=2))


def _catalogue_errors(root: Path, paths: tuple[Path, ...], lib: Library) -> list[ContentError]:
    """Errors in solution catalogues, checked against the loaded questionnaires."""
    questionnaires = {qid: lib.questionnaire(qid) for qid in lib.questionnaires}
    if paths:
        targets = [p for p in paths if p.is_file() and _is_catalogue(p)]
        return load_catalogues(targets, questionnaires)[1] if targets else []
    return load_catalogue_dir(root / "catalogue", questionnaires)[1]


def _is_catalogue(path: Path) -> bool:
    try:
        return "catalogue/" in path.read_text(encoding="utf-8")[:4000]
    except OSError:
        return False
