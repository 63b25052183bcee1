"""Disclosure control for officials' aggregates: threshold k, complementary suppression, linked tables, the population floor."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Sequence

import pytest
from disclosure_checks import derivable_cells, lines_with_one_hidden
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.domain.disclosure.audit import audit
from assessment.domain.disclosure.network import Reason
from assessment.domain.disclosure.policy import Policy, population_problem
from assessment.domain.disclosure.suppression import ProtectedTable, protect, protect_linked
from assessment.domain.disclosure.tables import TOTAL, Axis, CellTable, Key, Margin, Row, level_axis

OPEN = Policy(min_population=0)  # the population floor is tested on its own; elsewhere it would hide everything

# --- strategies ---------------------------------------------------------------------------------------------------

SMALL_HEAVY = st.sampled_from([0, 0, 1, 1, 2, 3, 4, 5, 6, 8, 12, 30])


@st.composite
def tables(draw: st.DrawFn, max_axes: int = 2) -> CellTable:
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=max_axes))
    axes = [Axis(f"a{i}", tuple(f"c{j}" for j in range(n))) for i, n in enumerate(shape)]
    counts = {key: draw(SMALL_HEAVY) for key in itertools.product(*(a.categories for a in axes))}
    return CellTable.from_counts(axes, counts)


policies = st.builds(Policy, k=st.integers(1, 6), publish_zeros=st.booleans(), min_population=st.just(0))


# --- primary suppression -------------------------------------------------------------------------------------------


def test_a_cell_counting_fewer_than_k_enterprises_is_suppressed() -> None:
    region = Axis("region", ("A", "B"))
    level = Axis("level", (1, 2))
    table = CellTable.from_counts((region, level), {("A", 1): 20, ("A", 2): 4, ("B", 1): 30, ("B", 2): 25})
    protected = protect(table, OPEN)
    assert protected.count(("A", 2)) is None
    assert protected.reasons[("A", 2)] == "primary"
    assert protected.count((TOTAL, TOTAL)) == 79


def test_a_cell_of_exactly_k_is_published() -> None:
    axis = Axis("region", ("A", "B"))
    protected = protect(CellTable.from_counts((axis,), {("A",): 5, ("B",): 7}), OPEN)
    assert [protected.count(k) for k in (("A",), ("B",), (TOTAL,))] == [5, 7, 12]


def test_k_can_be_configured() -> None:
    axis = Axis("region", ("A", "B", "C"))
    table = CellTable.from_counts((axis,), {("A",): 9, ("B",): 10, ("C",): 40})
    assert protect(table, Policy(k=10, min_population=0)).reasons.get(("A",)) == "primary"
    assert protect(table, Policy(k=9, min_population=0)).reasons == {}


def test_k_below_one_is_rejected() -> None:
    with pytest.raises(ValueError, match="k must be at least 1"):
        Policy(k=0)


def test_k_of_one_publishes_everything() -> None:
    axis = Axis("region", ("A", "B", "C"))
    level = Axis("level", (1, 2))
    table = CellTable.from_counts((axis, level), {("A", 1): 1, ("B", 2): 2, ("C", 1): 1})
    protected = protect(table, Policy(k=1))
    assert protected.reasons == {}
    assert protected.refusal is None
    assert all(c.count == table.count(c.key) for c in protected.cells())


def test_zero_cells_are_published_by_default() -> None:
    axis = Axis("level", (0, 1, 2))
    protected = protect(CellTable.from_counts((axis,), {(0,): 0, (1,): 12, (2,): 30}), OPEN)
    assert protected.count((0,)) == 0


def test_zero_cells_are_suppressed_like_small_ones_when_zeros_are_not_published() -> None:
    axis = Axis("level", (0, 1, 2))
    protected = protect(CellTable.from_counts((axis,), {(1,): 12, (2,): 30}), Policy(publish_zeros=False, min_population=0))
    assert protected.count((0,)) is None
    assert protected.reasons[(0,)] == "primary"
    # A hidden zero beside a shown total would be 0 by subtraction, so it needs a partner with enterprises in it.
    assert protected.count((1,)) is None


def test_a_cell_with_fewer_than_k_enterprises_unknown_to_the_viewer_is_suppressed() -> None:
    axis = Axis("region", ("A", "B", "C"))
    rows = [Row(("A",), 9, (), 7), Row(("B",), 20), Row(("C",), 30)]
    protected = protect(CellTable.from_rows((axis,), rows), OPEN)
    # 9 enterprises, 7 of whose results the viewer holds: the mean would give away the other 2.
    assert protected.count(("A",)) is None


# --- complementary suppression -----------------------------------------------------------------------------------------


def test_a_lone_hidden_cell_in_a_line_gets_the_shown_cell_with_the_smallest_count_as_partner() -> None:
    axis = Axis("size", ("large", "medium", "small", "micro"))
    table = CellTable.from_counts((axis,), {("large",): 3, ("medium",): 9, ("small",): 40, ("micro",): 7})
    protected = protect(table, OPEN)
    assert protected.reasons == {("large",): "primary", ("micro",): "complementary"}
    assert protected.count((TOTAL,)) == 59


def test_ties_between_partners_are_broken_in_table_order() -> None:
    axis = Axis("size", ("large", "medium", "small", "micro"))
    table = CellTable.from_counts((axis,), {("large",): 3, ("medium",): 8, ("small",): 8, ("micro",): 8})
    assert set(protect(table, OPEN).reasons) == {("large",), ("medium",)}


def test_a_margin_is_chosen_only_when_no_inner_cell_settles_the_line() -> None:
    axis = Axis("size", ("large", "medium"))
    table = CellTable.from_counts((axis,), {("large",): 2, ("medium",): 0})
    protected = protect(table, OPEN)
    # The only other non-zero cell of the line is the total: hidden too (it is also below k).
    assert set(protected.reasons) == {("large",), (TOTAL,)}


def test_two_hidden_ones_under_a_shown_total_of_two_are_not_left_as_they_are() -> None:
    region = Axis("region", ("A", "B", "C"))
    table = CellTable.from_counts((region,), {("A",): 1, ("B",): 1, ("C",): 9})
    protected = protect(table, Policy(k=2, min_population=0))
    # Zeros are shown, so each hidden cell holds ≥ 1; with the total shown, A + B = 2 would give A = B = 1.
    assert protected.count(("C",)) is None
    assert audit([protected]) == ()


def test_a_two_way_table_keeps_every_row_and_column_with_zero_or_two_hidden_cells() -> None:
    region = Axis("region", ("A", "B", "C", "D"))
    level = Axis("level", (1, 2, 3))
    counts = {("A", 1): 10, ("A", 2): 3, ("A", 3): 8, ("B", 1): 7, ("B", 2): 9, ("B", 3): 12,
              ("C", 1): 1, ("C", 2): 6, ("C", 3): 20, ("D", 1): 11, ("D", 2): 14, ("D", 3): 6}
    protected = protect(CellTable.from_counts((region, level), counts), OPEN)
    assert lines_with_one_hidden([protected]) == []
    assert derivable_cells([protected]) == []
    assert {k for k, r in protected.reasons.items() if r == "primary"} == {("A", 2), ("C", 1)}


def test_the_audit_finds_a_cell_derivable_through_several_lines_though_each_line_hides_two() -> None:
    # Two blocks of four hidden cells joined by one hidden cell (A, c3): every row and column hides 0 or ≥ 2
    # cells, yet rows A+B minus columns c1+c2 give (A, c3) exactly. The line rule alone misses this.
    rows = Axis("r", ("A", "B", "C", "D"))
    cols = Axis("c", ("c1", "c2", "c3", "c4"))
    counts = {key: 20 for key in itertools.product(rows.categories, cols.categories)}
    table = CellTable.from_counts((rows, cols), counts)
    hidden: dict[Key, Reason] = {k: "complementary" for k in [
        ("A", "c1"), ("A", "c2"), ("B", "c1"), ("B", "c2"),
        ("C", "c3"), ("C", "c4"), ("D", "c3"), ("D", "c4"), ("A", "c3")]}
    pattern = ProtectedTable(table, OPEN, hidden)
    assert lines_with_one_hidden([pattern]) == []
    exposed = audit([pattern])
    assert [(e.key, e.via) for e in exposed] == [(("A", "c3"), "equations")]
    assert len(derivable_cells([pattern])) == 1


def test_the_audit_finds_hidden_cells_pinned_by_their_lower_bounds() -> None:
    axis = Axis("r", ("A", "B", "C"))
    table = CellTable.from_counts((axis,), {("A",): 1, ("B",): 1, ("C",): 9})
    pattern = ProtectedTable(table, OPEN, {("A",): "primary", ("B",): "primary"})
    assert {(e.key, e.via) for e in audit([pattern])} == {(("A",), "bounds"), (("B",), "bounds")}


def test_a_subtotal_group_is_protected_like_a_total() -> None:
    level = level_axis((0, 1, 2, 3, 4), at_or_above=2)
    region = Axis("region", ("A", "B"))
    counts = {("A", 0): 9, ("A", 1): 12, ("A", 2): 3, ("A", 3): 8, ("A", 4): 6,
              ("B", 0): 10, ("B", 1): 15, ("B", 2): 11, ("B", 3): 9, ("B", 4): 7}
    protected = protect(CellTable.from_counts((region, level), counts), OPEN)
    assert protected.count(("A", 2)) is None
    assert lines_with_one_hidden([protected]) == []
    assert derivable_cells([protected]) == []


# --- properties -----------------------------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(tables(max_axes=3), policies)
def test_no_published_cell_counts_fewer_than_k_except_published_zeros(table: CellTable, policy: Policy) -> None:
    protected = protect(table, policy)
    for cell in protected.cells():
        if cell.count is not None:
            assert cell.count >= policy.k or (cell.count == 0 and policy.publish_zeros)


@settings(max_examples=150, deadline=None)
@given(tables(max_axes=3), policies)
def test_no_line_has_exactly_one_suppressed_cell(table: CellTable, policy: Policy) -> None:
    assert lines_with_one_hidden([protect(table, policy)]) == []


@settings(max_examples=100, deadline=None)
@given(tables(max_axes=3), policies)
def test_no_suppressed_cell_can_be_derived_by_subtraction_from_any_combination_of_lines(table: CellTable, policy: Policy) -> None:
    assert derivable_cells([protect(table, policy)]) == []


@settings(max_examples=100, deadline=None)
@given(tables(max_axes=3), policies)
def test_the_module_audit_agrees_that_protected_tables_expose_nothing(table: CellTable, policy: Policy) -> None:
    assert audit([protect(table, policy)]) == ()


@st.composite
def linked_populations(draw: st.DrawFn) -> list[tuple[str, str, int]]:
    n = draw(st.integers(1, 80))
    return [(draw(st.sampled_from("ABCD")), draw(st.sampled_from(["small", "micro", "medium"])), draw(st.integers(0, 3)))
            for _ in range(n)]


REGION = Axis("region", tuple("ABCD"))
SIZE = Axis("size_class", ("small", "micro", "medium"))
LEVEL = Axis("level", (0, 1, 2, 3))


def linked_tables(records: list[tuple[str, str, int]], which: Sequence[tuple[int, ...]]) -> list[CellTable]:
    axes = (REGION, SIZE, LEVEL)
    out = []
    for fields in which:
        counts = Counter(tuple(r[i] for i in fields) for r in records)
        out.append(CellTable.from_counts([axes[i] for i in fields], counts))
    return out


@settings(max_examples=120, deadline=None)
@given(linked_populations(), st.sampled_from([((0,), (0, 1)), ((0, 1), (0, 2)), ((0, 1), (0, 2), (1, 2)), ((0,), (0, 1), (1,))]),
       policies)
def test_published_totals_of_one_table_do_not_reveal_a_cell_hidden_in_a_linked_table(
        records: list[tuple[str, str, int]], which: tuple[tuple[int, ...], ...], policy: Policy) -> None:
    protected = protect_linked(linked_tables(records, which), policy)
    assert lines_with_one_hidden(protected) == []
    assert derivable_cells(protected) == []
    for p in protected:
        for cell in p.cells():
            assert cell.count is None or cell.count >= policy.k or (cell.count == 0 and policy.publish_zeros)


def test_a_cell_shared_by_linked_tables_is_hidden_in_every_one_of_them() -> None:
    records = [("A", "small", 1)] * 3 + [("B", "micro", 2)] * 30 + [("C", "small", 0)] * 12 + [("D", "medium", 3)] * 9
    by_region, by_region_size = protect_linked(linked_tables(records, [(0,), (0, 1)]), OPEN)
    assert by_region.count(("A",)) is None
    assert by_region_size.count(("A", TOTAL)) is None
    for key in by_region.table.key_space():
        assert by_region.published(key) == by_region_size.published((key[0], TOTAL))


def test_protecting_linked_tables_separately_leaks_and_together_does_not() -> None:
    counts = {("A", "medium"): 8, ("A", "small"): 3, ("B", "medium"): 5, ("B", "micro"): 2, ("B", "small"): 4,
              ("C", "medium"): 6, ("C", "micro"): 6, ("C", "small"): 4, ("D", "micro"): 5}
    records = [(region, size, 0) for (region, size), n in counts.items() for _ in range(n)]
    tables_ = linked_tables(records, [(0,), (0, 1)])
    apart = [protect(t, OPEN) for t in tables_]
    # Each table is safe on its own, but a region total shown in one completes a line of the other.
    assert all(lines_with_one_hidden([p]) == [] for p in apart)
    assert lines_with_one_hidden(apart) or derivable_cells(apart)
    together = protect_linked(tables_, OPEN)
    assert lines_with_one_hidden(together) == [] and derivable_cells(together) == []


def test_linked_tables_with_different_counts_for_one_cell_are_rejected() -> None:
    region = Axis("region", ("A", "B"))
    a = CellTable.from_counts((region,), {("A",): 10, ("B",): 10})
    b = CellTable.from_counts((region,), {("A",): 11, ("B",): 10})
    with pytest.raises(ValueError, match="same population"):
        protect_linked((a, b), OPEN)


def test_linked_tables_must_share_one_definition_of_an_axis() -> None:
    a = CellTable.from_counts((Axis("region", ("A", "B")),), {("A",): 10})
    b = CellTable.from_counts((Axis("region", ("A", "B", "C")),), {("A",): 10})
    with pytest.raises(ValueError, match="differently"):
        protect_linked((a, b), OPEN)


@settings(max_examples=60, deadline=None)
@given(tables(max_axes=3), policies, st.randoms(use_true_random=False))
def test_suppression_is_deterministic_and_ignores_the_order_of_input_rows(table: CellTable, policy: Policy,
                                                                         rng: random.Random) -> None:
    rows = [Row(tuple(c for c in k if not isinstance(c, Margin)), s.count) for k, s in table.cells.items()
            if all(a.is_category(c) for a, c in zip(table.axes, k, strict=True))]
    rng.shuffle(rows)
    again = CellTable.from_rows(table.axes, rows)
    assert protect(table, policy).reasons == protect(table, policy).reasons == protect(again, policy).reasons


# --- edge cases --------------------------------------------------------------------------------------------------------


def test_when_every_inner_cell_is_small_nothing_below_k_is_shown_and_nothing_is_derivable() -> None:
    region = Axis("region", ("A", "B", "C"))
    level = Axis("level", (1, 2))
    counts = {k: 2 for k in itertools.product(region.categories, level.categories)}
    protected = protect(CellTable.from_counts((region, level), counts), OPEN)
    shown = {c.key: c.count for c in protected.cells() if c.count is not None}
    assert all(v >= 5 for v in shown.values())
    assert audit([protected]) == () and derivable_cells([protected]) == []


def test_a_single_row_table_is_protected_along_its_only_line() -> None:
    level = Axis("level", (0, 1, 2, 3, 4))
    table = CellTable.from_counts((level,), {(0,): 14, (1,): 40, (2,): 22, (3,): 4, (4,): 1})
    protected = protect(table, OPEN)
    assert protected.count((3,)) is None and protected.count((4,)) is None
    assert protected.count((TOTAL,)) == 81
    assert set(protected.reasons) == {(3,), (4,)}  # two hidden cells of 4 and 1: neither is pinned by the other


def test_a_single_category_axis_hides_its_total_with_its_only_cell() -> None:
    table = CellTable.from_counts((Axis("region", ("A",)),), {("A",): 3})
    protected = protect(table, OPEN)
    assert protected.count(("A",)) is None and protected.count((TOTAL,)) is None


def test_an_empty_table_publishes_zeros() -> None:
    protected = protect(CellTable.from_counts((Axis("region", ("A", "B")),), {}), Policy())
    assert [c.count for c in protected.cells()] == [0, 0, 0]
    assert protected.refusal is None


# --- population floor ---------------------------------------------------------------------------------------------------


def test_the_population_floor_defaults_to_four_times_k() -> None:
    assert Policy().population_floor == 20
    assert Policy(k=3).population_floor == 12
    assert Policy(k=5, min_population=50).population_floor == 50
    assert Policy(k=1).population_floor == 0


def test_a_population_below_the_floor_is_refused_entirely() -> None:
    axis = Axis("level", (1, 2))
    protected = protect(CellTable.from_counts((axis,), {(1,): 10, (2,): 9}), Policy())
    assert protected.refusal is not None and protected.refusal.code == "population_floor"
    assert all(c.count is None for c in protected.cells())
    assert set(protected.reasons.values()) == {"population"}


def test_a_refusal_does_not_state_the_population() -> None:
    problem = population_problem(13, Policy())
    assert problem is not None
    assert "13" not in problem.render()
    assert "20" in problem.render()


def test_a_filter_that_leaves_out_a_small_group_of_a_wider_selection_is_refused() -> None:
    assert population_problem(100, Policy(), supersets=[100]) is None
    assert population_problem(100, Policy(), supersets=[160]) is None
    problem = population_problem(100, Policy(), supersets=[160, 103])
    assert problem is not None and problem.code == "population_difference"


def test_a_period_below_the_floor_is_withheld_while_other_periods_are_shown() -> None:
    period = Axis("period", ("2024", "2025"), total=False)
    level = Axis("level", (1, 2))
    counts = {("2024", 1): 10, ("2024", 2): 8, ("2025", 1): 30, ("2025", 2): 25}
    protected = protect(CellTable.from_counts((period, level), counts), Policy())
    assert protected.count(("2024", TOTAL)) is None and protected.count(("2024", 1)) is None
    assert protected.count(("2025", TOTAL)) == 55 and protected.count(("2025", 2)) == 25
    assert protected.refusal is None


def test_an_axis_without_a_total_has_no_margin_across_its_categories() -> None:
    period = Axis("period", ("2024", "2025"), total=False)
    assert TOTAL not in period.coordinates
    with pytest.raises(ValueError, match="no total"):
        Axis("period", ("2024", "2025"), groups=(("all", ("2024", "2025")),), total=False)


def test_groups_must_nest() -> None:
    with pytest.raises(ValueError, match="two groups"):
        Axis("level", (1, 2, 3), groups=(("a", (1, 2)), ("b", (2, 3))))


# --- means ride along with counts ---------------------------------------------------------------------------------------


def test_a_mean_is_hidden_exactly_where_its_count_is() -> None:
    region = Axis("region", ("A", "B", "C"))
    rows = [Row(("A",), 3, (150.0,)), Row(("B",), 10, (600.0,)), Row(("C",), 20, (900.0,))]
    protected = protect(CellTable.from_rows((region,), rows, ("score",)), OPEN)
    for cell in protected.cells():
        assert (cell.count is None) == (cell.means[0] is None)
    assert protected.mean((TOTAL,), "score") == pytest.approx(1650 / 33)
    assert protected.mean(("A",), "score") is None and protected.sum(("A",), "score") is None


def test_the_export_lists_suppressed_cells_and_may_leave_out_published_zeros() -> None:
    axis = Axis("size", ("large", "medium", "small", "micro"))
    protected = protect(CellTable.from_counts((axis,), {("large",): 3, ("small",): 40, ("micro",): 7}), OPEN)
    listed = {c.key: c.count for c in protected.cells(zeros=False)}
    assert listed == {("large",): None, ("small",): 40, ("micro",): None, (TOTAL,): 50}


def test_known_limit_bounds_on_a_sum_of_several_lines_can_pin_hidden_ones_when_zeros_are_shown() -> None:
    # Documented in docs/disclosure.md: the audit propagates bounds line by line, not through every combination
    # of lines (that needs linear programming). Here columns 0 and 1 minus row 2 and the total row give
    # x00 + x01 + x10 + x11 = 4; zeros being shown, each hidden cell is ≥ 1, so all four are exactly 1.
    rows, cols = Axis("r", (0, 1, 2)), Axis("c", (0, 1, 2))
    counts = {(0, 0): 1, (0, 1): 1, (0, 2): 6, (1, 0): 1, (1, 1): 1, (1, 2): 3, (2, 0): 1, (2, 1): 2, (2, 2): 12}
    protected = protect(CellTable.from_counts((rows, cols), counts), OPEN)
    shown = {c.key: c.count for c in protected.cells() if c.count is not None}
    assert shown == {(2, 2): 12, (2, TOTAL): 15, (TOTAL, 2): 21, (TOTAL, TOTAL): 28}
    assert audit([protected]) == () and derivable_cells([protected]) == []
    row_2_rest = shown[(2, TOTAL)] - shown[(2, 2)]                          # x20 + x21
    columns_0_1 = shown[(TOTAL, TOTAL)] - shown[(TOTAL, 2)]                 # xT0 + xT1
    four_cells = columns_0_1 - row_2_rest                                   # x00 + x01 + x10 + x11
    assert four_cells == 4  # four hidden cells, each at least 1: a reader knows every one of them is 1


def test_a_withheld_period_is_withheld_in_every_linked_table_whatever_the_order_of_their_axes() -> None:
    period = Axis("period", ("2024", "2025"), total=False)
    level = Axis("level", (1, 2))
    region = Axis("region", ("A", "B"))
    data = [("2024", 1, "A")] * 9 + [("2024", 2, "B")] * 8 + [("2025", 1, "A")] * 30 + [("2025", 2, "B")] * 25
    first = CellTable.from_counts((period, level), Counter((p, lv) for p, lv, _ in data))
    second = CellTable.from_counts((region, period), Counter((r, p) for p, _, r in data))
    a, b = protect_linked((first, second), Policy())
    assert a.count(("2024", TOTAL)) is None and b.count((TOTAL, "2024")) is None and b.count(("A", "2024")) is None
    assert a.count(("2025", TOTAL)) == 55 and b.count((TOTAL, "2025")) == 55
