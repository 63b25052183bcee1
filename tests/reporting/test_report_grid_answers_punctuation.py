"""The report's answer appendix writes grid answers with the punctuation of the report's language."""

from __future__ import annotations

from shipped import library

from assessment.domain.answers import parse_answers
from assessment.domain.scoring import score
from assessment.services.reports import build_report_data


def grid_answer(lang: str) -> str:
    q, m = library().questionnaire("eu-dma-sme"), library().model("eu-dma-sme")
    document = {"questionnaire": q.id, "answers": {"1.1": {"design": ["invested", "planned"], "planning": ["planned"]}}}
    answers = parse_answers(q, document, complete=False)  # a draft's appendix: only the grid matters here
    card = score(q, m, answers)
    data = build_report_data(q, m, answers, card, lang=lang, date="2026-12-07")
    return next(row.answer for row in data.answers if row.item_id == "1.1")


def test_grid_answers_in_chinese_use_full_width_colon_and_enumeration_comma() -> None:
    text = grid_answer("zh")
    assert "产品/服务设计（包括研究、开发与创新）：已投资、计划（进一步）投资" in text
    assert ": " not in text and ", " not in text


def test_grid_answers_in_english_keep_latin_punctuation() -> None:
    design = "Product/Service design (incl. research, development and innovation)"
    assert f"{design}: Already invested, (further) Plan to invest" in grid_answer("en")
