"""`assessment import-enterprises FILE --dry-run`: check a bulk import file row by row, as the provider's import
page does, and print the row report (`FILE: row N, column X: reason`); exit 2 if any row would be rejected."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from assessment.cli.inputs import LANG, exit_if_broken, fail, project_root
from assessment.content.codes import industries, regions
from assessment.content.loader import load_library
from assessment.services.bulk_import.rows import MODES, FileRefused, check_row, read_rows
from assessment.services.language import translator


@click.command("import-enterprises")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--questionnaire", "questionnaire_name", default="miit-2024", show_default=True,
              help="The questionnaire id (latest version) or id@version the file's answers are for.")
@click.option("--mode", type=click.Choice(MODES), default="invite", show_default=True,
              help="invite: answers as drafts; onsite: attested results (every answer needed).")
@click.option("--lang", type=LANG, default="zh", show_default=True, help="Language of the problems reported.")
@click.option("--dry-run", is_flag=True, help="Only check the rows (the import itself runs on the provider's page).")
def import_command(path: Path, questionnaire_name: str, mode: str, lang: str, dry_run: bool) -> None:
    """Check a file of many enterprises row by row and print the row report; exit 2 if a row would be rejected."""
    if not dry_run:
        fail("only --dry-run is built here; import the file on the provider's page (/provider/import)")
    lib = load_library(project_root())
    exit_if_broken(lib)
    qid, _, version = questionnaire_name.partition("@")
    questionnaire = lib.questionnaires.get(qid, {}).get(version) if version else (
        lib.questionnaire(qid) if qid in lib.questionnaires else None)
    if questionnaire is None:
        fail(f"{questionnaire_name}: no such questionnaire")
    _ = translator(lang)
    try:
        rows = read_rows(path.read_bytes(), path.name, questionnaire)
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except FileRefused as refused:
        fail(f"{path}: {refused.problem.render(_)}")
    rejected = 0
    for row in rows:
        checked = check_row(row, questionnaire, regions(), industries(), complete=mode == "onsite")
        if isinstance(checked, list):
            rejected += 1
            for problem in checked:
                click.echo(f"{path}: row {row.number}, column {problem.item or '—'}: {problem.render(_)}")
        else:
            click.echo(f"{path}: row {row.number}: ok ({checked.uscc})")
    click.echo(f"{len(rows) - rejected} row(s) ok, {rejected} rejected", err=True)
    if rejected:
        sys.exit(2)
