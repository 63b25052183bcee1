"""Disclosure tables counted from assessments: counts, means, distributions and shares equal a direct count."""

from __future__ import annotations

import itertools
import random

import pytest
from disclosure_checks import lines_with_one_hidden

from assessment.domain.disclosure.aggregation import (
    TabulatedAssessment,
    level_table,
    scenario_tables,
    score_distribution,
    shares_at_or_above,
    tabulate,
)
from assessment.domain.disclosure.audit import audit
from assessment.domain.disclosure.policy import Policy
from assessment.domain.disclosure.suppression import protect, protect_linked
from assessment.domain.disclosure.tables import TOTAL, Axis, CellTable, Row, level_axis, score_band

OPEN = Policy(min_population=0)  # the population floor is tested on its own; elsewhere it would hide everything


def records(n: int, seed: int = 7) -> list[TabulatedAssessment]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        level = rng.choice([0, 1, 1, 2, 2, 2, 3, 4])
        score = min(100.0, max(0.0, 20 * level + rng.uniform(0, 20)))
        out.append(TabulatedAssessment(
            region=rng.choice(["320102", "320104", "320105", "320111"]), industry=rng.choice(["C13", "C34", "I65"]),
            size_class=rng.choice(["medium", "small", "micro"]), zjtx=rng.choice(["none", "provincial", "national"]),
            mode=rng.choice(["self", "guided", "onsite"]), period=rng.choice(["2024", "2025"]), level=level, score=score,
            dimensions={"D1": score / 4, "D2": score / 5}, scenarios={"S1": rng.randint(1, 4), "S2": rng.randint(1, 4)},
            shared=rng.random() < 0.05))
    return out


REGIONS = Axis("region", ("320102", "320104", "320105", "320111"))
SIZES = Axis("size_class", ("medium", "small", "micro"))


def test_counts_by_level_equal_a_direct_count() -> None:
    data = records(2000)
    table = level_table(data, (REGIONS, SIZES), dimensions=("D1", "D2"))
    for region, size, lv in itertools.product(REGIONS.categories, SIZES.categories, (0, 1, 2, 3, 4)):
        assert table.count((region, size, lv)) == sum(r.region == region and r.size_class == size and r.level == lv for r in data)
    assert table.count(("320102", TOTAL, "2+")) == sum(r.region == "320102" and r.level >= 2 for r in data)
    assert table.count((TOTAL, TOTAL, TOTAL)) == len(data)


def test_mean_scores_and_dimension_means_equal_a_direct_computation() -> None:
    data = records(2000)
    table = level_table(data, (REGIONS,), dimensions=("D1", "D2"))
    for region in REGIONS.categories:
        chosen = [r for r in data if r.region == region]
        assert table.mean((region, TOTAL), "score") == pytest.approx(sum(r.score for r in chosen) / len(chosen))
        assert table.mean((region, TOTAL), "dimension:D2") == pytest.approx(sum(r.dimensions["D2"] for r in chosen) / len(chosen))
    assert table.mean((TOTAL, TOTAL), "score") == pytest.approx(sum(r.score for r in data) / len(data))


def test_the_score_distribution_equals_a_direct_count_by_band() -> None:
    data = records(1500)
    table = score_distribution(data, (REGIONS,))
    for band in table.axis("score_band").categories:
        assert table.count((TOTAL, band)) == sum(score_band(r.score) == band for r in data)


def test_score_bands_include_their_lower_edge_like_the_level_thresholds() -> None:
    assert score_band(80) == ">=80"
    assert score_band(79.999) == "60-80"
    assert score_band(0) == "<20"
    assert score_band(20) == "20-40"


def test_each_scenario_level_distribution_equals_a_direct_count() -> None:
    data = records(1000)
    s1, s2 = scenario_tables(data, (REGIONS,), ("S1", "S2"))
    for rating in (1, 2, 3, 4):
        assert s1.count((TOTAL, rating)) == sum(r.scenarios["S1"] == rating for r in data)
        assert s2.count(("320104", rating)) == sum(r.scenarios["S2"] == rating and r.region == "320104" for r in data)


