"""The tiles of the officials' dashboard disclose exactly what its breakdown by region discloses: the same count and
share where the table shows them, nothing where it hides them (fewer than k, or complementary suppression)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from assessment.content.codes import industries, regions
from assessment.content.loader import Library
from assessment.domain.disclosure import TOTAL, Policy, ProtectedTable
from assessment.services import demo
from assessment.services.aggregates.cells import Labels
from assessment.services.aggregates.dashboard import Dashboard, dashboard
from assessment.services.aggregates.facts import layouts
from assessment.services.aggregates.filters import Selection
from assessment.services.aggregates.jurisdiction import NATIONAL, child_regions, jurisdiction_of, region_choices
from assessment.services.aggregates.periods import periods_with_facts
from assessment.services.aggregates.region_tiles import SHARE_STEPS, region_map, share_step
from assessment.services.language import translator

LABELS = Labels(regions(), industries(), translator("en"), "en")


@pytest.fixture
def jiangsu(session: Session, library: Library) -> Session:
    """Generated assessments in 江苏 where some regions are small and some are hidden only to protect others."""
    demo.generate(session, library=library, regions=regions(), industries=industries(), count=600, seed=1,
                  provinces=("32",), pool=200)
    session.commit()
    return session


def _board(session: Session, library: Library, code: str | None) -> Dashboard:
    jurisdiction = jurisdiction_of(regions(), code) if code is not None else NATIONAL
    assert jurisdiction is not None
    period = periods_with_facts(session, "miit-2024", "year", jurisdiction)[-1]
    return dashboard(session, regions=regions(), industries=industries(), layout=layouts(library)["miit-2024"],
                     jurisdiction=jurisdiction, selection=Selection("miit-2024", "year", period), policy=Policy(k=5),
                     target=None, labels=LABELS)


def _region_table(board: Dashboard) -> ProtectedTable:
    return board.tables[[b.field for b in board.breakdowns].index("region")]


def test_each_tile_shows_what_the_region_table_shows_and_hides_what_it_hides(jiangsu: Session,
                                                                          library: Library) -> None:
    reasons: set[str] = set()
    for code in ("320000", "320100"):  # a province's cities; a city's districts, most of them small
        board = _board(jiangsu, library, code)
        assert board.total is not None
        jurisdiction = board.jurisdiction
        rmap = region_map(board, LABELS, {c for c, _ in region_choices(regions(), jurisdiction)})
        assert rmap is not None
        table, period = _region_table(board), board.selection.period
        assert period is not None
        rows = {str(r.key): r for r in next(b for b in board.breakdowns if b.field == "region").rows}
        assert {t.code for t in rmap.tiles} >= {r.code for r in child_regions(regions(), code)}
        for tile in rmap.tiles:
            count, above = table.count((period, tile.code, TOTAL)), table.count((period, tile.code, "2+"))
            assert tile.count == count == rows[tile.code].count
            expected = above / count if count and above is not None else None
            assert tile.share == expected == rows[tile.code].share.share
            assert tile.at_level == (above if expected is not None else None)
            assert tile.step == (None if expected is None else share_step(expected))
            for key in ((period, tile.code, TOTAL), (period, tile.code, "2+")):
                if key in table.reasons:
                    reasons.add(table.reasons[key])
            assert tile.state == ("hidden" if count is None else "none" if count == 0
                                  else "shown" if expected is not None else "share_hidden")
            assert tile.may_drill
    # the data has both kinds of hidden figure the tiles must keep hidden
    assert {"primary", "complementary"} <= reasons


def test_the_colour_steps_cover_every_share_once() -> None:
    assert [share_step(s) for s in (0.0, 0.19, 0.2, 0.59, 0.6, 0.8, 1.0)] == [0, 0, 1, 2, 3, 4, 4]
    assert len(SHARE_STEPS) + 1 == 5


def test_a_national_official_sees_a_tile_per_province(jiangsu: Session, library: Library) -> None:
    board = _board(jiangsu, library, None)
    rmap = region_map(board, LABELS, set())
    assert rmap is not None
    assert [t.code for t in rmap.tiles] == [r.code for r in regions().provinces()]
    jiangsu_tile = next(t for t in rmap.tiles if t.code == "320000")
    assert board.total is not None and jiangsu_tile.count == board.total.count
    assert all(t.state == "none" for t in rmap.tiles if t.code != "320000")


def test_a_county_has_no_tiles(jiangsu: Session, library: Library) -> None:
    board = _board(jiangsu, library, "320102")
    assert board.refusal is not None or region_map(board, LABELS, set()) is None
