"""The questionnaire wizard: one step per section, saved on the server, nothing lost on bad input."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from journey import Journey, app_with_content

TINY_QUESTIONNAIRE = """\
format: questionnaire/1
id: tiny-conditions
version: "1"
languages: [zh, en]
title: {zh: 条件测试问卷, en: Conditions test}
sections:
  - id: systems
    title: {zh: 系统, en: Systems}
    items:
      - id: C1
        type: single
        text: {zh: 是否使用ERP, en: Do you use an ERP system}
        options:
          - {key: A, text: {zh: 否, en: "No"}}
          - {key: B, text: {zh: 是, en: "Yes"}}
      - id: C2
        type: single
        text: {zh: ERP覆盖范围, en: ERP coverage}
        show_if: {item: C1, in: [B]}
        options:
          - {key: A, text: {zh: 部分, en: Partial}}
          - {key: B, text: {zh: 全部, en: Full}}
  - id: extra
    title: {zh: 其他, en: Other}
    items:
      - id: C3
        type: single
        text: {zh: 其他问题, en: Another question}
        options:
          - {key: A, text: {zh: 甲, en: First}}
          - {key: B, text: {zh: 乙, en: Second}}
"""
TINY_MODEL = """\
format: scoring-model/1
id: tiny-conditions
version: "1"
questionnaire: tiny-conditions
name: {zh: 条件测试模型, en: Conditions test model}
root: total
nodes:
  - {id: total, name: {zh: 总分, en: Total}, max: 3, aggregate: sum, children: [D1, D2]}
  - {id: D1, name: {zh: 系统, en: Systems}, max: 2, aggregate: sum, children: [N1, N2]}
  - {id: D2, name: {zh: 其他, en: Other}, max: 1, aggregate: sum, children: [N3]}
  - {id: N1, name: {zh: ERP, en: ERP}, max: 1, item: C1, points: {A: 0, B: 1}}
  - {id: N2, name: {zh: 覆盖, en: Coverage}, max: 1, item: C2, points: {A: 0, B: 1}}
  - {id: N3, name: {zh: 其他, en: Other}, max: 1, item: C3, points: {A: 0, B: 1}}
levels:
  - level: 1
    name: {zh: 一级, en: Level 1}
    conditions:
      - score: {node: total, min: 1}