def test_a_table_from_sql_group_by_rows_equals_the_table_from_records() -> None:
    data = records(3000)
    direct = level_table(data, (REGIONS, SIZES))
    grouped: dict[tuple[str, str, int], list[float]] = {}
    for r in data:  # what SELECT region, size_class, level, COUNT(*), SUM(total), SUM(shared) … GROUP BY … returns
        slot = grouped.setdefault((r.region, r.size_class, r.level), [0, 0.0, 0])
        slot[0] += 1
        slot[1] += r.score
        slot[2] += r.shared
    rows = [Row(k, int(v[0]), (v[1],), int(v[2])) for k, v in grouped.items()]
    from_sql = CellTable.from_rows(direct.axes, rows, ("score",))
    assert set(from_sql.cells) == set(direct.cells)
    for key, stats in direct.cells.items():
        assert from_sql.cells[key].count == stats.count and from_sql.cells[key].known == stats.known
        assert from_sql.cells[key].sums[0] == pytest.approx(stats.sums[0])


def test_records_may_be_plain_mappings() -> None:
    data = [{"region": "320102", "level": 2, "score": 55.0}, {"region": "320104", "level": 3, "score": 70.0}]
    table = tabulate(data, (REGIONS, level_axis()), ("score",))
    assert table.count(("320102", 2)) == 1 and table.sum((TOTAL, TOTAL), "score") == 125.0


def test_an_unknown_category_is_an_error_not_a_silent_loss() -> None:
    with pytest.raises(ValueError, match="not one of its categories"):
        tabulate([{"region": "999999"}], (REGIONS,))


def test_a_classifier_maps_records_to_child_regions() -> None:
    city = Axis("region", ("3201", "3202"))
    data = [{"region": "320102"}, {"region": "320211"}, {"region": "320104"}]
    table = tabulate(data, (city,), classify={"region": lambda r: r["region"][:4]})
    assert table.count(("3201",)) == 2


def test_the_share_at_level_two_or_above_is_read_from_the_protected_group_cell() -> None:
    data = records(3000)
    protected = protect(level_table(data, (REGIONS,)), Policy())
    shares = {s.key: s for s in shares_at_or_above(protected, target=0.5)}
    whole = shares[(TOTAL,)]
    expected = sum(r.level >= 2 for r in data)
    assert whole.count == expected and whole.population == len(data)
    assert whole.share == pytest.approx(expected / len(data))
    assert whole.meets_target == (expected / len(data) >= 0.5)
    assert whole.gap == max(0, -(-len(data) // 2) - expected)


def test_a_share_is_unknown_where_its_count_is_suppressed() -> None:
    region = Axis("region", ("A", "B"))
    counts = {("A", 0): 9, ("A", 1): 12, ("A", 2): 3, ("A", 3): 8, ("A", 4): 1,
              ("B", 0): 10, ("B", 1): 15, ("B", 2): 11, ("B", 3): 9, ("B", 4): 7}
    protected = protect(CellTable.from_counts((region, level_axis()), counts), OPEN)
    for share in shares_at_or_above(protected, target=0.3):
        if share.count is None:
            assert share.share is None and share.meets_target is None and share.gap is None


def test_a_realistic_dashboard_set_is_protected_together() -> None:
    data = records(4000)
    by = (REGIONS, SIZES)
    tables_ = [level_table(data, by, dimensions=("D1",)), score_distribution(data, by), *scenario_tables(data, by, ("S1", "S2"))]
    protected = protect_linked(tables_, Policy())
    assert audit(protected) == ()
    assert lines_with_one_hidden(protected) == []
    for p in protected:
        assert all(c.count is None or c.count == 0 or c.count >= 5 for c in p.cells())
