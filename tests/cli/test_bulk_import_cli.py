"""`assessment import-enterprises FILE --dry-run`: the row report of a bulk import file (`row N, column X: reason`),
exit 2 when a row would be rejected, and a refused file named with its reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from assessment.cli import main
from assessment.cli.inputs import project_root
from assessment.content.loader import load_library
from assessment.domain.enterprise.uscc import uscc_check_character
from assessment.services.bulk_import.columns import column_ids


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _file(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    ids = column_ids(load_library(project_root()).questionnaire("miit-2024"))
    lines = [",".join(ids)] + [",".join(row.get(i, "") for i in ids) for row in rows]
    path = tmp_path / "clients.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _code(first17: str) -> str:
    return first17 + uscc_check_character(first17)


def test_the_dry_run_prints_each_rows_report_and_exits_2_when_one_is_rejected(tmp_path: Path) -> None:
    good = {"name": "甲", "uscc": _code("91370102MA3C00011"), "region": "370102", "industry": "34",
            "employees": "120", "revenue_10k_cny": "8000", "Q5": "B"}
    path = _file(tmp_path, [good, {**good, "employees": "-1", "Q5": "Z"}])
    result = run("import-enterprises", str(path), "--dry-run", "--lang", "en")
    assert result.exit_code == 2
    assert f"{path}: row 2: ok" in result.output
    assert f"{path}: row 3, column employees:" in result.output and f"{path}: row 3, column Q5:" in result.output


def test_a_file_with_unknown_columns_is_refused_and_without_dry_run_nothing_runs(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("name,uscc,evil\n", encoding="utf-8")
    refused = run("import-enterprises", str(path), "--dry-run", "--lang", "en")
    assert refused.exit_code == 2 and "unknown columns evil" in refused.output
    assert run("import-enterprises", str(path)).exit_code == 2