below: {level: 0, name: {zh: 无等级, en: Below level 1}}
"""


def test_step_saves_its_answers_and_moves_to_the_next_section(journey: Journey) -> None:
    assessment_id = journey.start()
    journey.fill_profile(assessment_id)
    response = journey.answer(assessment_id, "foundation", {"Q1": ["B", "C"], "Q5": "D"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/assess/{assessment_id}/step/operations-g1"
    record = journey.record(assessment_id)
    assert record.answers == {"Q1": ["B", "C"], "Q5": "D"}
    assert record.version == 3


def test_a_failing_step_keeps_what_was_saved_and_saves_the_valid_answers(journey: Journey) -> None:
    assessment_id = journey.start()
    journey.answer(assessment_id, "foundation", {"Q1": ["B", "C"]})
    response = journey.answer(assessment_id, "foundation", {"Q1": ["A", "D"], "Q5": "C"},
                              {"total_devices": "many"})
    assert response.status_code == 422
    record = journey.record(assessment_id)
    assert record.answers["Q1"] == ["B", "C"]
    assert record.answers["Q5"] == "C"
    assert "total_devices" not in record.data
    page = response.text
    assert 'id="error-summary"' in page
    # what the user typed is still on the page, beside its message
    assert re.search(r'id="Q1-A"[^>]*checked', page) and re.search(r'id="Q1-D"[^>]*checked', page)
    assert 'value="many"' in page
    assert 'id="Q1-error"' in page and 'id="Q2-total_devices-error"' in page
    assert 'href="#Q1-A"' in page and 'href="#Q2-total_devices"' in page


def test_exclusive_none_mixed_with_other_options_is_rejected_on_the_server(journey: Journey) -> None:
    assessment_id = journey.start()
    response = journey.answer(assessment_id, "foundation", {"Q1": ["A", "B"]})
    assert response.status_code == 422
    assert "“无”不能与" in response.text
    assert "Q1" not in journey.record(assessment_id).answers


def test_computed_answer_comes_from_the_figures_and_is_shown(journey: Journey) -> None:
    assessment_id = journey.start()
    response = journey.answer(assessment_id, "foundation", {}, {"total_devices": 120, "digitized_devices": 30})
    assert response.status_code == 303
    record = journey.record(assessment_id)
    assert record.answers["Q2"] == "C"  # 25 % lies in (20 %, 40 %]
    assert record.data == {"total_devices": 120, "digitized_devices": 30}
    page = journey.client.get(f"/assess/{assessment_id}/step/foundation").text
    assert "25%" in page and 'id="Q2-computed"' in page
    assert re.search(r'id="Q2-C"[^>]*checked', page)


def test_changed_figures_override_the_option_they_computed_before(journey: Journey) -> None:
    assessment_id = journey.start()
    journey.answer(assessment_id, "foundation", {}, {"total_devices": 100, "digitized_devices": 30})
    assert journey.record(assessment_id).answers["Q2"] == "C"
    # the page still has C ticked; the user only changed the figures
    response = journey.answer(assessment_id, "foundation", {"Q2": "C"}, {"total_devices": 100, "digitized_devices": 70})
    assert response.status_code == 303
    assert journey.record(assessment_id).answers["Q2"] == "E"


def test_figures_that_contradict_a_newly_chosen_option_are_reported(journey: Journey) -> None:
    assessment_id = journey.start()
    response = journey.answer(assessment_id, "foundation", {"Q2": "A"}, {"total_devices": 100, "digitized_devices": 70})
    assert response.status_code == 422
    assert "Q2-error" in response.text
    # the chosen option is refused; the figures are kept, and the answer follows from them
    record = journey.record(assessment_id)
    assert record.answers["Q2"] == "E"
    assert record.data == {"total_devices": 100, "digitized_devices": 70}


def test_two_tabs_never_silently_overwrite_each_other(journey: Journey) -> None:
    assessment_id = journey.start()
    opened_at = journey.record(assessment_id).version
    assert journey.answer(assessment_id, "foundation", {"Q5": "D"}, version=opened_at).status_code == 303
    stale = journey.answer(assessment_id, "foundation", {"Q5": "B"}, version=opened_at)
    assert stale.status_code == 409
    assert 'id="conflict"' in stale.text
    assert journey.record(assessment_id).answers["Q5"] == "D"
    # the stale tab's entries stay on the page, now carrying the current version, so saving again is deliberate
    assert re.search(r'id="Q5-B"[^>]*checked', stale.text)
    current = journey.record(assessment_id).version
    assert f'name="version" value="{current}"' in stale.text


def test_a_stale_tab_that_changes_nothing_is_not_a_conflict(journey: Journey) -> None:
    assessment_id = journey.start()
    opened_at = journey.record(assessment_id).version
    journey.answer(assessment_id, "foundation", {"Q5": "D"}, version=opened_at)
    response = journey.answer(assessment_id, "management", {}, version=opened_at)
    assert response.status_code == 303


def test_scenarios_offer_every_level_descriptor_side_by_side_with_not_yet(journey: Journey) -> None:
    assessment_id = journey.start()
    page = journey.client.get(f"/assess/{assessment_id}/step/operations-g1").text
    for level in range(5):
        assert f'id="S01-{level}"' in page
    assert "尚未开展" in page
    assert "通过设计软件工具（如CAD、CAE、EDA等）辅助开展产品设计。" in page
    assert page.count('class="level-option"') == 4 * 5


def test_every_control_has_an_id_and_name_derived_from_the_item(journey: Journey) -> None:
    assessment_id = journey.start()
    page = journey.client.get(f"/assess/{assessment_id}/step/foundation").text
    assert re.search(r'<input type="checkbox" id="Q1-A" name="Q1" value="A"', page)
    assert re.search(r'<input type="radio" id="Q5-D" name="Q5" value="D"', page)
    assert re.search(r'<input type="number" id="Q2-total_devices" name="Q2-total_devices"', page)
    assert '<label for="Q1-B">' in page
    assert 'id="save-next"' in page and 'id="save-back"' in page and 'id="save-later"' in page
    assert 'data-exclusive="B C D E"' in page


def test_progress_is_shown_as_text_and_bar(journey: Journey) -> None:
    assessment_id = journey.start()
    journey.answer(assessment_id, "foundation", {"Q1": ["B"], "Q5": "D"})
    page = journey.client.get(f"/assess/{assessment_id}/step/management").text
    assert "<progress" in page
    assert re.search(r"已回答 2 / 31 题", page)


def test_back_and_later_save_and_go_where_they_say(journey: Journey) -> None:
    assessment_id = journey.start()
    back = journey.answer(assessment_id, "operations-g1", {"S01": 2}, action="back")
    assert back.headers["Location"] == f"/assess/{assessment_id}/step/foundation"
    later = journey.answer(assessment_id, "operations-g1", {"S01": 3}, action="later")
    assert later.headers["Location"] == f"/assess/{assessment_id}/link"
    assert journey.record(assessment_id).answers["S01"] == 3


def test_a_rating_outside_the_levels_is_rejected(journey: Journey) -> None:
    assessment_id = journey.start()
    response = journey.answer(assessment_id, "operations-g1", {"S01": 7})
    assert response.status_code == 422
    assert "S01" not in journey.record(assessment_id).answers


def test_unknown_section_is_404(journey: Journey) -> None:
    assessment_id = journey.start()
    assert journey.client.get(f"/assess/{assessment_id}/step/nowhere").status_code == 404


def test_a_submitted_assessment_cannot_be_changed(journey: Journey) -> None:
    assessment_id = journey.complete()
    response = journey.answer(assessment_id, "foundation", {"Q5": "A"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/results/{assessment_id}"
    assert journey.record(assessment_id).answers["Q5"] == "D"
    assert journey.client.get(f"/assess/{assessment_id}/profile").status_code == 303
    assert journey.client.get(f"/assess/{assessment_id}/review").status_code == 303


@pytest.fixture
def conditional_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app with a small questionnaire whose second question depends on the first."""
    with app_with_content(database_url, tmp_path, "tiny", TINY_QUESTIONNAIRE, TINY_MODEL) as app:
        yield app


