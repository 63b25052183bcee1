"""The EU EDIH DMA (SME) questionnaire and scoring model, defined as data, checked against eu-dma.md §7.

Expected values come from ../shared/reference/eu-dma.md: §7.1–7.3 (worked example "Example Metalworks"),
§7.4 (fixture 2 under the reference rules, edge tests 1–4). Exact Fractions are compared where the
reference arithmetic gives them; the reference's rounded figures are checked within its tolerance too.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from assessment.content.loader import Library, load_library
from assessment.domain.answers import AnswersInvalid, parse_answers
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire
from assessment.domain.scoring import Scorecard, check_level, compile_model, score

ROOT = Path(__file__).resolve().parents[2]
QID = "eu-dma-sme"
DIMENSIONS = ("D1", "D2", "D3", "D4", "D5", "D6")
MULTI_ITEMS = ("1.2", "2.1", "3.1", "3.2", "4.1", "4.2", "6.1")
ROWS_1_1 = ("design", "planning", "operations", "collaboration", "inbound_logistics", "marketing_sales",
            "delivery", "admin_hr", "purchasing", "security_gdpr")
ROWS_2_2 = ("simulation", "vr_ar", "cad_cam", "mes", "iot", "blockchain", "additive")
ROWS_5_1 = ("nlp", "vision", "audio", "robotics", "bi")
ROWS_6_2 = ("strategy", "ems", "procurement", "energy", "recycling")
OPTION_COUNTS = {"1.2": 10, "2.1": 10, "3.1": 7, "3.2": 8, "4.1": 8, "4.2": 6, "6.1": 10}


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(ROOT)


@pytest.fixture(scope="module")
def questionnaire(library: Library) -> Questionnaire:
    return library.questionnaire(QID)


@pytest.fixture(scope="module")
def model(library: Library) -> ScoringModel:
    return library.model(QID)


def ticks(*keys: int) -> list[str]:
    return [str(k) for k in keys]


def grades(rows: tuple[str, ...], *values: int) -> dict[str, str]:
    assert len(rows) == len(values)
    return {row: str(v) for row, v in zip(rows, values, strict=True)}


def empty_answers() -> dict[str, Any]:
    """Edge test 1: nothing ticked, every grid row at 0 / No (multi items left unanswered)."""
    return {
        "1.1": {},
        "2.2": grades(ROWS_2_2, 0, 0, 0, 0, 0, 0, 0),
        "5.1": grades(ROWS_5_1, 0, 0, 0, 0, 0),
        "6.2": dict.fromkeys(ROWS_6_2, "no"),
    }


def maximal_answers() -> dict[str, Any]:
    """Edge test 2: every tick except 4.1 option 2, both 1.1 columns on every row, grids at 5 / Yes."""
    answers = {
        "1.1": {row: ["invested", "planned"] for row in ROWS_1_1},
        "2.2": grades(ROWS_2_2, 5, 5, 5, 5, 5, 5, 5),
        "5.1": grades(ROWS_5_1, 5, 5, 5, 5, 5),
        "6.2": dict.fromkeys(ROWS_6_2, "yes"),
    }
    for iid, n in OPTION_COUNTS.items():
        answers[iid] = [str(k) for k in range(1, n + 1) if (iid, k) != ("4.1", 2)]
    return answers


def metalworks_answers() -> dict[str, Any]:
    """eu-dma.md §7.1, "Example Metalworks Ltd"."""
    return {
        "1.1": {
            "design": ["invested", "planned"],
            "planning": ["invested"],
            "operations": ["invested", "planned"],
            "collaboration": ["planned"],
            "marketing_sales": ["invested"],
            "delivery": ["planned"],
            "admin_hr": ["invested"],
            "security_gdpr": ["invested"],
        },
        "1.2": ticks(1, 3, 5),
        "2.1": ticks(1, 2, 6, 7, 8, 10),
        "2.2": grades(ROWS_2_2, 0, 0, 5, 3, 2, 0, 1),
        "3.1": ticks(3, 4, 6),
        "3.2": ticks(1, 2, 7, 8),
        "4.1": ticks(3, 5, 6),
        "4.2": ticks(1, 3, 5),
        "5.1": grades(ROWS_5_1, 1, 0, 0, 2, 4),
        "6.1": ticks(5, 7, 8, 10),
        "6.2": {"strategy": "partially", "ems": "no", "procurement": "partially", "energy": "no",
                "recycling": "yes"},
    }


def fixture2_answers() -> dict[str, Any]:
    """eu-dma.md §7.4 fixture 2 ([D]'s stored run). The reference gives only tick counts for the checkbox
    questions, so which options are ticked is our choice; the scores depend on the counts alone."""
    return {
        "1.1": {row: ["planned"] for row in ROWS_1_1},
        "1.2": ticks(1, 2, 3, 4, 5, 6),
        "2.1": ticks(1, 2, 3, 4, 5, 6, 7, 8),
        "2.2": grades(ROWS_2_2, 4, 5, 5, 5, 4, 5, 5),
        "3.1": ticks(1, 2, 3, 4, 5, 6),
        "3.2": ticks(1, 2, 3, 4, 5, 6),
        "4.1": ticks(3, 4, 5, 6, 7, 8),  # all except the policy (1) and the negative option (2)
        "4.2": ticks(1, 2, 3, 4, 5),
        "5.1": grades(ROWS_5_1, 5, 5, 4, 5, 5),
        "6.1": ticks(1, 2, 3, 4, 5, 6, 7),
        "6.2": dict.fromkeys(ROWS_6_2, "yes"),
    }


def scored(questionnaire: Questionnaire, model: ScoringModel, answers: Mapping[str, Any]) -> Scorecard:
    parsed = parse_answers(questionnaire, {"questionnaire": QID, "answers": dict(answers)})
    return score(questionnaire, model, parsed)


def value(card: Scorecard, node: str) -> Fraction:
    return card.nodes[node].value


def band(model: ScoringModel, card: Scorecard) -> str:
    return model.level_def(card.level).name["en"]


# --- content ---------------------------------------------------------------------------------------------


def test_questionnaire_and_model_load_without_errors(library: Library) -> None:
    ours = [str(e) for e in library.errors if "eu-dma-sme" in e.file]
    assert ours == []
    assert QID in library.questionnaires and QID in library.models
    assert library.default_model(QID).id == QID


def test_questionnaire_has_the_eleven_module_2_questions_in_zh_and_en(questionnaire: Questionnaire) -> None:
    assert questionnaire.languages == ("zh", "en")
    assert [i.id for i in questionnaire.items] == [
        "1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1", "6.1", "6.2"]
    types = {i.id: i.type for i in questionnaire.items}
    assert {i for i, t in types.items() if t == "grid"} == {"1.1", "2.2", "5.1", "6.2"}
    assert {i for i, t in types.items() if t == "multi"} == set(MULTI_ITEMS)
    for iid, n in OPTION_COUNTS.items():
        item = questionnaire.item(iid)
        assert item is not None and len(item.options) == n, iid
    grid_1_1 = questionnaire.item("1.1")
    assert grid_1_1 is not None and grid_1_1.grid_multi
    assert [r.key for r in grid_1_1.rows] == list(ROWS_1_1)
    assert [c.key for c in grid_1_1.columns] == ["invested", "planned"]


def test_root_is_the_overall_score_over_six_dimensions_of_max_100(model: ScoringModel) -> None:
    assert [d.id for d in model.dimensions] == list(DIMENSIONS)
    assert model.nodes[model.root].maximum == 100
    assert all(d.maximum == 100 for d in model.dimensions)
    for dim in model.dimensions:
        assert all(model.nodes[q].maximum == 10 for q in dim.children), dim.id


# --- answering rules -------------------------------------------------------------------------------------


def test_unanswered_checkbox_question_counts_as_nothing_ticked(questionnaire: Questionnaire,
                                                              model: ScoringModel) -> None:
    answers = metalworks_answers()
    del answers["1.2"]
    answers["6.1"] = None
    card = scored(questionnaire, model, answers)  # complete: multi items are optional
    assert value(card, "1.2") == 0
    assert value(card, "6.1") == 0


def test_every_row_of_a_rating_grid_must_be_answered(questionnaire: Questionnaire) -> None:
    answers = metalworks_answers()
    del answers["5.1"]["bi"]
    with pytest.raises(AnswersInvalid) as exc:
        parse_answers(questionnaire, {"answers": answers})
    assert [p.code for p in exc.value.problems] == ["grid_rows_missing"]


@pytest.mark.parametrize("grid", ["1.1", "2.2", "5.1", "6.2"])
def test_grid_questions_are_required(questionnaire: Questionnaire, grid: str) -> None:
    answers = metalworks_answers()
    del answers[grid]
    with pytest.raises(AnswersInvalid) as exc:
        parse_answers(questionnaire, {"answers": answers})
    assert [(p.item, p.code) for p in exc.value.problems] == [(grid, "missing")]


def test_negative_data_option_excludes_positive_data_options(questionnaire: Questionnaire) -> None:
    answers = metalworks_answers()
    answers["4.1"] = ticks(2, 3)
    with pytest.raises(AnswersInvalid) as exc:
        parse_answers(questionnaire, {"answers": answers})
    assert [p.code for p in exc.value.problems] == ["exclusive_mixed"]


# --- §7 worked example -----------------------------------------------------------------------------------


def test_worked_example_question_scores(questionnaire: Questionnaire, model: ScoringModel) -> None:
    card = scored(questionnaire, model, metalworks_answers())
    expected = {
        "1.1-planned": Fraction(4), "1.1-invested": Fraction(6), "1.2": Fraction(3),
        "2.1": Fraction(6), "2.2": Fraction(22, 7),  # (11/7)/5×10
        "3.1": Fraction(30, 7), "3.2": Fraction(5),
        "4.1": Fraction(30, 7), "4.2": Fraction(5),  # 4.1: 3/7×10 (REC)
        "5.1": Fraction(14, 5),  # (7/5)/5×10
        "6.1": Fraction(4), "6.2": Fraction(4),
    }
    assert {node: value(card, node) for node in expected} == expected


def test_worked_example_dimensions_overall_and_band(questionnaire: Questionnaire,
                                                     model: ScoringModel) -> None:
    card = scored(questionnaire, model, metalworks_answers())
    exact = {"D1": Fraction(130, 3), "D2": Fraction(320, 7), "D3": Fraction(325, 7), "D4": Fraction(325, 7),
             "D5": Fraction(28), "D6": Fraction(40)}
    assert {d: value(card, d) for d in DIMENSIONS} == exact
    assert value(card, "overall") == Fraction(2624, 63)
    reference = {"D1": 43.333, "D2": 45.714, "D3": 46.429, "D4": 46.429, "D5": 28.000, "D6": 40.000,
                 "overall": 41.651}
    for node, figure in reference.items():
        assert float(value(card, node)) == pytest.approx(figure, abs=0.001), node
    assert band(model, card) == "Average"


def test_dimension_1_is_the_mean_of_planned_invested_and_preparedness_times_10(
        questionnaire: Questionnaire, model: ScoringModel) -> None:
    card = scored(questionnaire, model, metalworks_answers())
    parts = [value(card, n) for n in ("1.1-planned", "1.1-invested", "1.2")]
    assert value(card, "D1") == sum(parts, Fraction(0)) / 3 * 10


def test_dimensions_2_to_6_are_the_mean_of_their_question_scores_times_10(
        questionnaire: Questionnaire, model: ScoringModel) -> None:
    for answers in (metalworks_answers(), fixture2_answers()):
        card = scored(questionnaire, model, answers)
        for dim in DIMENSIONS[1:]:
            children = model.nodes[dim].children
            mean = sum((value(card, c) for c in children), Fraction(0)) / len(children)
            assert value(card, dim) == mean * 10


def test_overall_is_the_mean_of_the_six_dimensions(questionnaire: Questionnaire, model: ScoringModel) -> None:
    for answers in (metalworks_answers(), fixture2_answers(), empty_answers(), maximal_answers()):
        card = scored(questionnaire, model, answers)
        assert value(card, "overall") == sum((value(card, d) for d in DIMENSIONS), Fraction(0)) / 6


# --- §7.4 fixture 2 and edge tests -----------------------------------------------------------------------


def test_fixture_2_under_reference_rules(questionnaire: Questionnaire, model: ScoringModel) -> None:
    card = scored(questionnaire, model, fixture2_answers())
    exact = {"D1": Fraction(160, 3), "D2": Fraction(610, 7), "D3": Fraction(1125, 14),
             "D4": Fraction(1775, 21), "D5": Fraction(96), "D6": Fraction(85)}
    assert {d: value(card, d) for d in DIMENSIONS} == exact
    reference = {"D1": 53.33, "D2": 87.14, "D3": 80.36, "D4": 84.52, "D5": 96.0, "D6": 85.0, "overall": 81.06}
    for node, figure in reference.items():  # the reference gives two decimals here
        assert float(value(card, node)) == pytest.approx(figure, abs=0.005), node
    assert band(model, card) == "Advanced"


def test_all_empty_scores_zero_everywhere_and_is_basic(questionnaire: Questionnaire,
                                                        model: ScoringModel) -> None:
    card = scored(questionnaire, model, empty_answers())
    assert all(n.value == 0 for n in card.nodes.values())
    assert band(model, card) == "Basic"
    assert card.level == 1


def test_all_maximal_scores_100_everywhere_and_is_advanced(questionnaire: Questionnaire,
                                                           model: ScoringModel) -> None:
    card = scored(questionnaire, model, maximal_answers())
    assert all(card.nodes[d].value == 100 for d in (*DIMENSIONS, "overall"))
    assert all(n.value == n.maximum for n in card.nodes.values())
    assert band(model, card) == "Advanced"


def test_negative_data_option_alone_scores_zero(questionnaire: Questionnaire, model: ScoringModel) -> None:
    answers = empty_answers()
    answers["4.1"] = ticks(2)
    card = scored(questionnaire, model, answers)
    assert value(card, "4.1") == 0
    assert value(card, "D4") == 0


def test_question_4_1_divides_by_the_seven_positive_options(questionnaire: Questionnaire,
                                                            model: ScoringModel) -> None:
    answers = empty_answers()
    answers["4.1"] = ticks(1, 3, 4, 5, 6, 7, 8)
    assert value(scored(questionnaire, model, answers), "4.1") == 10
    answers["4.1"] = ticks(1)
    assert value(scored(questionnaire, model, answers), "4.1") == Fraction(10, 7)


def _dims(*parts: Mapping[str, Any]) -> dict[str, Any]:
    """The empty answers with some questions replaced."""
    answers = empty_answers()
    for part in parts:
        answers.update(part)
    return answers


FULL_D1 = {"1.1": {row: ["invested", "planned"] for row in ROWS_1_1}, "1.2": ticks(*range(1, 11))}
FULL_D2 = {"2.1": ticks(*range(1, 11)), "2.2": grades(ROWS_2_2, 5, 5, 5, 5, 5, 5, 5)}
FULL_D4_SECURITY = {"4.2": ticks(*range(1, 7))}  # D4 = (0 + 10) / 2 × 10 = 50
FULL_D5 = {"5.1": grades(ROWS_5_1, 5, 5, 5, 5, 5)}
FULL_D6 = {"6.1": ticks(*range(1, 11)), "6.2": dict.fromkeys(ROWS_6_2, "yes")}
D2_10 = {"2.1": ticks(1, 2)}  # D2 = (2 + 0) / 2 × 10 = 10
D5_40 = {"5.1": grades(ROWS_5_1, 2, 2, 2, 2, 2)}  # D5 = 10/25 × 100 = 40

# (answers, exact overall, band): real answer sets at and just above each band edge (eu-dma.md §7.4 edge 4).
# Just above 25 and 75 the cases fall in (25, 25.5) and (75, 75.5), where round-first gives the lower band.
BAND_EDGE_CASES: dict[str, tuple[dict[str, Any], Fraction, str]] = {
    # D6 100 + D5 40 + D2 10 = 150 → 25
    "25.0": (_dims(FULL_D6, D5_40, D2_10), Fraction(25), "Basic"),
    # as above with one 2.2 row at 1: D2 = 10 + 10/7 → 25.238
    "25.24": (_dims(FULL_D6, D5_40, D2_10, {"2.2": grades(ROWS_2_2, 1, 0, 0, 0, 0, 0, 0)}),
              Fraction(1060, 42), "Average"),
    # D2 + D5 + D6 = 300 → 50
    "50.0": (_dims(FULL_D2, FULL_D5, FULL_D6), Fraction(50), "Average"),
    # D1 + D2 + D5 + D6 = 400, D4 = 50 → 75
    "75.0": (_dims(FULL_D1, FULL_D2, FULL_D5, FULL_D6, FULL_D4_SECURITY), Fraction(75),
             "Moderately advanced"),
    # D1 + D2 + D6 = 300, D4 50, D5 96, D3 6.25 (one 3.2 tick) → 75.375
    "75.38": (_dims(FULL_D1, FULL_D2, FULL_D6, FULL_D4_SECURITY,
                    {"5.1": grades(ROWS_5_1, 5, 5, 5, 5, 4), "3.2": ticks(1)}),
              Fraction(603, 8), "Advanced"),
}


@pytest.mark.parametrize("case", list(BAND_EDGE_CASES))
def test_bands_are_upper_inclusive_on_the_unrounded_overall_score(questionnaire: Questionnaire,
                                                                  model: ScoringModel, case: str) -> None:
    answers, overall, expected = BAND_EDGE_CASES[case]
    card = scored(questionnaire, model, answers)
    assert value(card, "overall") == overall
    assert band(model, card) == expected


@pytest.mark.parametrize(("overall", "expected"), [
    (Fraction(0), "Basic"), (Fraction(25), "Basic"), (Fraction("25.4"), "Average"), (Fraction(50), "Average"),
    (Fraction("50.01"), "Moderately advanced"), (Fraction(75), "Moderately advanced"),
    (Fraction("75.01"), "Advanced"), (Fraction(100), "Advanced"),
])
def test_band_rule_at_exact_edge_values(questionnaire: Questionnaire, model: ScoringModel, overall: Fraction,
                                        expected: str) -> None:
    # 25.4 (= 127/5) and 75.01 cannot come from real answers: dimension scores only have denominators made of
    # 3, 4 and 7. So check the model's levels with the engine's own condition logic on an exact overall value.
    cm = compile_model(questionnaire, model)
    den = overall.denominator
    cm = replace(cm, dens={**cm.dens, "overall": den})
    nums = {"overall": overall.numerator}
    reached = next((lv for lv in model.levels if check_level(cm, lv, nums, {}).met), model.below)
    assert reached.name["en"] == expected


# --- the D1 variant is a data switch ---------------------------------------------------------------------


def test_d1_variant_b_is_a_data_only_switch(tmp_path: Path) -> None:
    """Apply the edit the model file's D1 comment describes (eu-dma.md §4.1 variant B) and rescore."""
    (tmp_path / "questionnaires").mkdir()
    (tmp_path / "scoring_models").mkdir()
    shutil.copy(ROOT / "questionnaires" / "eu-dma-sme.yaml", tmp_path / "questionnaires")
    data = yaml.safe_load((ROOT / "scoring_models" / "eu-dma-sme.yaml").read_text(encoding="utf-8"))
    nodes = data["nodes"]
    next(n for n in nodes if n["id"] == "D1")["children"] = ["1.1", "1.2"]
    nodes[:] = [n for n in nodes if n["id"] not in ("1.1-planned", "1.1-invested")]
    nodes.append({"id": "1.1", "name": {"zh": "数字化投资领域", "en": "Digitalisation investment areas"},
                  "max": 10, "item": "1.1", "method": "grid", "points": {"invested": 1, "planned": 0.5},
                  "scale_to": 10})
    (tmp_path / "scoring_models" / "eu-dma-sme.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                                                 encoding="utf-8")
    lib = load_library(tmp_path)
    assert lib.errors == []
    q, m = lib.questionnaire(QID), lib.model(QID)
    card = scored(q, m, metalworks_answers())
    assert value(card, "1.1") == Fraction(16, 3)  # 8/15×10 = 5.333 (eu-dma.md §7.2, variant B)
    assert value(card, "D1") == Fraction(125, 3)  # 41.667 (eu-dma.md §7.3, [D] code as-is)
    card2 = scored(q, m, fixture2_answers())
    assert float(value(card2, "D1")) == pytest.approx(46.67, abs=0.005)  # eu-dma.md §7.4, [D]'s D1
