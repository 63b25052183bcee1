"""CLI commands for officials' aggregates: `aggregate` (protected cells to CSV/XLSX/JSON), `demo-data`, `facts`.

They run with the app's configuration and database: create_app adds them to the app's commands (`init_app`) with
what they work on (cli/installation.py).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from assessment.cli.installation import Installation, install, installation
from assessment.domain.disclosure import Policy
from assessment.services import demo
from assessment.services.aggregates import facts
from assessment.services.aggregates.cells import FIELDS, Labels
from assessment.services.aggregates.exports import AggregateError, CellExport, CellRequest, cell_export, csv_chunks, json_chunks, write_xlsx
from assessment.services.aggregates.jurisdiction import NATIONAL, Jurisdiction, jurisdiction_of
from assessment.services.aggregates.periods import Grain, parse_period
from assessment.services.aggregates.policy import DEFAULT_MODEL, disclosure_policy
from assessment.services.language import translator


@click.command("aggregate")
@click.option("--by", "by", required=True, metavar="FIELD[,FIELD...]",
              help=f"Break down by these fields: {', '.join(FIELDS)}.")
@click.option("--region", "region", metavar="CODE", help="GB/T 2260 code of the jurisdiction (default: all).")
@click.option("--period", "period", metavar="FROM:TO", help="Years (2024:2025) or quarters (2024Q1:2025Q2); "
              "one period if period is not in --by (default: the latest year).")
@click.option("--format", "kind", type=click.Choice(["csv", "xlsx", "json"]), help="Default: from -o, else csv.")
@click.option("--min-cell", "min_cell", type=int, help="k: cells under k enterprises are suppressed "
              "(default DISCLOSURE_K, 5; never below DISCLOSURE_MIN_K).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="File (default: stdout).")
@click.option("--model", "model_id", default=None, help="Scoring model id (default: miit-2024).")
@click.option("--demo", "data", type=click.Choice(["all", "real", "demo"]), default="all", show_default=True,
              help="Which rows to count: all, without demo data, or demo data only.")
@click.option("--zeros", is_flag=True, help="Also list cells that count 0.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@with_appcontext
def aggregate_command(by: str, region: str | None, period: str | None, kind: str | None, min_cell: int | None,
                      output: Path | None, model_id: str | None, data: str, zeros: bool, lang: str) -> None:
    """Write one row per cell (with a count column) of the protected table broken down by --by.

    Suppressed cells are written too, with an empty count and suppressed=true; cells not listed count 0.
    """
    here = installation()
    policy = _policy(min_cell)
    first, last, grain = _period_range(period)
    scope = _jurisdiction(here, region)
    layouts = facts.layouts(here.library)
    chosen = model_id or DEFAULT_MODEL
    if chosen not in layouts:
        raise click.BadParameter(f"no scoring model {chosen!r}; choose from {', '.join(layouts)}",
                                 param_hint="--model")
    kind = _format(kind, output)
    labels = Labels(here.regions, here.industries, translator(lang), lang)
    request = CellRequest(tuple(by.split(",")), chosen, grain, first, last, scope,
                          demo={"all": None, "real": False, "demo": True}[data], zeros=zeros)
    started = time.perf_counter()
    with here.sessions() as session:
        try:
            export = cell_export(session, regions=here.regions, industries=here.industries,
                                 layout=layouts[chosen], request=request, policy=policy, labels=labels)
        except AggregateError as exc:
            raise click.UsageError(str(exc)) from exc
    written = _write(export, labels, kind, output)
    _summary(export, written, policy, time.perf_counter() - started)


def _policy(min_cell: int | None) -> Policy:
    """The disclosure policy with --min-cell as k; a k under the server's floor is a usage error."""
    try:
        return disclosure_policy(current_app.config, min_cell)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


def _period_range(text: str | None) -> tuple[int | None, int | None, Grain]:
    """FROM:TO (or one period) as keys and their grain; raises click.BadParameter."""
    if not text:
        return None, None, "year"
    first_text, _, last_text = text.partition(":")
    first = parse_period(first_text) if first_text else None
    last = parse_period(last_text) if last_text else first
    if (first_text and first is None) or (last_text and last is None) or (first is None and last is None):
        raise click.BadParameter("write periods as 2025 or 2025Q3, a range as FROM:TO (2024:2025, 2024Q1:2025Q4)",
                                 param_hint="--period")
    grains = {p[1] for p in (first, last) if p is not None}
    if len(grains) > 1:
        raise click.BadParameter("both ends of the range must be years, or both quarters", param_hint="--period")
    if first is not None and last is not None and first[0] > last[0]:
        raise click.BadParameter("the range ends before it starts", param_hint="--period")
    return (first[0] if first else None), (last[0] if last else None), grains.pop()