def test_display_conditions_are_honoured_on_the_server(conditional_app: Flask) -> None:
    journey = Journey(conditional_app.test_client())
    assessment_id = journey.start("tiny-conditions")
    page = journey.client.get(f"/assess/{assessment_id}/step/systems").text
    assert 'id="item-C1"' in page and 'id="item-C2"' not in page
    # answering C1 with "yes" brings up C2 on the same page before moving on
    revealed = journey.answer(assessment_id, "systems", {"C1": "B"}, qid="tiny-conditions")
    assert revealed.status_code == 303
    assert revealed.headers["Location"] == f"/assess/{assessment_id}/step/systems#item-C2"
    shown = journey.client.get(f"/assess/{assessment_id}/step/systems").text
    assert 'id="item-C2"' in shown and "根据您的回答，本页新增了问题。" in shown  # the message once, with the page
    again = journey.client.get(f"/assess/{assessment_id}/step/systems").text
    assert 'id="item-C2"' in again and "本页新增了问题" not in again
    journey.answer(assessment_id, "systems", {"C1": "B", "C2": "B"}, qid="tiny-conditions")
    assert journey.record(assessment_id).answers == {"C1": "B", "C2": "B"}
    # answering "no" hides C2 again and drops its answer: hidden questions are not asked and score nothing
    journey.answer(assessment_id, "systems", {"C1": "A", "C2": "B"}, qid="tiny-conditions")
    assert journey.record(assessment_id).answers == {"C1": "A"}


def test_grid_questions_are_answered_row_by_row(journey: Journey) -> None:
    assessment_id = journey.start("eu-dma-sme")
    questionnaire = journey.questionnaire("eu-dma-sme")
    page = journey.client.get(f"/assess/{assessment_id}/step/D2").text
    assert re.search(r'<input type="radio" id="2.2-simulation-3" name="2.2-simulation" value="3"', page)
    assert 'aria-labelledby="2.2-row-simulation 2.2-col-3"' in page
    partial = journey.answer(assessment_id, "D2", {"2.2": {"simulation": "3"}}, qid="eu-dma-sme")
    assert partial.status_code == 422
    assert 'id="2.2-error"' in partial.text
    assert "2.2" not in journey.record(assessment_id).answers
    rows = {row.key: "2" for row in questionnaire.item_index["2.2"].rows}
    assert journey.answer(assessment_id, "D2", {"2.2": rows}, qid="eu-dma-sme").status_code == 303
    assert journey.record(assessment_id).answers["2.2"] == rows
    ticks = journey.answer(assessment_id, "D1", {"1.1": {"design": ["invested", "planned"], "planning": ["planned"]}},
                           qid="eu-dma-sme")
    assert ticks.status_code == 303
    assert journey.record(assessment_id).answers["1.1"] == {"design": ["invested", "planned"], "planning": ["planned"]}


def test_a_questionnaire_without_scenarios_goes_from_start_to_result(journey: Journey) -> None:
    questionnaire = journey.questionnaire("eu-dma-sme")
    answers = {item.id: {row.key: item.columns[-1].key for row in item.rows}
               for item in questionnaire.items if item.type == "grid" and not item.grid_multi}
    assessment_id = journey.start("eu-dma-sme")
    assert journey.fill_profile(assessment_id).status_code == 303
    journey.answer_all(assessment_id, {"answers": answers}, qid="eu-dma-sme")
    assert journey.submit(assessment_id).status_code == 303
    page = journey.client.get(f"/results/{assessment_id}").text
    assert 'id="radar"' in page and 'id="scenario-chart"' not in page
    assert journey.record(assessment_id).questionnaire_ref == questionnaire.ref
