"""The `assessment report` command: PDF or HTML out, exit 2 with precise messages for bad input, never an empty file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assessment.cli import main
from assessment.reporting import render

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "miit-2024-worked-example.json"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def profile(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_report_writes_a_pdf_with_the_enterprise_and_the_level(tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.pdf"
    ent = profile(tmp_path, {"name": "苏州精工智造科技有限公司", "size_class": "small"})
    result = run("report", str(FIXTURE), "-o", str(out), "--enterprise", str(ent), "--date", "2026-11-27")
    assert result.exit_code == 0, result.output
    assert "三级" in result.stdout
    assert out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "苏州精工智造科技有限公司" in text and "三级" in text and "小型企业" in text
    assert "MES 工单报工与工艺参数采集截图" in text  # evidence notes from the answers file


def test_report_html_option_writes_the_html_in_the_chosen_language(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = run("report", str(FIXTURE), "-o", str(out), "--html", "--lang", "en")
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "Level 3" in html and '<html lang="en">' in html


def test_invalid_answers_exit_2_with_precise_messages_and_no_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    doc = json.loads(FIXTURE.read_text(encoding="utf-8"))
    doc["answers"]["Q5"] = "Z"
    doc["answers"]["S01"] = 9
    bad.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "report.pdf"
    result = run("report", str(bad), "-o", str(out), "--lang", "en")
    assert result.exit_code == 2
    assert f"{bad}: Q5: unknown option 'Z'" in result.stderr
    assert f"{bad}: S01: level must be a whole number from 0 to 4, not 9" in result.stderr
    assert not out.exists()


def test_unreadable_answers_file_exits_2_naming_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text('{"answers": {\n  "Q1": [}', encoding="utf-8")
    result = run("report", str(bad), "-o", str(tmp_path / "r.pdf"))
    assert result.exit_code == 2
    assert f"{bad}:2:" in result.stderr and "invalid JSON" in result.stderr


def test_an_enterprise_profile_that_is_not_an_object_exits_2(tmp_path: Path) -> None:
    result = run("report", str(FIXTURE), "-o", str(tmp_path / "r.pdf"), "--enterprise", str(profile(tmp_path, ["x"])))
    assert result.exit_code == 2
    assert "the enterprise profile must be a JSON object" in result.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_a_bad_date_exits_2(tmp_path: Path) -> None:
    result = run("report", str(FIXTURE), "-o", str(tmp_path / "r.pdf"), "--date", "27.11.2026")
    assert result.exit_code == 2
    assert "expected YYYY-MM-DD" in result.stderr


def test_a_missing_font_exits_1_and_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "CJK_FONT", "No Such Font CJK SC")
    out = tmp_path / "report.pdf"
    result = run("report", str(FIXTURE), "-o", str(out))
    assert result.exit_code == 1
    assert "report not written" in result.stderr and "No Such Font CJK SC" in result.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_failed_report_keeps_the_previous_file_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "report.pdf"
    out.write_bytes(b"%PDF-previous")
    monkeypatch.setattr(render, "CJK_FONT", "No Such Font CJK SC")
    assert run("report", str(FIXTURE), "-o", str(out)).exit_code == 1
    assert out.read_bytes() == b"%PDF-previous"
