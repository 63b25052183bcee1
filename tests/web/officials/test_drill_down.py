"""Drilling into a region: the page names it, its headline agrees with its rows, and every hidden figure explains
itself next to its table."""

from __future__ import annotations

import re

import pytest
from authority import Load, Login
from flask import Flask
from test_aggregates import board_of

from assessment.domain.disclosure import audit
from assessment.services.aggregates.filters import Selection

SUZHOU = "320500"
SECTIONS = ("levels", "score", "dimensions", "scenarios", "trend", "by-region", "by-section", "by-size", "by-zjtx",
            "by-mode")


@pytest.fixture
def jiangsu(app: Flask, load_demo: Load, official: Login) -> str:
    """The dashboard page of a 江苏 official drilled into 苏州市, with demo data where its count must be hidden."""
    load_demo(600, provinces=("32",), seed=1)
    page = official("320000").get(f"/official/?region={SUZHOU}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _section(html: str, name: str) -> str:
    start = html.index(f'id="{name}"')
    end = html.find("</section>", start)
    return html[start:end]


def test_the_title_names_the_region_drilled_into_with_its_parent(jiangsu: str) -> None:
    assert re.search(r"<h1>[^<]*江苏省 / 苏州市</h1>", jiangsu)
    assert re.search(r"<title>[^<]*江苏省 / 苏州市", jiangsu)


def test_a_hidden_headline_count_says_why_and_cannot_be_worked_out_from_the_rows(app: Flask, jiangsu: str) -> None:
    board = board_of(app, "320000", Selection("miit-2024", "year", 2026, region=SUZHOU))
    assert board.total is not None and board.total.count is None  # the case the officials met
    headline = _section(jiangsu, "headline")
    assert 'id="population-note"' in headline
    assert "不少于 20 家企业" in headline and "推算" in headline
    # Secondary suppression covers the headline and the rows alike: neither the score bands nor the levels add
    # up to it, and nothing hidden can be derived anywhere on the page.
    assert any(b.count is None for b in board.bands)
    assert any(count is None for _lv, _name, count in board.levels)
    assert audit(board.tables) == ()


def test_every_table_with_a_hidden_figure_has_the_legend_next_to_it(jiangsu: str) -> None:
    hidden_anywhere = False
    for name in SECTIONS:
        if f'id="{name}"' not in jiangsu:
            continue
        section = _section(jiangsu, name)
        if '<span class="suppressed" title=' in section:
            hidden_anywhere = True
            assert 'class="hidden-note"' in section, name
            assert "企业数少于 5 家" in section, name
    assert hidden_anywhere
    assert jiangsu.index('id="legend"') < jiangsu.index('id="levels"')
