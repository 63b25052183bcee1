"""The PDF report, checked where it is stable: pdftotext, pdffonts and pdfinfo output, never the bytes."""

from __future__ import annotations

import re
import subprocess
import zlib
from pathlib import Path

import pytest
from test_report_data import report, worked_document
from test_report_html import RECOMMENDATIONS

from assessment.reporting import render
from assessment.reporting.data import Recommendation, ReportData
from assessment.reporting.render import ReportError, font_available, render_pdf

PROFILE = {"name": "苏州精工智造科技有限公司", "uscc": "91320594MA1XXXXX7K", "size_class": "small"}
SOLUTIONS = [*RECOMMENDATIONS,
             Recommendation("eam-cloud", "设备管理云平台", "示例服务商乙", "3–6 万元/年", "4–6 周", ("设备管理 二级→三级",), True)]


def full_report(lang: str) -> ReportData:
    return report(lang, enterprise=PROFILE, recommendations=SOLUTIONS, evidence=worked_document()["evidence"])


@pytest.fixture(scope="module", params=["zh", "en"])
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[ReportData, Path]:
    data = full_report(request.param)
    path = tmp_path_factory.mktemp("pdf") / f"report-{request.param}.pdf"
    path.write_bytes(render_pdf(data))
    return data, path


def tool(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def test_pdf_bytes_start_with_the_pdf_header(rendered: tuple[ReportData, Path]) -> None:
    assert rendered[1].read_bytes().startswith(b"%PDF-")


def test_pdf_text_has_the_level_enterprise_dimensions_and_recommended_solutions(rendered: tuple[ReportData, Path]) -> None:
    data, path = rendered
    text = tool("pdftotext", "-enc", "UTF-8", str(path), "-")
    assert data.scorecard.level_name in text
    assert "苏州精工智造科技有限公司" in text
    for dimension in data.scorecard.dimensions:
        assert dimension.name in text
    for solution in SOLUTIONS:
        assert solution.name in text


def test_pdf_embeds_noto_sans_cjk_sc_and_no_type_3_or_unembedded_font(rendered: tuple[ReportData, Path]) -> None:
    rows = tool("pdffonts", str(rendered[1])).splitlines()[2:]
    assert rows, "no fonts listed"
    assert any("Noto-Sans-CJK-SC" in row for row in rows)
    for row in rows:
        assert "Type 3" not in row
        assert "Noto-Sans-CJK-SC" in row, row  # no fallback face (a JP face would draw Japanese glyph forms)
        *_, emb, _sub, uni, _obj, _gen = row.split()
        assert (emb, uni) == ("yes", "yes"), row


def test_pdf_has_title_author_a4_pages_and_tags(rendered: tuple[ReportData, Path]) -> None:
    data, path = rendered
    info = dict(line.split(":", 1) for line in tool("pdfinfo", str(path)).splitlines() if ":" in line)
    assert info["Title"].strip().startswith(data.title)
    assert "苏州精工智造科技有限公司" in info["Title"]
    assert info["Author"].strip() == data.author
    assert info["Tagged"].strip() == "yes"
    assert "(A4)" in info["Page size"]
    assert int(info["Pages"]) >= 8


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF with every Flate stream inflated, so objects inside object streams can be searched."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_pdf_records_the_report_language(rendered: tuple[ReportData, Path]) -> None:
    data, path = rendered
    lang = b"zh-CN" if data.language == "zh" else b"en"
    assert b"/Lang (" + lang + b")" in pdf_objects(path.read_bytes())


def test_every_page_after_the_cover_has_a_page_number_and_running_header(rendered: tuple[ReportData, Path]) -> None:
    data, path = rendered
    pages = tool("pdftotext", "-enc", "UTF-8", str(path), "-").split("\f")[:-1]
    total = len(pages)
    for number, page in enumerate(pages[1:], start=2):
        # pdftotext drops the spaces between Chinese characters and digits
        expected = f"第{number}页/共{total}页" if data.language == "zh" else f"Page {number} of {total}"
        assert expected in (page.replace(" ", "") if data.language == "zh" else page)
        assert data.title in page and "苏州精工智造科技有限公司" in page


def test_contents_on_the_cover_link_to_every_section_and_the_pdf_has_bookmarks(rendered: tuple[ReportData, Path]) -> None:
    # no page numbers in the contents: target-counter() made WeasyPrint lay out the cover three times
    data, path = rendered
    cover = tool("pdftotext", "-enc", "UTF-8", "-layout", "-f", "1", "-l", "1", str(path), "-")
    summary = "结果摘要" if data.language == "zh" else "Summary"
    assert re.search(rf"1\s+{summary}", cover)
    objects = pdf_objects(path.read_bytes())
    for key in ("summary", "dimensions", "scenarios", "explanation", "peers", "solutions", "answers", "method"):
        assert b"/Dest (sec-" + key.encode() + b")" in objects, key
    assert b"/Outlines" in objects


def test_the_cover_has_no_page_number_in_its_bottom_margin(rendered: tuple[ReportData, Path]) -> None:
    # report.css is a user stylesheet to WeasyPrint, so the page-number rule in report.html once beat its @page :first
    # and printed "Page 1 of N" half off the cover (out of pdftotext's reach, hence the pixels)
    out = subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "40", "-gray", str(rendered[1])], capture_output=True,
                         check=True).stdout
    _magic, size, _maxval, pixels = out.split(b"\n", 3)
    width, height = (int(n) for n in size.split())
    assert min(pixels[width * (height - height * 3 // 100):]) == 255  # the lowest 3 % of the cover is blank


def test_rendering_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    data = full_report("en")
    assert gc.isenabled()
    render_pdf(data)
    assert gc.isenabled()
    gc.disable()
    try:
        render_pdf(data)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_missing_cjk_font_raises_a_clear_report_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "CJK_FONT", "No Such Font CJK SC")
    with pytest.raises(ReportError, match=r"No Such Font CJK SC.*fonts-noto-cjk"):
        render_pdf(full_report("zh"))


def test_fontconfig_knows_the_installed_cjk_font_and_not_a_missing_one() -> None:
    assert font_available("Noto Sans CJK SC")
    assert not font_available("No Such Font CJK SC")


def test_a_broken_template_raises_before_any_pdf_is_made(tmp_path: Path) -> None:
    (tmp_path / "report.html").write_text("{% if %}", encoding="utf-8")
    with pytest.raises(ReportError, match=r"report\.html"):
        render_pdf(full_report("zh"), templates=tmp_path)
