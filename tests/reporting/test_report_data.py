"""Building ReportData: names in the report language, areas, appendix, gaps, previous assessment, plain values."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from shipped import miit

from assessment.domain.answers import Answers
from assessment.domain.scoring import Scorecard
from assessment.reporting.data import PeerComparison, Recommendation, ReportData
from assessment.services.reports import build_report_data, short_descriptor
from assessment.services.scoring import score_document

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "miit-2024-worked-example.json"


def worked_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return document


def worked() -> tuple[Answers, Scorecard]:
    q, m = miit()
    return score_document(q, m, worked_document())


def report(lang: str = "zh", **kwargs: Any) -> ReportData:
    q, m = miit()
    answers, card = worked()
    return build_report_data(q, m, answers, card, lang=lang, date="2026-11-27", **kwargs)


def test_worked_example_fixture_is_level_3_with_base_64_5() -> None:
    _, card = worked()
    assert card.level == 3
    assert card.total.value == 64.5


def test_names_and_level_come_in_the_report_language() -> None:
    zh, en = report("zh"), report("en")
    assert zh.scorecard.level_name == "三级" and zh.scorecard.level_label == "集成级"
    assert en.scorecard.level_name == "Level 3"
    assert [d.name for d in zh.scorecard.dimensions] == ["数字化基础", "数字化管理", "数字化成效"]
    assert en.scorecard.dimensions[0].name == "Digital foundation"
    assert zh.assessment.questionnaire_ref == "miit-2024@2024.1" and zh.assessment.model_ref == "miit-2024@2024.1"
    assert zh.language == "zh" and en.language == "en"


def test_dimension_scores_add_up_to_the_total() -> None:
    card = report().scorecard
    assert sum(d.score for d in card.dimensions) == pytest.approx(card.total) == 64.5
    assert [d.maximum for d in card.dimensions] == [50, 30, 20]


def test_indicators_carry_their_parent_and_depth() -> None:
    rows = {r.id: r for r in report().scorecard.indicators}
    assert rows["F1"].depth == 2 and rows["F1"].parent == "数字化基础"
    assert rows["F1.1"].depth == 3 and rows["F1.1"].parent == "设备系统" and rows["F1.1"].item == "Q1"
    assert rows["F1.1"].score == 6 and rows["F1.1"].maximum == 8


def test_strongest_and_weakest_areas_are_ranked_by_share_of_their_maximum() -> None:
    data = report()
    strongest, weakest = data.strongest, data.weakest
    assert [r.share for r in strongest] == sorted((r.share for r in strongest), reverse=True)
    assert [r.share for r in weakest] == sorted(r.share for r in weakest)
    assert strongest[0].name == "绿色低碳" and strongest[0].share == 1
    assert weakest[0].name == "要素保障"
    assert all(r.depth == 2 for r in (*strongest, *weakest))


def test_scenarios_keep_their_level_and_constraint_flag() -> None:
    scenarios = report().scorecard.scenarios
    assert len(scenarios) == 16
    constraint = {s.name for s in scenarios if s.constraint}
    assert constraint == {"产品设计", "营销管理", "生产管控", "质量管理", "设备管理", "安全生产", "能耗管理", "采购管理",
                          "仓储物流", "财务管理"}
    by_name = {s.name: s for s in scenarios}
    assert by_name["决策支持"].level == 1 and by_name["决策支持"].level_title == "一级"
    assert report().scorecard.scenario_level_titles == ("一级", "二级", "三级", "四级")


def test_zjtx_equivalent_of_level_3_is_5_points_with_its_source() -> None:
    (equivalent,) = report().scorecard.equivalents
    assert equivalent.value == 5
    assert "63号" in equivalent.source


def test_next_level_gap_names_the_points_and_scenarios_short() -> None:
    gap = report("en").next_level
    assert gap is not None and gap.name == "Level 4"
    text = " ".join(gap.gaps)
    assert "15.5 more points" in text
    assert "10 more at Level 4" in text and "6 more at Level 4" in text


def test_explanation_says_why_this_level_and_what_lifts_it() -> None:
    blocks = report("zh").explanation
    assert blocks[0].heading == "为什么是三级" and blocks[0].met
    assert blocks[1].heading == "如何提升到四级" and not blocks[1].met
    assert any("15.5" in line for line in blocks[1].lines)


def test_answers_appendix_has_every_item_with_option_texts_points_and_figures() -> None:
    rows = {r.item_id: r for r in report("zh", evidence=worked_document()["evidence"]).answers}
    q, _ = miit()
    assert list(rows) == [i.id for i in q.items]
    assert rows["Q1"].answer.startswith("B. 企业车间建成工控网络") and "；C. " in rows["Q1"].answer
    assert rows["Q1"].points == "6 / 8"
    assert rows["Q2"].answer.startswith("D. (40%,60%]")
    assert "生产设备总数 120 台" in rows["Q2"].answer and "50%" in rows["Q2"].answer
    assert "±0%" in rows["Q15"].answer
    assert rows["S06"].answer.startswith("三级 — ") and rows["S06"].points == ""


def test_evidence_notes_sit_beside_their_answer() -> None:
    rows = {r.item_id: r for r in report("zh", evidence={"Q5": "ERP 系统截图"}).answers}
    assert rows["Q5"].evidence == "ERP 系统截图"
    assert rows["Q6"].evidence == ""


def test_short_descriptor_keeps_the_first_clause() -> None:
    assert short_descriptor("应用信息化系统开展产品设计，实现产品设计过程的数字化") == "应用信息化系统开展产品设计"
    assert short_descriptor("x" * 80).endswith("…") and len(short_descriptor("x" * 80)) == 40


def test_previous_scorecard_gives_per_dimension_changes_and_a_compare_radar() -> None:
    q, m = miit()
    before = worked_document()
    before["answers"]["Q5"] = "C"
    before["answers"]["S06"] = 2
    _, previous_card = score_document(q, m, before)
    data = report("zh", previous=("2025-11-20", previous_card))
    assert data.previous is not None
    assert data.previous.date == "2025-11-20" and data.previous.total == 62
    changes = {d.name: d.delta for d in data.previous.dimensions}
    assert changes == {"数字化基础": 2.5, "数字化管理": 0, "数字化成效": 0}
    assert all(axis.previous is not None for axis in data.scorecard.radar)


def test_a_peer_text_becomes_the_note_shown_instead_of_a_comparison() -> None:
    data = report(peer="同行业评测不足 10 份")
    assert data.peer is None and data.peer_note == "同行业评测不足 10 份"
    compared = report(peer=PeerComparison(72.0, "汽车零部件 · 小型", 38))
    assert compared.peer is not None and compared.peer_note == ""


def test_recommendations_and_roadmap_stay_absent_unless_given() -> None:
    assert report().recommendations is None and report().roadmap is None
    rec = Recommendation("mes", "轻量化MES", "服务商", "8–15 万元", "6–10 周", ("生产管控",), True)
    assert report(recommendations=[rec]).recommendations == (rec,)


def test_enterprise_size_and_zjtx_codes_become_labels() -> None:
    profile = {"name": "苏州精工", "size_class": "small", "zjtx_status": "national_little_giant", "region": "江苏省苏州市"}
    zh = report("zh", enterprise=profile).enterprise
    assert zh.name == "苏州精工" and zh.size_class == "小型企业" and zh.zjtx_status == "国家级专精特新“小巨人”企业"
    assert report("en", enterprise=profile).enterprise.size_class == "Small enterprise"
    assert report("zh", enterprise={"size_class": "100–299 人"}).enterprise.size_class == "100–299 人"
    assert report().enterprise.is_empty


def test_a_profile_with_codes_shows_region_industry_and_size_by_name() -> None:
    profile = {"name": "苏州精工", "region_code": "320506", "industry_code": "C3670", "employees": "210",
               "revenue_10k_cny": "12600", "zhuanjingtexin": "national_little_giant"}
    ent = report("zh", enterprise=profile).enterprise
    assert ent.region == "江苏省苏州市吴中区"
    assert ent.industry == "汽车零部件及配件制造（C3670）"
    assert ent.size_class == "小型企业"
    assert ent.zjtx_status == "国家级专精特新“小巨人”企业"


def test_report_id_is_stable_for_the_same_answers_and_date() -> None:
    assert report().assessment.report_id == report().assessment.report_id
    assert report().assessment.report_id.startswith("DR-20261127-")
    assert report(report_id="R-1").assessment.report_id == "R-1"


def test_an_unknown_mode_is_rejected() -> None:
    with pytest.raises(ValueError, match="mode"):
        report(mode="official")


def test_the_disclaimer_says_a_self_assessment_is_not_an_official_rating() -> None:
    assert "not an official rating" in report("en").disclaimer
    assert "不是官方评定结果" in report("zh").disclaimer
    assert "assessor" in report("en", mode="onsite").disclaimer


def test_report_data_holds_only_plain_values() -> None:
    def check(value: Any) -> None:
        if dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                check(getattr(value, f.name))
        elif isinstance(value, tuple):
            for v in value:
                check(v)
        else:
            assert value is None or type(value) in (str, int, float, bool), type(value)

    check(report("zh", peer=PeerComparison(50.0, "g", 12)))
    hash(report())  # frozen and hashable all the way down
