"""`assessment recommend ANSWERS.json`: JSON with recommendations, reasons and roadmap; exit 2 on invalid input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner, Result
from shipped import ROOT

from assessment.cli import recommend

WORKED_EXAMPLE = ROOT / "tests" / "fixtures" / "miit-2024-worked-example.json"


def run(*args: str) -> Result:
    @click.group()
    def group() -> None:
        """A bare group: the command needs no Flask app."""

    group.add_command(recommend.recommend_command)
    return CliRunner().invoke(group, ["recommend", *args])


def output(*args: str) -> dict[str, Any]:
    result = run(*args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_the_command_is_registered_on_the_assessment_group() -> None:
    from assessment.cli import main

    assert main.get_command(click.Context(main), "recommend") is recommend.recommend_command


def test_recommend_prints_each_solution_with_the_gap_it_closes_its_reasons_and_the_level_after() -> None:
    data = output(str(WORKED_EXAMPLE), "--lang", "en", "--industry", "C3670", "--size", "medium", "--region", "370102")
    assert data["level"] == 3 and data["target_level"] == 4
    assert data["recommendations"]
    for rec in data["recommendations"]:
        assert rec["solution"] and rec["closes"] and rec["reasons"]
        assert rec["level_after"] >= data["level"]
        assert all(isinstance(r, str) and "{" not in r for r in rec["reasons"])
    steps = [s for stage in data["roadmap"]["stages"] for s in stage["steps"]]
    assert data["roadmap"]["reaches_target"] and steps[-1]["level_after"] == 4
    assert "illustrative demo data" in data["notes"][0]


def test_the_budget_and_target_level_shape_the_output() -> None:
    data = output(str(WORKED_EXAMPLE), "--lang", "en", "--budget", "100000", "--target-level", "4")
    assert all(r["price"]["max_cny"] <= 100000 for r in data["recommendations"])
    assert data["roadmap"]["cost"]["max_cny"] <= 100000
    assert not data["roadmap"]["reaches_target"]
    assert "budget" in data["roadmap"]["message"]


def test_chinese_output_uses_chinese_names() -> None:
    data = output(str(WORKED_EXAMPLE), "--lang", "zh", "--size", "medium")
    assert data["level_name"] == "三级"
    first = data["recommendations"][0]
    assert first["provider"].startswith("示例服务商")
    assert any("约束性场景" in r or "基础得分" in r for r in first["reasons"])


def test_invalid_answers_exit_2_naming_each_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"questionnaire": "miit-2024", "answers": {"Q1": ["Z"], "S01": 9}}), encoding="utf-8")
    result = run(str(path), "--lang", "en")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{path}: Q1: unknown option 'Z'" in result.stderr
    assert f"{path}: S01: level must be a whole number from 0 to 4, not 9" in result.stderr


def test_unreadable_json_exits_2_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"answers": {\n  "Q1": }', encoding="utf-8")
    result = run(str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:2:")


def test_a_broken_catalogue_exits_2_naming_file_line_and_path(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / "catalogue" / "demo.yaml").read_text(encoding="utf-8").replace(
        "scenarios: [{id: S01, from: 0, to: 1}]", "scenarios: [{id: S01, from: 2, to: 1}]", 1), encoding="utf-8")
    result = run(str(WORKED_EXAMPLE), "--catalogue", str(bad))
    assert result.exit_code == 2
    assert "bad.yaml:" in result.stderr and "entries[0].scenarios[0]: S01: 'from' (2) must be below 'to' (1)" in result.stderr


def test_several_catalogues_can_be_given_and_provenance_is_printed(tmp_path: Path) -> None:
    city = tmp_path / "city.yaml"
    city.write_text((ROOT / "catalogue" / "demo.yaml").read_text(encoding="utf-8").replace("id: demo\n", "id: city\n", 1),
                    encoding="utf-8")
    data = output(str(WORKED_EXAMPLE), "--catalogue", str(ROOT / "catalogue" / "demo.yaml"), "--catalogue", str(city))
    assert data["catalogues"] == ["demo@2026.1", "city@2026.1"]
    assert {r["catalogue"] for r in data["recommendations"]} <= {"demo@2026.1", "city@2026.1"}
    assert all(r["file"] in (str(city), str(ROOT / "catalogue" / "demo.yaml")) for r in data["recommendations"])


def test_codes_that_are_not_gb_codes_exit_2() -> None:
    assert run(str(WORKED_EXAMPLE), "--industry", "Z99").exit_code == 2
    assert run(str(WORKED_EXAMPLE), "--region", "37-01").exit_code == 2
    assert run(str(WORKED_EXAMPLE), "--target-level", "7").exit_code == 2
