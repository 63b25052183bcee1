"""Catalogue spreadsheets: CSV and XLSX export round-trip exactly; imports are all-or-nothing with row/column errors."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from fractions import Fraction

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shipped import ROOT, library

from assessment.content.catalogue import load_catalogue_dir
from assessment.content.catalogue_columns import columns
from assessment.content.catalogue_io import CatalogueHeader, export_csv, export_xlsx, import_csv, import_xlsx
from assessment.content.catalogue_sheets import CatalogueImportInvalid, RowError
from assessment.domain.catalogue import (
    DEPLOYMENTS,
    LISTING_STATUSES,
    PRICE_MODELS,
    PROVIDER_TYPES,
    SIZE_CLASSES,
    Catalogue,
    ItemLift,
    Listing,
    Prerequisite,
    Price,
    Provenance,
    Provider,
    ScenarioLift,
    Solution,
    Weeks,
)


def questionnaires() -> dict[str, object]:
    return {q.id: q for q in library().latest_questionnaires()}


def demo() -> Catalogue:
    catalogues, errors = load_catalogue_dir(ROOT / "catalogue", questionnaires())  # type: ignore[arg-type]
    assert errors == []
    return next(c for c in catalogues if c.id == "demo")


def same(a: Catalogue, b: Catalogue) -> bool:
    return a.solutions == b.solutions and CatalogueHeader.of(a) == CatalogueHeader.of(b)


def import_rows(rows: list[dict[str, str]]) -> Catalogue:
    """Import CSV rows given as column → cell (other columns copied from the demo's first entry)."""
    cat = demo()
    base = next(csv.DictReader(io.StringIO(export_csv(cat))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns(cat.languages))
    writer.writeheader()
    for n, row in enumerate(rows):
        writer.writerow({**base, "id": f"row{n}", **row})
    return import_csv(out.getvalue(), CatalogueHeader.of(cat), questionnaires(), "cities.csv")  # type: ignore[arg-type]


def errors_of(rows: list[dict[str, str]]) -> list[str]:
    with pytest.raises(CatalogueImportInvalid) as caught:
        import_rows(rows)
    return [str(e) for e in caught.value.errors]


def test_csv_export_then_import_gives_the_demo_catalogue_back_exactly() -> None:
    cat = demo()
    back = import_csv(export_csv(cat), CatalogueHeader.of(cat), questionnaires(), cat.file)  # type: ignore[arg-type]
    assert same(back, cat)


def test_xlsx_export_then_import_gives_the_demo_catalogue_back_exactly_header_included() -> None:
    cat = demo()
    back = import_xlsx(export_xlsx(cat), None, questionnaires(), cat.file)  # type: ignore[arg-type]
    assert same(back, cat)


def test_a_csv_written_with_a_byte_order_mark_for_excel_imports() -> None:
    cat = demo()
    text = ("\ufeff" + export_csv(cat)).encode("utf-8").decode("utf-8")
    assert same(import_csv(text, CatalogueHeader.of(cat), None, cat.file), cat)


def test_one_row_per_entry_with_list_cells_in_the_documented_syntax() -> None:
    rows = list(csv.DictReader(io.StringIO(export_csv(demo()))))
    assert len(rows) == len(demo().solutions)
    jxc = next(r for r in rows if r["id"] == "cloud-jxc")
    assert jxc["scenarios"] == "S13:0->2;S11:0->2;S12:0->2;S03:0->1"
    assert jxc["items"] == "Q4:L,M,N+2.1;Q5:C"
    assert jxc["sizes"] == "medium;small;micro"
    aps = next(r for r in rows if r["id"] == "light-aps")
    assert aps["requires"] == "S06>=2"
    assert next(r for r in rows if r["id"] == "oee-gateway")["requires"] == "Q1:B,C"


def test_a_cell_syntax_error_names_its_row_and_column() -> None:
    assert errors_of([{}, {"scenarios": "S06 1 to 3"}]) == [
        "entries row 3, column scenarios: 'S06 1 to 3' is not SCENARIO:FROM->TO, e.g. S06:1->3"]


def test_a_number_that_is_not_whole_names_its_row_and_column() -> None:
    assert errors_of([{"price_min_cny": "about 5k"}]) == [
        "entries row 2, column price_min_cny: 'about 5k' is not a whole number"]


def test_an_unknown_enum_value_names_its_column() -> None:
    assert errors_of([{"provider_type": "reseller"}]) == [
        "entries row 2, column provider_type: 'reseller' is not one of integrator, product, chain_leader, "
        "scenario_provider"]


def test_a_missing_translation_names_the_language_column() -> None:
    assert errors_of([{}, {}, {"name_en": ""}]) == ["entries row 4, column name_en: missing translation: no 'en' text"]


def test_rules_shared_with_yaml_name_row_and_column() -> None:
    assert errors_of([{"price_min_cny": "9", "price_max_cny": "5"}, {"scenarios": "S06:1->9"},
                      {"items": "Q4:Z"}, {"listing_date": "2026-02-30"}]) == [
        "entries row 2, column price_max_cny: price min (9) is above max (5)",
        "entries row 3, column scenarios: S06 is rated 0–4, not 9",
        "entries row 4, column items: Q4 has no option 'Z' (it has A, B, C, D, E, F, G, H, I, J, K, L, M, N, O)",
        "entries row 5, column listing_date: '2026-02-30' is not a calendar date (YYYY-MM-DD)",
    ]


def test_duplicate_ids_name_the_second_row() -> None:
    assert errors_of([{"id": "same"}, {"id": "same"}]) == [
        "entries row 3, column id: duplicate entry id 'same' (first at entries[0])"]


def test_effects_need_as_many_lines_in_every_language() -> None:
    assert errors_of([{"effects_zh": "甲\n乙", "effects_en": "one"}]) == [
        "entries row 2, column effects_en: has 1 line(s) but effects_zh has 2; one effect per line in each language"]


def test_an_import_with_one_bad_row_imports_nothing_and_lists_only_the_problems() -> None:
    good = [{} for _ in range(5)]
    with pytest.raises(CatalogueImportInvalid) as caught:
        import_rows([*good, {"sizes": "tiny"}, *good])
    assert caught.value.errors == [RowError(7, "sizes", "'tiny' is not one of large, medium, small, micro")]
    assert len(import_rows(good).solutions) == 5


def test_unknown_and_missing_columns_are_reported_on_the_header_row() -> None:
    cat = demo()
    text = export_csv(cat).replace("weeks_max", "weeks_most", 1)
    with pytest.raises(CatalogueImportInvalid) as caught:
        import_csv(text, CatalogueHeader.of(cat))
    assert [(e.row, e.column) for e in caught.value.errors] == [(1, "weeks_most"), (1, "weeks_max")]


def test_xlsx_rows_are_counted_as_excel_shows_them_and_blank_rows_are_skipped() -> None:
    cat = demo()
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(cat)))
    sheet = book["entries"]
    sheet.insert_rows(3)
    sheet.cell(row=5, column=columns(cat.languages).index("weeks_min") + 1, value="soon")
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(CatalogueImportInvalid) as caught:
        import_xlsx(out.getvalue(), None, questionnaires())  # type: ignore[arg-type]
    assert [str(e) for e in caught.value.errors] == ["entries row 5, column weeks_min: 'soon' is not a whole number"]


