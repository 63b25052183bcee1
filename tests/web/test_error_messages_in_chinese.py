"""Error messages in Chinese use Chinese punctuation where the code puts them together, too: the error summary joins
a field's name and its message with "：", on the wizard's steps, the profile and the review page; the assessor's
pages list answers with "；" and "：" (an option keeps its "B. " marker, as in the report)."""

from __future__ import annotations

import re

from journey import Journey
from shipped import library as shipped_library
from shipped import miit
from test_chinese_punctuation import misplaced

from assessment.services.onsite import answer_label


def _messages(page: str) -> list[str]:
    """The text of the error summary's entries and of the messages beside the fields."""
    found = re.findall(r'<div class="error-summary".*?</div>', page, re.S)
    found += re.findall(r'<p class="field-error"[^>]*>.*?</p>', page, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip() for text in found]


def test_the_error_summary_of_a_step_joins_name_and_message_with_a_chinese_colon(journey: Journey) -> None:
    assessment_id = journey.start()
    journey.fill_profile(assessment_id)
    response = journey.answer(assessment_id, "foundation", {"Q1": ["A", "B"]},
                              {"total_devices": "100", "digitized_devices": "150", "networked_devices": "-5"})
    assert response.status_code == 422
    messages = _messages(response.text)
    assert messages and any("：" in text for text in messages)
    assert {text: misplaced(text) for text in messages if misplaced(text)} == {}


def test_the_profile_and_the_review_page_join_name_and_message_with_a_chinese_colon(journey: Journey) -> None:
    assessment_id = journey.start()
    response = journey.fill_profile(assessment_id, uscc="123", employees="-1", name="")
    assert response.status_code == 422
    messages = _messages(response.text)
    assert messages and {text: misplaced(text) for text in messages if misplaced(text)} == {}
    journey.fill_profile(assessment_id)
    review = journey.submit(assessment_id)
    page = review.text if review.status_code != 303 else journey.client.get(review.headers["Location"]).text
    messages = _messages(page)
    assert messages and {text: misplaced(text) for text in messages if misplaced(text)} == {}
    assert "网络建设：请回答此题。" in page, messages


def test_answers_on_the_assessor_s_pages_are_listed_with_chinese_punctuation_in_chinese() -> None:
    questionnaire, _model = miit()
    zh = answer_label(questionnaire, "Q1", ["B", "C"], "zh")
    assert "；C. " in zh and not misplaced(zh.replace("B. ", "").replace("C. ", ""))
    assert "; C. " in answer_label(questionnaire, "Q1", ["B", "C"], "en")
    eu = shipped_library().questionnaire("eu-dma-sme")
    grid = next(item for item in eu.items if item.type == "grid")
    row, column = grid.rows[0], grid.columns[0]
    shown = answer_label(eu, grid.id, {row.key: [column.key]}, "zh")
    assert "：" in shown and not misplaced(shown), shown
