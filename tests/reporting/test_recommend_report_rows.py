"""Recommendations and the roadmap become the PDF report's rows, with prices, weeks and the level after each step."""

from __future__ import annotations

import json
from pathlib import Path

from shipped import ROOT, library

from assessment.content.catalogue import load_catalogue_dir
from assessment.domain.answers import parse_answers
from assessment.services.language import translator
from assessment.services.recommendations import advice_document, recommendations, report_rows


def rows(lang: str) -> tuple[tuple, tuple, dict]:  # type: ignore[type-arg]
    lib = library()
    q, m = lib.questionnaire("miit-2024"), lib.model("miit-2024")
    catalogues, errors = load_catalogue_dir(ROOT / "catalogue", {"miit-2024": q})
    assert errors == []
    answers = parse_answers(q, json.loads(Path(ROOT / "tests/fixtures/miit-2024-worked-example.json").read_text(encoding="utf-8")))
    doc = advice_document(recommendations(q, m, answers, catalogues), q, m, lang, translator(lang))
    recs, steps = report_rows(doc, translator(lang))
    return recs, steps, doc


def test_every_recommendation_becomes_a_row_with_its_reasons_and_demo_flag() -> None:
    recs, _steps, doc = rows("zh")
    assert [r.solution_id for r in recs] == [r["solution"] for r in doc["recommendations"]]
    assert all(r.reasons and r.demo for r in recs)
    assert all(r.price.startswith("¥") for r in recs if r.price)


def test_roadmap_steps_keep_order_and_name_the_level_after_each_step() -> None:
    _recs, steps, doc = rows("zh")
    expected = [s for stage in doc["roadmap"]["stages"] for s in stage["steps"]]
    assert [s.level_after for s in steps] == [s["level_after_name"] for s in expected]
    assert steps and steps[-1].level_after == "四级"


def test_weeks_are_written_in_the_report_language() -> None:
    recs, _s, _d = rows("en")
    assert all(r.weeks.endswith(("weeks", "week")) for r in recs if r.weeks)
    recs_zh, _s, _d = rows("zh")
    assert all(r.weeks.endswith("周") for r in recs_zh if r.weeks)