def test_an_xlsx_without_a_catalogue_sheet_needs_the_header_given() -> None:
    cat = demo()
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(cat)))
    del book["catalogue"]
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(CatalogueImportInvalid):
        import_xlsx(out.getvalue())
    assert same(import_xlsx(out.getvalue(), CatalogueHeader.of(cat), None, cat.file), cat)


def test_a_file_that_is_not_a_workbook_is_one_clear_error() -> None:
    with pytest.raises(CatalogueImportInvalid) as caught:
        import_xlsx(b"id,name\n")
    assert caught.value.errors[0].message.startswith("not an XLSX workbook")


# ---------------------------------------------------------------- property: any valid catalogue round-trips

LANGS = ("zh", "en")
# Line breaks separate effects in a cell; control characters and U+FFFE/U+FFFF (not XML characters) cannot live
# in XLSX.
PLAIN = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\ufffe\uffff")
TEXT = st.fixed_dictionaries({lang: st.text(PLAIN, min_size=1, max_size=12) for lang in LANGS})
CODE = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,8}", fullmatch=True)


def unique_subset(values: tuple[str, ...]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(values), min_size=1, max_size=len(values), unique=True).map(tuple)


@st.composite
def scenario_lifts(draw: st.DrawFn) -> ScenarioLift:
    low = draw(st.integers(0, 3))
    return ScenarioLift(draw(st.sampled_from([f"S{n:02d}" for n in range(1, 17)])), low, draw(st.integers(low + 1, 4)))