def _jurisdiction(here: Installation, region: str | None) -> Jurisdiction:
    """The --region as a jurisdiction (the whole country without it); raises click.BadParameter."""
    if not region:
        return NATIONAL
    found = jurisdiction_of(here.regions, region)
    if found is None:
        raise click.BadParameter(f"{region} is not a GB/T 2260 code", param_hint="--region")
    return found


def _format(kind: str | None, output: Path | None) -> str:
    """The file format: --format, else the output file's suffix, else CSV; XLSX needs a file."""
    kind = kind or (output.suffix.lstrip(".").lower() if output and output.suffix.lower() in
                    (".csv", ".xlsx", ".json") else "csv")
    if kind == "xlsx" and output is None:
        raise click.UsageError("an XLSX workbook needs -o FILE")
    return kind


def _write(export: CellExport, labels: Labels, kind: str, output: Path | None) -> int:
    """Write the export to the file or standard output; how many cell rows."""
    rows = _Counted(export.rows)
    export.rows = rows
    if kind == "xlsx":
        assert output is not None
        with output.open("wb") as handle:
            write_xlsx(export, labels, handle)
        return rows.count
    chunks = csv_chunks(export) if kind == "csv" else json_chunks(export)
    target: IO[str]
    with (output.open("w", encoding="utf-8", newline="") if output else _Stdout()) as target:
        for chunk in chunks:
            target.write(chunk)
    return rows.count


def _summary(export: CellExport, written: int, policy: Policy, seconds: float) -> None:
    """What was written, on standard error."""
    meta = export.meta
    click.echo(f"{written} cells ({meta['suppressed_cells']} suppressed, k = {policy.k}) of "
               f"{meta['jurisdiction']['name']}, {meta['period']['from']}–{meta['period']['to']}"
               f"{' (includes demo data)' if meta['demo'] else ''} in {seconds:.2f} s", err=True)
    if "refusal" in meta:
        click.echo(f"note: {meta['refusal']}", err=True)


@click.command("demo-data")
@click.option("--count", type=click.IntRange(min=0), default=1000, show_default=True,
              help="How many submitted assessments to generate.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--delete", "remove", is_flag=True, help="Delete every demo enterprise and assessment instead.")
@with_appcontext
def demo_data_command(count: int, seed: int, remove: bool) -> None:
    """Generate demonstration enterprises and submitted assessments (marked demo everywhere); fast bulk load."""
    here = installation()
    with here.sessions() as session:
        if remove:
            enterprises, assessments = demo.delete_demo(session)
            click.echo(f"deleted {assessments} demo assessments of {enterprises} enterprises")
            return

        def progress(done: int) -> None:
            click.echo(f"  {done} / {count}", err=True)

        summary = demo.generate(session, library=here.library, regions=here.regions,
                                industries=here.industries, count=count, seed=seed,
                                progress=progress if count >= 100_000 else None)
    rate = summary.assessments / summary.seconds if summary.seconds else 0.0
    click.echo(f"{summary.assessments} demo assessments of {summary.enterprises} enterprises in "
               f"{summary.seconds:.1f} s ({rate:,.0f} assessments/s)")


facts_group = AppGroup("facts", help="The fact table behind officials' aggregates.")


@facts_group.command("rebuild")
@click.option("--include-demo", is_flag=True, help="Also rebuild demo facts (re-scores their answers; slow).")
def facts_rebuild(include_demo: bool) -> None:
    """Write the facts of every submitted assessment again (after upgrading to 0003_officials)."""
    here = installation()
    with here.sessions() as session:
        written = facts.rebuild_facts(session, here.library, include_demo=include_demo)
        session.commit()
        total = facts.fact_count(session)
    click.echo(f"wrote {written} facts ({total} in all)")


@facts_group.command("cluster")
def facts_cluster() -> None:
    """Put the facts in jurisdiction order and refresh statistics (PostgreSQL CLUSTER; locks the table meanwhile)."""
    started = time.perf_counter()
    with installation().sessions() as session:
        facts.cluster_facts(session)
    click.echo(f"facts reorganised in {time.perf_counter() - started:.1f} s")


def init_app(app: Flask, here: Installation) -> None:
    """Add `aggregate`, `demo-data` and `facts` to the app's CLI (the `assessment` command)."""
    install(app, here)
    app.cli.add_command(aggregate_command)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(facts_group)


class _Counted(Iterator[tuple[Any, ...]]):
    """An iterator of rows that counts what passed through."""

    def __init__(self, rows: Iterator[tuple[Any, ...]]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> tuple[Any, ...]:
        row: tuple[Any, ...] = next(self.rows)
        self.count += 1
        return row


class _Stdout:
    """Standard output as a context manager that is not closed."""

    def __enter__(self) -> IO[str]:
        return sys.stdout

    def __exit__(self, *_exc: object) -> None:
        sys.stdout.flush()
