"""Report charts: well-formed, accessible SVG whose geometry stays inside the viewBox."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from assessment.reporting.charts import RADAR_FONT, RADAR_WIDTH, bars_svg, radar_svg, scenario_levels_svg

NS = {"s": "http://www.w3.org/2000/svg"}
AXES = [("数字化基础", 0.6), ("数字化管理", 0.5), ("数字化成效", 0.8), ("数字化经营", 0.75)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def view_box(root: ET.Element) -> tuple[float, float, float, float]:
    x, y, w, h = (float(v) for v in root.attrib["viewBox"].split())
    return x, y, w, h


def polygon_points(root: ET.Element, cls: str | None = None) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for poly in root.iter("{http://www.w3.org/2000/svg}polygon"):
        if cls is not None and poly.get("class") != cls:
            continue
        for pair in poly.attrib["points"].split():
            x, y = pair.split(",")
            out.append((float(x), float(y)))
    return out


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_every_chart_is_an_accessible_image_with_title_and_description() -> None:
    for svg in (radar_svg(AXES, title="维度雷达"), bars_svg([("数字化基础", 32.5, 50)], title="维度得分"),
                scenario_levels_svg([("产品设计", 3, 4, True)], title="场景等级")):
        root = parse(svg)
        assert root.get("role") == "img"
        title = root.find("s:title", NS)
        desc = root.find("s:desc", NS)
        assert title is not None and title.text
        assert desc is not None and desc.text
        assert set(root.attrib["aria-labelledby"].split()) == {title.get("id"), desc.get("id")}


def test_chart_labels_name_the_cjk_font() -> None:
    root = parse(bars_svg([("数字化基础", 32.5, 50)]))
    for text in root.iter("{http://www.w3.org/2000/svg}text"):
        assert "Noto Sans CJK SC" in text.attrib["font-family"]
        assert text.attrib["font-family"].endswith("sans-serif")


def test_labels_with_markup_are_escaped_not_interpreted() -> None:
    nasty = '<script>alert("x")</script> & 研发'
    for svg in (radar_svg([(nasty, 0.5), ("b", 0.5), ("c", 0.5)], title=nasty),
                bars_svg([(nasty, 1, 2)], title=nasty),
                scenario_levels_svg([(nasty, 1, 4, False)], title=nasty, level_names=[nasty])):
        assert "<script>" not in svg
        root = parse(svg)
        assert root.find(".//s:script", NS) is None
        assert any(nasty in t for t in texts(root)) or nasty in "".join(root.itertext())
        title = root.find("s:title", NS)
        assert title is not None and title.text == nasty


def test_control_characters_in_labels_do_not_break_the_svg() -> None:
    root = parse(bars_svg([("a\x00b\x1fc", 1, 2)]))
    assert "abc" in texts(root)[0]


def test_radar_points_stay_inside_the_view_box_at_zero_and_one() -> None:
    for shares in ([0.0] * 4, [1.0] * 4, [0.0, 1.0, 0.0, 1.0]):
        root = parse(radar_svg([(f"维度{k}", s) for k, s in enumerate(shares)], size=320))
        x0, y0, w, h = view_box(root)
        for x, y in polygon_points(root):
            assert x0 <= x <= x0 + w and y0 <= y <= y0 + h


def test_radar_value_zero_collapses_to_the_centre_and_one_reaches_the_outer_ring() -> None:
    root = parse(radar_svg([("a", 0.0), ("b", 0.0), ("c", 0.0)], size=320))
    _, _, w, _ = view_box(root)
    zero = polygon_points(root, "current")
    assert all(abs(x - w / 2) < 0.1 and abs(y - 320 / 2) < 0.1 for x, y in zero)
    full = parse(radar_svg([("a", 1.0), ("b", 1.0), ("c", 1.0)], size=320))
    rings = polygon_points(full)
    outer = rings[9:12]  # four grid rings of three points; the last is 100 %
    assert polygon_points(full, "current") == outer


def test_radar_clamps_shares_outside_zero_to_one() -> None:
    root = parse(radar_svg([("a", -3.0), ("b", 7.0), ("c", float("nan"))], size=200))
    x0, y0, w, h = view_box(root)
    for x, y in polygon_points(root):
        assert x0 <= x <= x0 + w and y0 <= y <= y0 + h


def test_radar_draws_the_previous_assessment_as_a_second_polygon() -> None:
    root = parse(radar_svg(AXES, compare=[0.4, 0.4, 0.5, 0.5], legend=["本次", "上次"]))
    assert len(polygon_points(root, "compare")) == 4
    assert "上次" in texts(root)


@given(st.lists(st.tuples(st.text(max_size=30), st.floats(allow_nan=True)), min_size=0, max_size=9))
def test_radar_is_well_formed_for_any_labels_and_values(axes: list[tuple[str, float]]) -> None:
    root = parse(radar_svg(axes))
    x0, y0, w, h = view_box(root)
    for x, y in polygon_points(root):
        assert x0 <= x <= x0 + w and y0 <= y <= y0 + h


def test_bars_show_the_value_and_the_maximum() -> None:
    root = parse(bars_svg([("数字化基础", 32.5, 50), ("数字化管理", 0, 30), ("数字化成效", 20, 20)]))
    shown = texts(root)
    assert "32.5 / 50" in shown and "0 / 30" in shown and "20 / 20" in shown


def test_bar_lengths_are_proportional_and_stay_inside_the_view_box() -> None:
    root = parse(bars_svg([("a", 10, 20), ("b", 20, 20), ("c", 0, 20), ("d", 5, 0)], width=520))
    x0, _, w, _ = view_box(root)
    bars = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("class") == "bar"]
    widths = [float(b.attrib["width"]) for b in bars]
    assert len(bars) == 2  # zero value and zero maximum draw no bar
    assert abs(widths[1] - 2 * widths[0]) < 0.2
    for b in bars:
        assert x0 <= float(b.attrib["x"]) and float(b.attrib["x"]) + float(b.attrib["width"]) <= x0 + w


def test_constraint_scenarios_are_marked_with_a_star() -> None:
    root = parse(scenario_levels_svg([("产品设计", 3, 4, True), ("工艺设计", 2, 4, False)],
                                     level_names=["一级", "二级", "三级", "四级"]))
    shown = texts(root)
    assert "★ 产品设计" in shown
    assert "工艺设计" in shown and "★ 工艺设计" not in shown


def test_scenario_matrix_fills_one_cell_per_level_reached() -> None:
    root = parse(scenario_levels_svg([("产品设计", 3, 4, True), ("决策支持", 0, 4, False)]))
    rects = list(root.iter("{http://www.w3.org/2000/svg}rect"))
    filled = [r for r in rects if r.get("class") == "cell filled"]
    cells = [r for r in rects if (r.get("class") or "").startswith("cell")]
    assert len(filled) == 3
    assert len(cells) == 8


def test_scenario_matrix_heads_columns_with_level_names() -> None:
    names = ["一级", "二级", "三级", "四级"]
    shown = texts(parse(scenario_levels_svg([("产品设计", 1, 4, True)], level_names=names)))
    assert {"一级", "二级", "三级", "四级"} <= set(shown)


def test_long_radar_labels_fit_inside_the_view_box() -> None:
    axes = [("Digital foundation", 0.6), ("Digital management and organisation", 0.5), ("数字化成效与市场效益", 0.8)]
    root = parse(radar_svg(axes, size=300))
    _, _, w, _ = view_box(root)
    for text in root.iter("{http://www.w3.org/2000/svg}text"):
        spans = text.iter("{http://www.w3.org/2000/svg}tspan")
        lines = ["".join(t.itertext()) for t in spans] or ["".join(text.itertext())]
        anchor = text.get("text-anchor")
        xs = [float(t.attrib["x"]) for t in text.iter() if "x" in t.attrib]
        for x, line in zip(xs, lines, strict=False):
            est = sum(RADAR_FONT if ord(ch) > 0x2E7F else RADAR_FONT * 0.6 for ch in line)
            left = x - est if anchor == "end" else (x - est / 2 if anchor == "middle" else x)
            assert left >= 0 and left + est <= w, line


def test_radar_text_is_at_least_12_px_and_the_radar_fits_a_phone_column_at_that_size() -> None:
    axes = [("Digital foundation", 0.66), ("Digital management", 0.55), ("Digital effectiveness (results)", 0.75)]
    for labels in (axes, [("数字化基础", 0.66), ("数字化管理", 0.55), ("数字化成效", 0.75)]):
        root = parse(radar_svg(labels, compare=[0.5, 0.5, 0.5], legend=["本次", "上次"]))
        _, _, w, _ = view_box(root)
        assert w <= RADAR_WIDTH + 16  # a 390 px phone's column is 358 px wide: never scaled down there
        sizes = [float(t.attrib["font-size"]) for t in root.iter("{http://www.w3.org/2000/svg}text")]
        assert sizes and min(sizes) >= 12


def test_bar_labels_that_wrap_get_taller_rows_at_a_larger_font() -> None:
    root = parse(bars_svg([("Digital effectiveness (results)", 15, 20), ("a", 1, 2)], width=340, font=13))
    assert all(float(t.attrib["font-size"]) >= 12 for t in root.iter("{http://www.w3.org/2000/svg}text"))
    tops = sorted(float(r.attrib["y"]) for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("class") != "bar")
    assert tops[1] - tops[0] >= 2 * 13 * 1.2  # the two-line label's row is tall enough for both lines
