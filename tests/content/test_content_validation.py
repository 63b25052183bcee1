"""Content files are validated on load: each error names the file, the line, the path and the reason."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from shipped import ROOT, library

from assessment.content.errors import ContentError
from assessment.content.loader import load_library

QUESTIONNAIRE = """\
format: questionnaire/1
id: tiny
version: "1"
languages: [zh, en]
title: {zh: 小问卷, en: Tiny}
sections:
  - id: s1
    title: {zh: 第一部分, en: Part one}
    items:
      - id: Q1
        type: multi
        text: {zh: 网络, en: Network}
        options:
          - {key: A, text: {zh: 无, en: None}, exclusive: true}
          - {key: B, text: {zh: 有线, en: Wired}}
          - {key: C, text: {zh: 无线, en: Wireless}}
      - id: Q2
        type: single
        text: {zh: 规划, en: Plan}
        options:
          - {key: A, text: {zh: 无, en: None}}
          - {key: B, text: {zh: 有, en: Has one}}
      - id: S1
        type: rating
        text: {zh: 场景一, en: Scenario one}
        levels:
          - {level: 0, title: {zh: 无, en: None}, descriptor: {zh: 未开展, en: Not yet}}
          - {level: 1, title: {zh: 一级, en: L1}, descriptor: {zh: 工具, en: Tools}}
          - {level: 2, title: {zh: 二级, en: L2}, descriptor: {zh: 系统, en: Systems}}
"""

MODEL = """\
format: scoring-model/1
id: tiny
version: "1"
questionnaire: tiny
name: {zh: 小模型, en: Tiny model}
root: total
nodes:
  - id: total
    name: {zh: 总分, en: Total}
    max: 10
    children: [n1, n2]
  - id: n1
    name: {zh: 网络, en: Network}
    max: 6
    item: Q1
    points: {A: 0, B: 3, C: 3}
  - id: n2
    name: {zh: 规划, en: Plan}
    max: 4
    item: Q2
    points: {A: 0, B: 4}
item_sets:
  scenarios: {name: {zh: 场景, en: Scenarios}, items: [S1]}
levels:
  - level: 2
    name: {zh: 二级, en: Level 2}
    conditions:
      - score: {min: 8}
      - ratings: {set: scenarios, at_least: 2, count: 1}
  - level: 1
    name: {zh: 一级, en: Level 1}
    conditions:
      - score: {min: 3}
