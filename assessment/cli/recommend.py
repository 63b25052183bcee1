"""CLI command `recommend`: gaps, ranked 小快轻准 solutions and a costed roadmap for one answers file, as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, cast

import click

from assessment.cli.inputs import LANG, echo_errors, exit_if_broken, fail, project_root, questionnaire_named, read_json
from assessment.content.catalogue import load_catalogues
from assessment.content.loader import load_library
from assessment.domain.answers import AnswersInvalid
from assessment.domain.catalogue import DEPLOYMENTS, SIZE_CLASSES, Deployment
from assessment.domain.enterprise import SizeClass, normalise_region_code, section_of_division
from assessment.domain.recommend import MatchingProfile, RecommendOptions
from assessment.services.language import translator
from assessment.services.recommendations import recommendations_document


@click.command("recommend")
@click.argument("answers_path", metavar="ANSWERS.json", type=click.Path(path_type=Path))
@click.option("--budget", type=click.IntRange(min=0), help="Budget in CNY for the whole roadmap (upper price bounds).")
@click.option("--target-level", type=int, help="Level to plan for (default: the next level and the one after).")
@click.option("--catalogue", "catalogue_paths", multiple=True, type=click.Path(path_type=Path),
              help="Catalogue file or directory; repeat for several (default: the project's catalogue/).")
@click.option("--industry", help="GB/T 4754-2017 code, e.g. 3670 or C3670.")
@click.option("--size", type=click.Choice(SIZE_CLASSES), help="Size class.")
@click.option("--region", help="GB/T 2260 code, e.g. 370102.")
@click.option("--deployment", "deployments", multiple=True, type=click.Choice(DEPLOYMENTS),
              help="Only solutions offered with this deployment; repeat for several.")
@click.option("--scenario", "scenarios", multiple=True, help="Only list solutions for this scenario (e.g. S06).")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Recommendations listed.")
@click.option("--lang", type=LANG, default="zh", show_default=True)
def recommend_command(answers_path: Path, budget: int | None, target_level: int | None,
                      catalogue_paths: tuple[Path, ...], industry: str | None, size: str | None, region: str | None,
                      deployments: tuple[str, ...], scenarios: tuple[str, ...], limit: int, lang: str) -> None:
    """Recommend catalogue solutions and a roadmap for ANSWERS.json; exit 2 if an input is invalid."""
    lib = load_library(project_root())
    exit_if_broken(lib)
    doc, error = read_json(answers_path)
    if error is not None:
        fail(error)
    qid = questionnaire_named(doc)
    if qid not in lib.questionnaires:
        fail(f"{answers_path}: unknown questionnaire {qid!r}; loaded: {', '.join(sorted(lib.questionnaires))}")
    questionnaire = lib.questionnaire(qid)
    model = lib.default_model(qid)
    if target_level is not None and target_level not in {lv.level for lv in model.levels}:
        fail(f"--target-level {target_level}: {model.ref} has levels "
             f"{', '.join(str(lv.level) for lv in sorted(model.levels, key=lambda lv: lv.level))}")
    if industry is not None and section_of_division(industry) is None:
        fail(f"--industry {industry!r}: not a GB/T 4754-2017 code such as 3670 or C3670")
    region_code = normalise_region_code(region) if region is not None else None
    if region is not None and region_code is None:
        fail(f"--region {region!r}: not a GB/T 2260 code such as 370102")
    paths = list(catalogue_paths) or [project_root() / "catalogue"]
    missing = [p for p in paths if not p.exists()]
    if missing:
        fail("; ".join(f"{p}: no such file or directory" for p in missing))
    catalogues, errors = load_catalogues(paths, {q.id: q for q in lib.latest_questionnaires()})
    if errors:
        echo_errors(errors)
        sys.exit(2)
    profile = MatchingProfile(industry, cast(SizeClass | None, size), region_code)
    options = RecommendOptions(budget, target_level, frozenset(cast(tuple[Deployment, ...], deployments)),
                               frozenset(scenarios), limit)
    _ = translator(lang)
    try:
        out: dict[str, Any] = recommendations_document(questionnaire, model, doc, catalogues, profile, options, lang, _)
    except AnswersInvalid as exc:
        for problem in exc.problems:
            click.echo(f"{answers_path}: {problem.render(_)}", err=True)
        sys.exit(2)
    click.echo(json.dumps({"file": str(answers_path), **out}, ensure_ascii=False, indent=2))