@st.composite
def item_lifts(draw: st.DrawFn) -> ItemLift:
    q = library().questionnaire("miit-2024")
    item = draw(st.sampled_from([i for i in q.items if i.type in ("single", "multi")]))
    plain = tuple(k for k in item.option_keys if k not in item.exclusive_keys)
    options = (draw(st.sampled_from(plain)),) if item.type == "single" else draw(unique_subset(plain))
    points = draw(st.none() | st.decimals(min_value=Decimal("0.01"), max_value=Decimal(20), places=2).map(Fraction))
    return ItemLift(item.id, options, points)


@st.composite
def prerequisites(draw: st.DrawFn) -> Prerequisite:
    q = library().questionnaire("miit-2024")
    item = draw(st.sampled_from([i for i in q.items if i.type in ("single", "multi", "rating")]))
    if item.type == "rating":
        return Prerequisite(item.id, draw(st.integers(0, 4)))
    return Prerequisite(item.id, None, draw(unique_subset(item.option_keys)))


@st.composite
def solutions(draw: st.DrawFn, sid: str, provenance: Provenance) -> Solution:
    scenarios = draw(st.lists(scenario_lifts(), max_size=3, unique_by=lambda s: s.scenario))
    items = draw(st.lists(item_lifts(), min_size=0 if scenarios else 1, max_size=3, unique_by=lambda i: i.item))
    low, high = sorted(draw(st.lists(st.integers(0, 10**7), min_size=2, max_size=2)))
    w_low, w_high = sorted(draw(st.lists(st.integers(0, 60), min_size=2, max_size=2)))
    regions = draw(st.just(("all",)) | st.lists(st.from_regex(r"[0-9]{6}", fullmatch=True), min_size=1, max_size=3,
                                                 unique=True).map(tuple))
    industries = draw(st.just(("any",)) | st.lists(st.from_regex(r"[A-T]([0-9]{2}([0-9]{1,2})?)?", fullmatch=True),
                                                    min_size=1, max_size=3, unique=True).map(tuple))
    status = "illustrative" if provenance.demo else draw(st.sampled_from(LISTING_STATUSES))
    return Solution(
        id=sid, name=draw(TEXT), provider=Provider(draw(TEXT), draw(st.sampled_from(PROVIDER_TYPES)), regions),
        deployment=draw(unique_subset(DEPLOYMENTS)), scenarios=tuple(scenarios), items=tuple(items),
        industries=industries, sizes=draw(unique_subset(SIZE_CLASSES)),
        price=Price(draw(st.sampled_from(PRICE_MODELS)), low, high, draw(st.none() | TEXT)),
        weeks=Weeks(w_low, w_high),
        listing=Listing(status, draw(st.text(PLAIN, min_size=1, max_size=12)), draw(st.dates()).isoformat()),
        version=draw(st.from_regex(r"[0-9A-Za-z.]{1,6}", fullmatch=True)), provenance=provenance,
        summary=draw(st.none() | TEXT), requires=tuple(draw(st.lists(prerequisites(), max_size=2))),
        effects=tuple(draw(st.lists(TEXT, max_size=3))), showcase=draw(st.none() | TEXT),
    )


@st.composite
def catalogues(draw: st.DrawFn) -> Catalogue:
    cid, version, is_demo = draw(CODE), draw(st.from_regex(r"[0-9][0-9.]{0,5}", fullmatch=True)), draw(st.booleans())
    provenance = Provenance(f"{cid}@{version}", "generated.yaml", is_demo)
    ids = draw(st.lists(CODE, max_size=4, unique=True))
    return Catalogue(cid, version, draw(TEXT), "miit-2024", LANGS, tuple(draw(solutions(i, provenance)) for i in ids),
                     "generated.yaml", is_demo, draw(st.none() | TEXT), draw(st.none() | TEXT), draw(st.none() | TEXT))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogues())
def test_any_valid_catalogue_round_trips_exactly_through_csv_and_xlsx(catalogue: Catalogue) -> None:
    header = CatalogueHeader.of(catalogue)
    qs = questionnaires()
    from_csv = import_csv(export_csv(catalogue), header, qs, "generated.yaml")  # type: ignore[arg-type]
    from_xlsx = import_xlsx(export_xlsx(catalogue), None, qs, "generated.yaml")  # type: ignore[arg-type]
    assert same(from_csv, catalogue)
    assert same(from_xlsx, catalogue)
