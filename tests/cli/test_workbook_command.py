"""`assessment workbook export` and `assessment workbook read`: the round trip through files, exit codes, and every
problem as `FILE.xlsx: sheet!cell: reason` on stderr with nothing on stdout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner
from shipped import WORKED_EXAMPLE_RATINGS, answers_with_base

from assessment.cli import main


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def complete_answers(tmp_path: Path) -> Path:
    answers = {**answers_with_base("64.5"), **WORKED_EXAMPLE_RATINGS}
    return write(tmp_path / "answers.json", {"questionnaire": "miit-2024", "answers": answers})


def test_export_with_answers_then_read_then_score_gives_the_same_level(tmp_path: Path) -> None:
    answers = complete_answers(tmp_path)
    book = tmp_path / "q.xlsx"
    assert run("workbook", "export", "miit-2024", "-o", str(book), "--answers", str(answers)).exit_code == 0
    read = run("workbook", "read", str(book))
    assert read.exit_code == 0, read.output
    again = write(tmp_path / "again.json", json.loads(read.stdout))
    before, after = run("score", str(answers)), run("score", str(again))
    assert json.loads(before.stdout)["level"] == json.loads(after.stdout)["level"]
    assert json.loads(before.stdout)["score"] == json.loads(after.stdout)["score"]


def test_export_in_english_with_a_profile(tmp_path: Path) -> None:
    profile = write(tmp_path / "profile.json", {"name": "Acme", "size_class": "small"})
    book = tmp_path / "q.xlsx"
    assert run("workbook", "export", "eu-dma-sme", "-o", str(book), "--lang", "en", "--profile", str(profile)).exit_code == 0
    assert openpyxl.load_workbook(book).sheetnames[0] == "Instructions"
    read = run("workbook", "read", str(book))
    assert json.loads(read.stdout)["enterprise"] == {"name": "Acme", "size_class": "small"}


def test_export_refuses_invalid_answers_with_exit_2(tmp_path: Path) -> None:
    answers = write(tmp_path / "bad.json", {"questionnaire": "miit-2024", "answers": {"Q2": "Z"}})
    result = run("workbook", "export", "miit-2024", "-o", str(tmp_path / "q.xlsx"), "--answers", str(answers))
    assert result.exit_code == 2
    assert f"{answers}: Q2：未知选项" in result.stderr
    assert not (tmp_path / "q.xlsx").exists()


def test_export_refuses_an_unknown_questionnaire(tmp_path: Path) -> None:
    result = run("workbook", "export", "nope", "-o", str(tmp_path / "q.xlsx"))
    assert result.exit_code == 2 and "unknown questionnaire 'nope'" in result.stderr


def test_read_reports_every_problem_with_sheet_and_cell_and_prints_nothing(tmp_path: Path) -> None:
    book = tmp_path / "q.xlsx"
    run("workbook", "export", "miit-2024", "-o", str(book))
    workbook = openpyxl.load_workbook(book)
    sheet = workbook["1 数字化基础"]
    rows = {sheet[f"A{r}"].value: r for r in range(1, sheet.max_row + 1)}
    sheet[f"D{rows['single:Q2']}"] = "Z"
    sheet[f"D{rows['field:total_devices']}"] = "=1+1"
    workbook.save(book)
    result = run("workbook", "read", str(book), "--lang", "en")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{book}: 1 数字化基础!D{rows['single:Q2']}: Q2: unknown option 'Z'; expected one of A, B, C, D, E",
        f"{book}: 1 数字化基础!D{rows['field:total_devices']}: a formula where an answer is expected; enter the value itself",
    ]


def test_read_reports_in_chinese_by_default(tmp_path: Path) -> None:
    book = write(tmp_path / "q.xlsx", "not a workbook")
    result = run("workbook", "read", str(book))
    assert result.exit_code == 2 and result.stderr.strip() == f"{book}: 不是 Excel 工作簿（.xlsx）"


def test_read_a_missing_file(tmp_path: Path) -> None:
    result = run("workbook", "read", str(tmp_path / "none.xlsx"))
    assert result.exit_code == 2 and "no such file" in result.stderr
