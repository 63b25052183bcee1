"""The `assessment` command: score, validate, models, schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from shipped import ROOT, WORKED_EXAMPLE_RATINGS, answers_with_base
from test_content_validation import MODEL, QUESTIONNAIRE

from assessment.cli import main


def write_answers(path: Path, answers: dict[str, Any], questionnaire: str = "miit-2024") -> Path:
    path.write_text(json.dumps({"questionnaire": questionnaire, "answers": answers}, ensure_ascii=False), encoding="utf-8")
    return path


def worked(tmp_path: Path, name: str = "worked.json") -> Path:
    return write_answers(tmp_path / name, {**answers_with_base("64.5"), **WORKED_EXAMPLE_RATINGS})


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_score_prints_one_json_object_with_level_score_dimensions_and_explanation(tmp_path: Path) -> None:
    result = run("score", str(worked(tmp_path)))
    assert result.exit_code == 0
    (line,) = result.stdout.splitlines()
    doc = json.loads(line)
    assert doc["level"] == 3 and doc["score"] == 64.5
    assert [d["id"] for d in doc["dimensions"]] == ["F", "M", "R"]
    assert doc["explanation"]["next"]["level"] == 4
    assert doc["explanation"]["next"]["points_short"] == 15.5
    assert any("三级" in line for line in doc["explanation"]["text"])


def test_several_files_give_json_lines_in_input_order(tmp_path: Path) -> None:
    low = write_answers(tmp_path / "low.json", {**answers_with_base("30"), **dict.fromkeys(WORKED_EXAMPLE_RATINGS, 1)})
    result = run("score", str(worked(tmp_path)), str(low))
    docs = [json.loads(x) for x in result.stdout.splitlines()]
    assert [d["file"] for d in docs] == [str(tmp_path / "worked.json"), str(low)]
    assert [d["level"] for d in docs] == [3, 1]


def test_an_invalid_file_exits_2_and_the_valid_ones_are_still_scored(tmp_path: Path) -> None:
    bad_answers = {**answers_with_base("64.5"), **WORKED_EXAMPLE_RATINGS, "Q6": ["A", "B"], "S02": 7}
    bad = write_answers(tmp_path / "bad.json", bad_answers)
    broken = tmp_path / "broken.json"
    broken.write_text('{"answers": {', encoding="utf-8")
    good = worked(tmp_path)
    result = CliRunner().invoke(main, ["score", str(bad), str(good), str(broken)])
    assert result.exit_code == 2
    assert [json.loads(x)["file"] for x in result.stdout.splitlines()] == [str(good)]
    errors = result.stderr.splitlines()
    assert f"{bad}: Q6：选项 A（无）不能与其他选项同时选择" in errors
    assert f"{bad}: S02：等级须为 0 到 4 的整数，而不是 7" in errors
    assert any(e.startswith(f"{broken}:1:") and "invalid JSON" in e for e in errors)


def test_english_messages_with_lang_en(tmp_path: Path) -> None:
    bad = write_answers(tmp_path / "bad.json", {"Q1": ["B"]})
    result = CliRunner().invoke(main, ["score", "--lang", "en", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}: Q2: no answer" in result.stderr.splitlines()


def test_text_format_is_a_readable_chinese_summary(tmp_path: Path) -> None:
    result = run("score", "--format", "text", str(worked(tmp_path)))
    assert "等级：三级（集成级）" in result.stdout
    assert "得分：64.5 / 100" in result.stdout
    assert "要达到四级：" in result.stdout


def test_the_model_option_picks_another_model_and_rejects_a_mismatch(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["score", "--model", "eu-dma-sme", str(worked(tmp_path))])
    assert result.exit_code == 2
    assert "model eu-dma-sme@" in result.stderr and "'miit-2024'" in result.stderr


def test_validate_passes_on_the_shipped_content() -> None:
    result = run("validate")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("ok:")


def test_validate_reports_every_broken_file_with_line_and_path(tmp_path: Path) -> None:
    q = tmp_path / "q.yaml"
    q.write_text(QUESTIONNAIRE.replace("id: tiny", "id: tiny-x").replace("type: single", "type: singel"), encoding="utf-8")
    m = tmp_path / "m.yaml"
    m.write_text(MODEL.replace("questionnaire: tiny", "questionnaire: miit-2024").replace("item: Q2", "item: Q99"), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(q), str(m)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"{q}:") and "sections[0].items[1].type" in line for line in lines)
    assert any(line.startswith(f"{m}:") and "Q99" in line for line in lines)
    assert lines[-1] == "2 problem(s) in 2 file(s)" or lines[-1].endswith("in 2 file(s)")


def test_models_lists_questionnaires_and_models_with_versions() -> None:
    out = run("models").stdout
    assert "questionnaire miit-2024@2024.1" in out and "model miit-2024@2024.1" in out
    assert "questionnaire eu-dma-sme@" in out


def test_schema_prints_the_answers_schema() -> None:
    schema = json.loads(run("schema", "answers").stdout)
    assert schema["$id"] == "answers/1" and "answers" in schema["required"]


def test_the_console_script_runs_outside_an_app_context(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("assessment")
    done = subprocess.run([str(script), "score", str(worked(tmp_path))], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["level"] == 3


def test_validate_checks_catalogues_against_the_questionnaires(tmp_path: Path) -> None:
    demo = (ROOT / "catalogue" / "demo.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "mine.yaml"
    broken.write_text(demo.replace("id: demo", "id: mine", 1).replace("{id: S06,", "{id: S66,", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(broken)])
    assert result.exit_code == 2
    assert any(line.startswith(f"{broken}:") and "S66" in line for line in result.stderr.splitlines()), result.stderr


def test_schema_lists_the_catalogue_format() -> None:
    assert json.loads(run("schema", "catalogue").stdout)["type"] == "object"


def test_score_checks_the_content_it_uses_and_builds_no_other(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "questionnaires").mkdir()
    (tmp_path / "scoring_models").mkdir()
    (tmp_path / "questionnaires" / "tiny.yaml").write_text(QUESTIONNAIRE, encoding="utf-8")
    (tmp_path / "scoring_models" / "tiny.yaml").write_text(MODEL, encoding="utf-8")
    other = QUESTIONNAIRE.replace("id: tiny", "id: other").replace("type: single", "type: singel")
    (tmp_path / "questionnaires" / "other.yaml").write_text(other, encoding="utf-8")
    monkeypatch.setenv("ASSESSMENT_CONTENT_DIR", str(tmp_path))
    answers = write_answers(tmp_path / "a.json", {"Q1": ["B", "C"], "Q2": "B", "S1": 2}, questionnaire="tiny")
    result = run("score", str(answers))
    assert result.exit_code == 0 and json.loads(result.stdout)["level"] == 2
    (tmp_path / "scoring_models" / "tiny.yaml").write_text(MODEL.replace("max: 6", "max: 7"), encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(answers)])
    assert result.exit_code == 2 and "declared max 7 but the points add up to 6" in result.stderr
