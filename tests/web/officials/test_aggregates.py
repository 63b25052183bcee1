"""The dashboard's numbers: equal to a direct computation where published, never a cell under k, none derivable."""

from __future__ import annotations

import re

import pytest
from authority import Load, Login
from direct_counts import by, counted, fact_rows, grouped_means
from flask import Flask

from assessment.domain.disclosure import TOTAL, Policy, audit
from assessment.services.aggregates.cells import Labels
from assessment.services.aggregates.dashboard import Dashboard, dashboard
from assessment.services.aggregates.facts import layouts
from assessment.services.aggregates.filters import Selection
from assessment.services.aggregates.jurisdiction import jurisdiction_of
from assessment.services.language import translator
from assessment.web.database import db
from assessment.web.site import site


def board_of(app: Flask, region: str, selection: Selection, k: int = 5) -> Dashboard:
    """The protected dashboard of a region's official, computed in a request context."""
    here = site(app)
    with app.test_request_context():
        layout = layouts(here.library)["miit-2024"]
        jurisdiction = jurisdiction_of(here.regions, region)
        assert jurisdiction is not None
        return dashboard(db(), regions=here.regions, industries=here.industries, layout=layout,
                         jurisdiction=jurisdiction, selection=selection, policy=Policy(k=k), target=None,
                         labels=Labels(here.regions, here.industries, translator("en"), "en"), shared_with=region)


def test_published_counts_and_means_equal_a_direct_computation(app: Flask, load_demo: Load) -> None:
    load_demo(1500, provinces=("32",))
    rows = fact_rows(app)
    year = max(r.year for r in rows)
    board = board_of(app, "320000", Selection("miit-2024", "year", year))
    assert board.refusal is None and board.total is not None
    expected = counted(rows, year, lambda r: r.province == "320000")
    assert board.total.count == len(expected)
    assert board.total.mean_score == pytest.approx(sum(r.total for r in expected) / 1000 / len(expected))
    levels = by(expected, lambda r: r.level)
    for level, _name, count in board.levels:
        assert count is None or count == levels.get(level, 0)
    fields = {"size": lambda r: r.size, "zjtx": lambda r: r.zjtx, "mode": lambda r: r.mode,
              "section": lambda r: r.section, "region": lambda r: r.city}
    shown = 0
    for breakdown in board.breakdowns:
        key = fields[breakdown.field]
        totals = by(expected, key)
        means = grouped_means(expected, key)
        cells = by(expected, lambda r, key=key: (key(r), r.level))  # type: ignore[misc]
        for row in breakdown.rows:
            if row.count is not None:
                shown += 1
                assert row.count == totals.get(row.key, 0), (breakdown.field, row.key)
                if row.count:
                    assert row.mean_score == pytest.approx(means[row.key])
            for level, count in zip(board.layout.levels, row.levels, strict=True):
                assert count is None or count == cells.get((row.key, level), 0)
    assert shown > 10
    scenario = board.scenarios[0]
    first = by(expected, lambda r: r.s01)
    for rating, count in zip(board.layout.ratings, scenario.counts, strict=True):
        assert count is None or count == first.get(rating, 0)
    two_up = sum(1 for r in expected if r.level >= 2)
    assert board.total.share.count in (None, two_up)


def test_no_published_cell_counts_fewer_than_k_and_none_can_be_derived(app: Flask, load_demo: Load) -> None:
    load_demo(600, provinces=("33",), seed=5)
    year = max(r.year for r in fact_rows(app))
    board = board_of(app, "330000", Selection("miit-2024", "year", year), k=5)
    assert board.tables and board.suppressed
    for table in board.tables:
        for cell in table.cells(zeros=False):
            assert cell.count is None or cell.count == 0 or cell.count >= 5
    assert audit(board.tables) == ()


def test_the_population_floor_refuses_a_filter_that_selects_a_handful(app: Flask, load_demo: Load,
                                                                       official: Login) -> None:
    load_demo(400, provinces=("32",), seed=3)
    year = max(r.year for r in fact_rows(app))
    board = board_of(app, "320000", Selection("miit-2024", "year", year, zjtx="national_little_giant"))
    assert board.refusal is not None and board.total is None
    page = official("320000").get(f"/official/?period={year}&zjtx=national_little_giant")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="refusal"' in html and 'id="population"' not in html


def test_the_dashboard_page_shows_only_protected_numbers_with_one_symbol_and_a_legend(
        app: Flask, load_demo: Load, official: Login) -> None:
    load_demo(800, provinces=("32",), seed=2)
    year = max(r.year for r in fact_rows(app))
    page = official("320000").get(f"/official/?period={year}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    board = board_of(app, "320000", Selection("miit-2024", "year", year))
    assert board.total is not None
    assert f'<dd id="population">{board.total.count}</dd>' in html
    assert 'id="legend"' in html
    assert html.count('<span class="suppressed"') >= 1
    assert "<svg" in html and "<script>" not in html
    for section in ("levels", "score", "dimensions", "weakest", "scenarios", "trend", "by-region", "by-section",
                    "by-size", "by-zjtx", "by-mode"):
        assert f'id="{section}"' in html, section


def test_the_target_is_stored_per_official_and_compared_with_the_share(app: Flask, load_demo: Load,
                                                                       official: Login) -> None:
    load_demo(800, provinces=("32",), seed=2)
    client = official("320000")
    saved = client.post("/official/target", data={"level": "2", "share": "30", "year": "2027", "next": "/official/"})
    assert saved.status_code == 303
    html = client.get("/official/").get_data(as_text=True)
    assert re.search(r'<dd id="target">30%', html)
    assert 'class="met"' in html or 'class="short"' in html
    other = official("320000").get("/official/").get_data(as_text=True)
    assert 'id="target"' not in other
    assert client.post("/official/target", data={"level": "2", "share": "140"}).status_code == 422


def test_totals_of_every_breakdown_agree_with_the_population(app: Flask, load_demo: Load) -> None:
    load_demo(900, provinces=("44",), seed=9)
    year = max(r.year for r in fact_rows(app))
    board = board_of(app, "440000", Selection("miit-2024", "year", year))
    assert board.total is not None
    for breakdown in board.breakdowns:
        assert breakdown.total.count == board.total.count
        assert breakdown.total.key is TOTAL


def test_the_default_period_is_the_latest_big_enough_to_publish(app: Flask, load_demo: Load, official: Login) -> None:
    load_demo(500, provinces=("32",), seed=41)
    with site(app).engine.begin() as connection:
        connection.exec_driver_sql("UPDATE assessment_facts SET year = 2027, quarter = 20271 WHERE assessment_id IN "
                                   "(SELECT assessment_id FROM assessment_facts ORDER BY assessment_id LIMIT 3)")
    html = official("320000").get("/official/").get_data(as_text=True)
    assert '<option value="2027">2027</option>' in html
    assert '<option value="2026" selected>2026</option>' in html
    assert 'id="population"' in html
