"""The report names things in words: questionnaire and model by title and version, catalogues by title, never an
internal `id@version` such as `miit-2024@2024.1` or `demo@2026.1`; 小快轻准 is explained where it first appears
(issue 14, items 10 and 12)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from shipped import ROOT
from test_report_data import report
from test_report_recommendations import WORKED, pdf_text

from assessment.cli import main
from assessment.reporting.render import render_html

INTERNAL_REF = re.compile(r"\b[a-z][a-z0-9-]*@\d{4}\.\d+\b")
GLOSS = {"zh": "“小快轻准”即小型化、快速化、轻量化、精准化", "en": "小快轻准 (“small, fast, light and precise”)"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_cover_names_questionnaire_and_model_with_their_version_in_words(lang: str) -> None:
    html = render_html(report(lang))
    assert not INTERNAL_REF.search(html), INTERNAL_REF.findall(html)
    cover = html.split('<table class="facts">')[1].split('id="contents"')[0]
    assert cover.count("版本 2024.1" if lang == "zh" else "Version 2024.1") == 2


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_pdf_shows_no_internal_id_and_explains_xkqz_on_first_use(lang: str, tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    result = CliRunner().invoke(main, ["report", str(WORKED), "-o", str(out), "--lang", lang,
                                       "--catalogue", str(ROOT / "catalogue")], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    text = " ".join(pdf_text(out).split())
    assert not INTERNAL_REF.search(text), INTERNAL_REF.findall(text)
    assert "小快轻准" in text
    assert text.index("小快轻准") == text.index(GLOSS[lang]) + (1 if lang == "zh" else 0)
    title = "“小快轻准”数字化产品与服务目录（演示数据）" if lang == "zh" else "小快轻准 digital solutions catalogue"
    assert title in text