below: {level: 0, name: {zh: 无等级, en: None}}
"""


def write(tmp_path: Path, questionnaire: str = QUESTIONNAIRE, model: str = MODEL) -> Path:
    (tmp_path / "questionnaires").mkdir(exist_ok=True)
    (tmp_path / "scoring_models").mkdir(exist_ok=True)
    (tmp_path / "questionnaires" / "tiny.yaml").write_text(questionnaire, encoding="utf-8")
    (tmp_path / "scoring_models" / "tiny.yaml").write_text(model, encoding="utf-8")
    return tmp_path


def errors_for(tmp_path: Path, questionnaire: str = QUESTIONNAIRE, model: str = MODEL) -> list[ContentError]:
    """Errors of the broken file; a model whose questionnaire is broken only points at it."""
    errors = load_library(write(tmp_path, questionnaire, model)).errors
    if questionnaire is not QUESTIONNAIRE and model is MODEL:
        cascade = [e for e in errors if e.file == "scoring_models/tiny.yaml"]
        assert [e.message for e in cascade] in ([], ["questionnaire 'tiny' did not load; see the errors in questionnaires/tiny.yaml"])
        errors = [e for e in errors if e not in cascade]
    return errors


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_every_shipped_content_file_loads() -> None:
    lib = library()
    assert {"miit-2024", "eu-dma-sme"} <= set(lib.questionnaires)
    assert {"miit-2024", "eu-dma-sme"} <= set(lib.models)
    shipped = sorted(p.name for d in ("questionnaires", "scoring_models") for p in (ROOT / d).glob("*.yaml"))
    assert len(lib.files) == len(shipped)


def test_a_valid_tiny_pair_loads(tmp_path: Path) -> None:
    assert errors_for(tmp_path) == []


def test_unknown_key_is_reported_at_its_own_line(tmp_path: Path) -> None:
    bad = QUESTIONNAIRE.replace("        type: single\n", "        type: single\n        colour: red\n")
    (err,) = errors_for(tmp_path, bad)
    assert err.file == "questionnaires/tiny.yaml"
    assert err.line == line_of(bad, "colour: red")
    assert err.path == "sections[0].items[1].colour"
    assert "unknown key 'colour'" in err.message


def test_points_for_an_option_the_item_does_not_define(tmp_path: Path) -> None:
    bad = MODEL.replace("points: {A: 0, B: 4}", "points: {A: 0, B: 4, Z: 1}")
    errors = errors_for(tmp_path, model=bad)
    assert any(
        e.file == "scoring_models/tiny.yaml"
        and e.path == "nodes[2].points.Z"
        and "option 'Z', which Q2 does not define" in e.message
        and e.line == line_of(bad, "Z: 1")
        for e in errors
    ), errors


def test_option_referenced_by_a_derivation_must_exist(tmp_path: Path) -> None:
    bad = QUESTIONNAIRE.replace(
        "          - {key: B, text: {zh: 有, en: Has one}}\n",
        "          - {key: B, text: {zh: 有, en: Has one}}\n"
        "        fields:\n          - {id: n, label: {zh: 数量, en: Count}}\n"
        "        derive:\n          band:\n            numerator: n\n            bands:\n              - {option: X, ge: 0}\n",
    )
    (err,) = errors_for(tmp_path, bad)
    assert "selects option 'X', which Q2 does not define" in err.message
    assert err.path == "sections[0].items[1].derive"


def test_points_that_do_not_add_up_to_the_declared_maximum(tmp_path: Path) -> None:
    bad = MODEL.replace("    max: 6\n", "    max: 7\n")
    errors = errors_for(tmp_path, model=bad)
    assert any(
        e.path == "nodes[1].max" and "declared max 7 but the points add up to 6" in e.message and e.line == line_of(bad, "max: 7")
        for e in errors
    ), errors


def test_a_level_rule_asking_for_more_scenarios_than_exist(tmp_path: Path) -> None:
    bad = MODEL.replace("at_least: 2, count: 1", "at_least: 2, count: 3")
    (err,) = errors_for(tmp_path, model=bad)
    assert err.path == "levels[0].conditions[1].ratings.count"
    assert "asks for 3 items of 'scenarios', which has only 1" in err.message


def test_duplicate_item_ids(tmp_path: Path) -> None:
    bad = QUESTIONNAIRE.replace("      - id: Q2\n", "      - id: Q1\n")
    (err,) = errors_for(tmp_path, bad)
    assert err.path == "sections[0].items[1].id"
    assert err.message == "duplicate item id 'Q1' (first at sections[0].items[0])"
    assert err.line == [n for n, line in enumerate(bad.splitlines(), 1) if "- id: Q1" in line][1]


def test_duplicate_yaml_keys_are_not_silently_overwritten(tmp_path: Path) -> None:
    bad = QUESTIONNAIRE.replace('version: "1"\n', 'version: "1"\nversion: "2"\n')
    (err,) = errors_for(tmp_path, bad)
    assert err.message == "duplicate key 'version'" and err.line == 4


def test_missing_translation_names_the_language(tmp_path: Path) -> None:
    bad = QUESTIONNAIRE.replace("text: {zh: 规划, en: Plan}", "text: {zh: 规划}")
    (err,) = errors_for(tmp_path, bad)
    assert err.path == "sections[0].items[1].text" and "missing translation: no 'en' text" in err.message
    assert err.line == line_of(bad, "text: {zh: 规划}")


def test_a_model_that_refers_to_items_its_questionnaire_lacks(tmp_path: Path) -> None:
    bad = MODEL.replace("item: Q2", "item: Q9")
    errors = errors_for(tmp_path, model=bad)
    assert any(e.path == "nodes[2].item" and "scores item 'Q9', which questionnaire tiny@1 lacks" in e.message for e in errors)


def test_an_item_set_naming_a_missing_item(tmp_path: Path) -> None:
    bad = MODEL.replace("items: [S1]", "items: [S1, S7]")
    errors = errors_for(tmp_path, model=bad)
    assert any(e.path == "item_sets.scenarios.items[1]" and "'S7' is not in questionnaire" in e.message for e in errors)


def test_yaml_syntax_error_gives_the_line(tmp_path: Path) -> None:
    bad = QUESTIONNAIRE.replace("title: {zh: 小问卷, en: Tiny}", "title: {zh: 小问卷, en: Tiny")
    (err,) = [e for e in errors_for(tmp_path, bad) if e.file.startswith("questionnaires")]
    assert "YAML syntax error" in err.message and err.line >= 5


def test_every_broken_file_is_reported_not_only_the_first(tmp_path: Path) -> None:
    bad_q = QUESTIONNAIRE.replace("type: single", "type: singel")
    bad_m = MODEL.replace("format: scoring-model/1", "format: scoring-model/9")
    errors = errors_for(tmp_path, bad_q, bad_m)
    assert {e.file for e in errors} == {"questionnaires/tiny.yaml", "scoring_models/tiny.yaml"}
    assert any("'singel' is not one of single, multi, number, rating, grid" in e.message for e in errors)


def test_levels_must_be_listed_from_the_top_down(tmp_path: Path) -> None:
    swapped = (
        MODEL.replace("  - level: 2\n", "  - level: X\n")
        .replace("  - level: 1\n", "  - level: 2\n")
        .replace("  - level: X\n", "  - level: 1\n")
    )
    errors = errors_for(tmp_path, model=swapped)
    assert any(e.path == "levels" and "highest down" in e.message for e in errors)


def test_display_condition_must_refer_to_an_earlier_item(tmp_path: Path) -> None:
    bad = QUESTIONNAIRE.replace("        type: multi\n", "        type: multi\n        show_if: {item: Q2, in: [B]}\n")
    (err,) = errors_for(tmp_path, bad)
    assert "refers to 'Q2', which comes after Q1" in err.message


def test_error_renders_as_file_line_path_reason(tmp_path: Path) -> None:
    bad = MODEL.replace("at_least: 2, count: 1", "at_least: 2, count: 3")
    (err,) = errors_for(tmp_path, model=bad)
    assert str(err) == f"scoring_models/tiny.yaml:{err.line}: levels[0].conditions[1].ratings.count: {err.message}"


@pytest.mark.parametrize("version", ["1", "2"])
def test_two_versions_of_a_questionnaire_load_side_by_side(tmp_path: Path, version: str) -> None:
    root = write(tmp_path)
    other = QUESTIONNAIRE.replace('version: "1"', 'version: "2"').replace("小问卷", "小问卷二")
    (root / "questionnaires" / "tiny-2.yaml").write_text(other, encoding="utf-8")
    lib = load_library(root)
    assert lib.errors == []
    assert set(lib.questionnaires["tiny"]) == {"1", "2"}
    assert lib.questionnaire("tiny").version == "2"
    assert lib.questionnaire("tiny", version).ref == f"tiny@{version}"


def test_a_third_model_needs_only_new_files(tmp_path: Path) -> None:
    root = write(tmp_path)
    mean_model = (
        textwrap.dedent(MODEL)
        .replace("id: tiny\n", "id: tiny-mean\n")
        .replace("    max: 10\n    children: [n1, n2]", "    max: 5\n    aggregate: mean\n    children: [n1, n2]")
    )
    (root / "scoring_models" / "tiny-mean.yaml").write_text(mean_model, encoding="utf-8")
    lib = load_library(root)
    assert lib.errors == []
    assert {m.id for m in lib.models_for("tiny")} == {"tiny", "tiny-mean"}
