"""The solution-catalogue format (catalogue/1): loading, precise errors, provenance, the demo catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
from shipped import ROOT, library

from assessment.content.catalogue import load_catalogue_dir, load_catalogues
from assessment.domain.catalogue import Catalogue, Provider, Solution

HEADER = """\
format: catalogue/1
id: {id}
version: '{version}'
questionnaire: miit-2024
demo: {demo}
languages: [zh, en]
name: {{zh: 测试目录, en: Test catalogue}}
entries:
"""

ENTRY = """\
- id: {id}
  name: {{zh: 轻量MES, en: Light MES}}
  provider: {{name: {{zh: 示例服务商, en: Example provider}}, type: product, regions: [all]}}
  deployment: [saas]
  scenarios: [{{id: S06, from: 1, to: 3}}]
  items: [{{id: Q4, options: [G], points: 0.7}}]
  industries: [C]
  sizes: [small, micro]
  price: {{model: one_off, min: 40000, max: 150000}}
  weeks: {{min: 4, max: 8}}
  listing: {{status: {status}, source: test, date: 2026-01-15}}
  version: '1.0'
"""


def questionnaires() -> dict[str, object]:
    return {q.id: q for q in library().latest_questionnaires()}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def catalogue_text(*entries: str, id: str = "test", version: str = "1", demo: str = "false") -> str:
    return HEADER.format(id=id, version=version, demo=demo) + "".join(entries)


def entry(id: str = "mes", status: str = "listed") -> str:
    return ENTRY.format(id=id, status=status)


def load_one(tmp_path: Path, text: str) -> tuple[list[Catalogue], list[str]]:
    catalogues, errors = load_catalogues([write(tmp_path, "c.yaml", text)], questionnaires())  # type: ignore[arg-type]
    return catalogues, [str(e) for e in errors]


def test_the_demo_catalogue_loads_without_errors_and_says_it_is_demo_data() -> None:
    catalogues, errors = load_catalogue_dir(ROOT / "catalogue", questionnaires())  # type: ignore[arg-type]
    assert errors == []
    demo = next(c for c in catalogues if c.id == "demo")
    assert demo.demo
    assert "演示数据" in demo.description["zh"] and "illustrative" in demo.description["en"].lower()  # type: ignore[index]
    assert all(s.listing.status == "illustrative" and s.provenance.demo for s in demo.solutions)
    assert all(s.provider.name["zh"].startswith("示例服务商") for s in demo.solutions)
    header = (ROOT / "catalogue" / "demo.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert "DEMO" in header and "演示数据" in header


def test_the_demo_catalogue_has_sixty_entries_covering_every_scenario_and_the_part_a_items() -> None:
    catalogues, _ = load_catalogue_dir(ROOT / "catalogue", questionnaires())  # type: ignore[arg-type]
    demo = next(c for c in catalogues if c.id == "demo")
    assert len(demo.solutions) >= 60
    scenarios = {x.scenario for s in demo.solutions for x in s.scenarios}
    assert scenarios == {f"S{n:02d}" for n in range(1, 17)}
    items = {x.item for s in demo.solutions for x in s.items}
    # Q11 (digital investment / revenue) is a spending ratio no product can move by itself.
    assert items == {f"Q{n}" for n in range(1, 16)} - {"Q11"}


def test_several_catalogues_load_side_by_side_and_every_entry_keeps_its_provenance(tmp_path: Path) -> None:
    national = write(tmp_path, "national.yaml", catalogue_text(entry("mes"), id="national", version="2025.1"))
    city = write(tmp_path, "jinan.yaml", catalogue_text(entry("mes"), id="jinan", version="2"))
    catalogues, errors = load_catalogues([national, city], questionnaires())  # type: ignore[arg-type]
    assert errors == []
    keys = sorted(s.key for c in catalogues for s in c.solutions)
    assert keys == ["jinan@2/mes", "national@2025.1/mes"]
    by_ref = {s.provenance.catalogue: s.provenance.file for c in catalogues for s in c.solutions}
    assert by_ref == {"national@2025.1": str(national), "jinan@2": str(city)}


def test_the_same_catalogue_version_twice_is_an_error_naming_both_files(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", catalogue_text(entry()))
    b = write(tmp_path, "b.yaml", catalogue_text(entry()))
    catalogues, errors = load_catalogues([a, b], questionnaires())  # type: ignore[arg-type]
    assert len(catalogues) == 1
    assert [(e.file, e.line, e.path) for e in errors] == [(str(b), 3, "version")]
    assert str(a) in errors[0].message


def test_a_scenario_lift_going_down_is_an_error_at_its_line(tmp_path: Path) -> None:
    text = catalogue_text(entry().replace("from: 1, to: 3", "from: 3, to: 1"))
    catalogues, errors = load_one(tmp_path, text)
    assert catalogues == []
    assert errors == [f"{tmp_path / 'c.yaml'}:13: entries[0].scenarios[0]: S06: 'from' (3) must be below 'to' (1)"]


def test_an_unknown_key_is_named_with_its_line(tmp_path: Path) -> None:
    text = catalogue_text(entry().replace("  version: '1.0'\n", "  version: '1.0'\n  colour: red\n"))
    _, errors = load_one(tmp_path, text)
    assert len(errors) == 1
    assert errors[0].startswith(f"{tmp_path / 'c.yaml'}:21: entries[0].colour: unknown key 'colour'")


def test_a_scenario_the_questionnaire_lacks_is_an_error(tmp_path: Path) -> None:
    _, errors = load_one(tmp_path, catalogue_text(entry().replace("id: S06", "id: S99")))
    assert errors == [f"{tmp_path / 'c.yaml'}:13: entries[0].scenarios[0].id: 'S99' is not a rated scenario of "
                      "questionnaire miit-2024@2024.1"]


def test_a_level_beyond_the_scenario_scale_is_an_error(tmp_path: Path) -> None:
    _, errors = load_one(tmp_path, catalogue_text(entry().replace("to: 3", "to: 7")))
    assert errors == [f"{tmp_path / 'c.yaml'}:13: entries[0].scenarios[0].to: S06 is rated 0–4, not 7"]


def test_an_option_the_item_lacks_is_an_error(tmp_path: Path) -> None:
    _, errors = load_one(tmp_path, catalogue_text(entry().replace("options: [G]", "options: [Z]")))
    assert errors == [f"{tmp_path / 'c.yaml'}:14: entries[0].items[0].options[0]: Q4 has no option 'Z' "
                      "(it has A, B, C, D, E, F, G, H, I, J, K, L, M, N, O)"]


def test_a_solution_cannot_enable_the_none_option(tmp_path: Path) -> None:
    _, errors = load_one(tmp_path, catalogue_text(entry().replace("options: [G]", "options: [A]")))
    assert errors == [f"{tmp_path / 'c.yaml'}:14: entries[0].items[0].options[0]: option 'A' of Q4 means none; "
                      "a solution cannot enable it"]


def test_a_single_choice_item_names_the_one_option_reached(tmp_path: Path) -> None:
    _, errors = load_one(tmp_path, catalogue_text(entry().replace("{id: Q4, options: [G], points: 0.7}",
                                                                  "{id: Q5, options: [C, D]}")))
    assert errors == [f"{tmp_path / 'c.yaml'}:14: entries[0].items[0].options: Q5 is single-choice: name the one "
                      "option the solution reaches"]


def test_a_prerequisite_on_a_rating_uses_at_least_and_on_a_choice_uses_any_of(tmp_path: Path) -> None:
    text = catalogue_text(entry().replace("  industries", "  requires: [{id: Q1, at_least: 2}, {id: S13, any_of: [B]}]\n"
                                                          "  industries"))
    _, errors = load_one(tmp_path, text)
    assert errors == [
        f"{tmp_path / 'c.yaml'}:15: entries[0].requires[0].at_least: Q1 is not rated; use any_of with its options",
        f"{tmp_path / 'c.yaml'}:15: entries[0].requires[1].any_of: S13 is not a choice item; use at_least",
    ]


def test_duplicate_entry_ids_are_rejected(tmp_path: Path) -> None:
    _, errors = load_one(tmp_path, catalogue_text(entry("mes"), entry("mes")))
    assert errors == [f"{tmp_path / 'c.yaml'}:21: entries[1].id: duplicate entry id 'mes' (first at entries[0])"]


def test_price_and_weeks_ranges_must_not_be_upside_down(tmp_path: Path) -> None:
    text = catalogue_text(entry().replace("min: 40000, max: 150000", "min: 150000, max: 40000")
                          .replace("min: 4, max: 8", "min: 8, max: 4"))
    _, errors = load_one(tmp_path, text)
    assert errors == [f"{tmp_path / 'c.yaml'}:17: entries[0].price: price min (150000) is above max (40000)",
                      f"{tmp_path / 'c.yaml'}:18: entries[0].weeks: weeks min (8) is above max (4)"]


def test_a_demo_catalogue_lists_its_entries_as_illustrative(tmp_path: Path) -> None:
    _, errors = load_one(tmp_path, catalogue_text(entry(status="listed"), demo="true"))
    assert errors == [f"{tmp_path / 'c.yaml'}:19: entries[0].listing.status: a demo catalogue lists its entries as "
                      "'illustrative', not 'listed'"]


def test_every_text_needs_every_declared_language(tmp_path: Path) -> None:
    _, errors = load_one(tmp_path, catalogue_text(entry().replace("{zh: 轻量MES, en: Light MES}", "{zh: 轻量MES}")))
    assert errors == [f"{tmp_path / 'c.yaml'}:10: entries[0].name: missing translation: no 'en' text"]


def test_an_entry_must_lift_a_scenario_or_an_item(tmp_path: Path) -> None:
    text = catalogue_text(entry().replace("  scenarios: [{id: S06, from: 1, to: 3}]\n", "")
                          .replace("  items: [{id: Q4, options: [G], points: 0.7}]\n", ""))
    _, errors = load_one(tmp_path, text)
    assert len(errors) == 1 and errors[0].startswith(f"{tmp_path / 'c.yaml'}:9: entries[0]:")


def test_region_codes_are_six_digits_or_all(tmp_path: Path) -> None:
    _, errors = load_one(tmp_path, catalogue_text(entry().replace("regions: [all]", "regions: ['3701']")))
    assert errors == [f"{tmp_path / 'c.yaml'}:11: entries[0].provider.regions[0]: '3701' does not match "
                      "'^(all|\\\\d{6})$'"]


def test_a_file_of_another_format_is_refused(tmp_path: Path) -> None:
    _, errors = load_one(tmp_path, "format: questionnaire/1\nid: x\n")
    assert errors == [f"{tmp_path / 'c.yaml'}:1: format: unknown format 'questionnaire/1'; expected 'catalogue/1'"]


def test_unquoted_yaml_dates_are_read_as_iso_dates(tmp_path: Path) -> None:
    catalogues, errors = load_one(tmp_path, catalogue_text(entry()))
    assert errors == []
    assert catalogues[0].solutions[0].listing.date == "2026-01-15"


def test_a_provider_serves_the_regions_below_the_codes_it_lists() -> None:
    shandong = Provider({"zh": "x"}, "product", ("370000",))
    jinan = Provider({"zh": "x"}, "product", ("370100",))
    assert shandong.serves("370102") and jinan.serves("370102")
    assert not jinan.serves("370202") and not shandong.serves("320102")
    assert Provider({"zh": "x"}, "product", ("all",)).serves("650100")


def test_an_entry_fits_an_industry_by_section_or_code_prefix(tmp_path: Path) -> None:
    catalogues, _ = load_one(tmp_path, catalogue_text(entry()))
    solution: Solution = catalogues[0].solutions[0]
    assert solution.fits_industry("3670") and solution.fits_industry("C3670")
    assert not solution.fits_industry("5110")
    textiles = Solution(**{**solution.__dict__, "industries": ("C17", "C18")})
    assert textiles.fits_industry("1711") and textiles.fits_industry("C1810")
    assert not textiles.fits_industry("3670")


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "catalogue").glob("*.yaml")))
def test_every_shipped_catalogue_checks_against_its_questionnaire(name: str) -> None:
    catalogues, errors = load_catalogues([ROOT / "catalogue" / name], questionnaires())  # type: ignore[arg-type]
    assert errors == [] and len(catalogues) == 1
