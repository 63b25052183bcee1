"""The report's HTML: every section present, notes when data is missing, escaping, language, template errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from shipped import miit
from test_report_data import report, worked_document

from assessment.reporting.charts import LEVEL_FILLS
from assessment.reporting.data import PeerComparison, Recommendation, RoadmapStep
from assessment.reporting.render import (
    CELL_GAP_MM,
    EMPTY_CELL,
    LEVEL_COLUMNS,
    TEMPLATES_DIR,
    TEXT_WIDTH_MM,
    ReportError,
    css_counters,
    drawn_cells_css,
    levels_class,
    render_html,
    share_class,
    stages,
)
from assessment.services.scoring import score_document

SECTIONS = ["summary", "dimensions", "scenarios", "explanation", "peers", "solutions", "answers", "method"]
RECOMMENDATIONS = [Recommendation("mes-lite", "轻量化MES生产执行系统", "示例服务商甲", "8–15 万元", "6–10 周",
                                  ("生产管控 三级→四级",), True)]


def section_ids(html: str) -> list[str]:
    return re.findall(r'<h2 id="sec-([a-z]+)"', html)


def test_every_section_is_present_in_order() -> None:
    html = render_html(report("zh"))
    assert section_ids(html) == SECTIONS
    assert 'id="cover"' in html and 'id="contents"' in html


def test_contents_link_to_every_section() -> None:
    html = render_html(report("en"))
    assert re.findall(r'<a href="#sec-([a-z]+)"', html) == SECTIONS


def test_previous_assessment_section_appears_only_when_there_is_one() -> None:
    q, m = miit()
    before = worked_document()
    before["answers"]["Q5"] = "C"
    _, previous_card = score_document(q, m, before)
    html = render_html(report("zh", previous=("2025-11-20", previous_card)))
    assert section_ids(html) == [*SECTIONS[:6], "previous", *SECTIONS[6:]]
    assert "2025-11-20" in html and "+2.5" in html
    assert "previous" not in section_ids(render_html(report("zh")))


def test_cover_shows_enterprise_date_report_id_versions_and_mode() -> None:
    data = report("zh", enterprise={"name": "苏州精工智造科技有限公司", "uscc": "91320594MA1XXXXX7K"}, mode="guided",
                  assessor_name="王工", assessor_org="某服务商")
    cover = render_html(data).split('id="contents"')[0]
    for text in ("苏州精工智造科技有限公司", "91320594MA1XXXXX7K", "2026-11-27", data.assessment.report_id,
                 "版本 2024.1", "服务商辅导评测", "王工 · 某服务商"):
        assert text in cover


def test_summary_shows_level_descriptor_total_areas_gap_and_zjtx_points_with_source() -> None:
    html = render_html(report("zh"))
    summary = html.split('id="sec-summary"')[1].split('id="sec-dimensions"')[0]
    for text in ("三级", "集成级", "64.5", "优势领域", "薄弱领域", "绿色低碳", "要素保障", "距离四级还需", "5 分", "63号"):
        assert text in summary, text


def test_scenario_matrix_marks_constraint_scenarios() -> None:
    html = render_html(report("zh"))
    scenarios = html.split('id="sec-scenarios"')[1].split('id="sec-explanation"')[0]
    assert scenarios.count('<tr class="constraint"><td class="name">★ ') == 10
    assert "产品生命周期数字化" in scenarios  # rows grouped as in the questionnaire
    assert "约束性场景" in scenarios


def test_without_peer_data_a_note_explains_the_omission() -> None:
    assert "暂无同行对比" in render_html(report("zh"))
    assert "同行业评测不足 10 份" in render_html(report("zh", peer="同行业评测不足 10 份"))
    shown = render_html(report("en", peer=PeerComparison(72.4, "auto parts · small", 38)))
    assert "Among 38 assessments of auto parts · small" in shown and "percentile 72" in shown


def test_without_recommendations_or_roadmap_a_note_is_shown() -> None:
    html = render_html(report("en"))
    assert "No solutions are recommended in this report." in html
    assert "No roadmap is included in this report." in html


def test_recommendations_and_roadmap_are_listed_with_their_figures() -> None:
    road = [RoadmapStep("部署轻量化MES", "8–15 万元", "6–10 周", "三级")]
    html = render_html(report("zh", recommendations=RECOMMENDATIONS, roadmap=road))
    for text in ("轻量化MES生产执行系统", "示例服务商甲", "8–15 万元", "6–10 周", "生产管控 三级→四级", "示例", "部署轻量化MES"):
        assert text in html


def test_the_best_solutions_come_with_their_reasons_and_the_rest_one_line_each() -> None:
    recs = [Recommendation(f"s{n}", f"方案{n}", f"服务商{n}", f"{n} 万元", f"{n} 周", (f"理由{n}",), n % 2 == 0)
            for n in range(1, 7)]
    html = render_html(report("zh", recommendations=recs))
    solutions = html.split('id="sec-solutions"')[1].split("<h3>")[0]
    for n in range(1, 4):
        assert f"<strong>方案{n}</strong>" in solutions and f"理由{n}" in solutions
        assert f"服务商{n} · {n} 万元 · {n} 周" in solutions
    for n in range(4, 7):
        assert f"<td>{n}. 方案{n}" in solutions and f"<td>服务商{n} · {n} 万元 · {n} 周</td>" in solutions
        assert f"理由{n}" not in solutions
    assert solutions.count('<span class="badge">示例</span>') == 3


def test_the_roadmap_is_grouped_by_the_level_after_its_steps() -> None:
    road = [RoadmapStep(f"步骤{n}", f"{n} 万元", f"{n} 周", "三级" if n < 4 else "四级") for n in range(1, 6)]
    html = render_html(report("zh", roadmap=road))
    roadmap = html.split('class="data roadmap"')[1].split("</table>")[0]
    assert re.findall(r'<tr class="group"><td colspan="4">([^<]*)</td>', roadmap) == [
        "完成第 1–3 步后：三级", "完成第 4–5 步后：四级"]
    assert re.findall(r'<td class="n">(\d+)</td><td>(步骤\d+)</td>', roadmap) == [(str(n), f"步骤{n}") for n in range(1, 6)]
    one = render_html(report("en", roadmap=road[:1]))
    assert "After step 1: 三级" in one


def test_stages_group_consecutive_steps_with_the_same_level_after() -> None:
    steps = [RoadmapStep("a", level_after="L3"), RoadmapStep("b", level_after="L3"), RoadmapStep("c", level_after="L4"),
             RoadmapStep("d", level_after="L3")]
    assert [(s.level, s.first, s.last, [t.title for t in s.steps]) for s in stages(steps)] == [
        ("L3", 1, 2, ["a", "b"]), ("L4", 3, 3, ["c"]), ("L3", 4, 4, ["d"])]
    assert stages([]) == []


def test_each_scenario_has_one_cell_for_its_levels_drawn_by_a_class_the_stylesheet_defines() -> None:
    html = render_html(report("zh"))
    matrix = html.split('class="matrix"')[1].split("</table>")[0]
    classes = re.findall(r'<td class="cells (lv-\d-\d)" colspan="4"></td>', matrix)
    assert len(classes) == 16
    assert re.search(r'产品设计</td><td class="cells lv-3-4"', matrix)
    css = html.split("<style>")[1].split("</style>")[0]
    for name in set(classes):
        assert f"td.{name} {{ box-shadow: " in css


def test_drawn_cells_fill_each_level_in_its_colour_up_to_the_level_reached() -> None:
    css = str(drawn_cells_css(4))
    rule = re.search(r"td\.lv-2-3 \{ box-shadow: ([^}]*) \}", css)
    assert rule is not None
    bands = [(float(width), colour) for width, colour in re.findall(r"inset ([\d.]+)mm 0 0 (#\w+)", rule.group(1))]
    cell = TEXT_WIDTH_MM * LEVEL_COLUMNS / 4
    # white up to each cell's start, then its colour up to its end: two reached levels, one empty, no fourth cell
    assert [c for _, c in bands] == ["#ffffff", LEVEL_FILLS[0], "#ffffff", LEVEL_FILLS[1], "#ffffff", EMPTY_CELL]
    assert bands[-1][0] == pytest.approx(3 * cell - CELL_GAP_MM / 2, abs=0.01)
    assert "td.lv-0-0 { box-shadow: none }" in css
    assert share_class(0.66) == "bar-65" and share_class(1.2) == "bar-100" and share_class(float("nan")) == "bar-0"
    assert levels_class(3, 4) == "lv-3-4" and levels_class(2, 1) == "lv-2-2"


def test_indicator_rows_show_score_of_maximum_and_a_share_bar() -> None:
    html = render_html(report("en"))
    table = html.split('class="data indicators"')[1].split("</table>")[0]
    assert re.search(r'Network construction</td><td class="n">6 / 8</td><td class="n bar-75">75%</td>', table)


def test_appendix_lists_every_answer_with_evidence_notes() -> None:
    html = render_html(report("zh", evidence={"Q5": "ERP 系统截图"}))
    appendix = html.split('id="sec-answers"')[1].split('id="sec-method"')[0]
    for item in ("Q1", "Q15", "S01", "S16"):
        assert f'<td class="id">{item}</td>' in appendix
    assert "佐证材料: ERP 系统截图" in appendix


def test_methodology_sources_and_disclaimer_close_the_report() -> None:
    method = render_html(report("en")).split('id="sec-method"')[1]
    assert "Conditions (all must hold)" in method
    assert "Sources" in method and "S3" in method
    assert "not an official rating" in method


def test_user_text_is_escaped() -> None:
    nasty = '<script>alert("x")</script>'
    html = render_html(report("zh", enterprise={"name": nasty}, evidence={"Q1": nasty},
                              recommendations=[Recommendation("x", nasty)]))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_html_declares_its_language_and_names_the_simplified_chinese_font() -> None:
    zh, en = render_html(report("zh")), render_html(report("en"))
    assert zh.startswith('<!doctype html>\n<html lang="zh-CN">')
    assert '<html lang="en">' in en
    assert '"Noto Sans CJK SC"' in zh


def test_the_chinese_report_is_translated_and_the_english_one_is_not() -> None:
    zh, en = render_html(report("zh")), render_html(report("en"))
    assert "中小企业数字化水平评测报告" in zh and "结果摘要" in zh and "第 " in zh
    assert "SME Digitalization Level Assessment Report" in en and ">Summary<" in en


def test_page_numbers_become_css_counters_with_quoted_text() -> None:
    assert css_counters("第 {page} 页 / 共 {pages} 页") == '"第 " counter(page) " 页 / 共 " counter(pages) " 页"'
    assert css_counters('Page {page} "x"') == '"Page " counter(page) " \\"x\\""'
    assert "</style" not in css_counters("</style>{page}")


def test_a_broken_template_gives_a_clear_report_error(tmp_path: Path) -> None:
    (tmp_path / "report.html").write_text("<html>{% for x in %}</html>", encoding="utf-8")
    with pytest.raises(ReportError, match=r"report\.html:1"):
        render_html(report(), templates=tmp_path)


def test_a_template_using_missing_data_gives_a_clear_report_error(tmp_path: Path) -> None:
    (tmp_path / "report.html").write_text("<p>{{ data.no_such_field }}</p>", encoding="utf-8")
    with pytest.raises(ReportError, match="no_such_field"):
        render_html(report(), templates=tmp_path)


def test_a_missing_template_gives_a_clear_report_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="not found"):
        render_html(report(), templates=tmp_path)


def test_the_shipped_templates_live_in_reports_templates() -> None:
    assert (TEMPLATES_DIR / "report.html").is_file() and (TEMPLATES_DIR / "report.css").is_file()


def test_reporting_imports_only_the_domain_jinja_and_weasyprint() -> None:
    import ast

    allowed = ("assessment.domain", "assessment.reporting", "jinja2", "markupsafe", "babel", "weasyprint")
    package = Path(render_html.__code__.co_filename).parent
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            for name in names:
                if name.startswith(("flask", "sqlalchemy", "wtforms", "assessment.")):
                    assert name.startswith(allowed), f"{source.name} imports {name}"
