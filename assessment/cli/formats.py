"""CLI commands for the content formats: validate content files against them, print their JSON Schemas."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from assessment.cli.inputs import echo_errors, project_root
from assessment.content.catalogue import CATALOGUE, load_catalogue_dir, load_catalogues
from assessment.content.errors import ContentError
from assessment.content.loader import Library, load_library
from assessment.content.schemas import SCHEMAS


@click.command("validate")
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


@click.command("schema")
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
