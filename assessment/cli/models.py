"""CLI command `models`: the questionnaires and scoring models there are, with their versions and files."""

from __future__ import annotations

import sys

import click

from assessment.cli.inputs import LANG, echo_errors, project_root
from assessment.content.loader import load_library
from assessment.domain.questionnaire import tr


@click.command("models")
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
