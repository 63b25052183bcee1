"""The shipped GB/T 2260 and GB/T 4754-2017 lists load into a usable tree; broken rows are named by file, line, column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assessment.content.codes import (
    AREAS_FILE,
    CITIES_FILE,
    INDUSTRIES_FILE,
    PROVINCES_FILE,
    REGION_LIST_DATE,
    data_directory,
    industries,
    load_industries,
    load_regions,
    regions,
)
from assessment.content.errors import ContentInvalid
from assessment.domain.enterprise import DIVISION_RANGES, section_of_division

# --- regions ---------------------------------------------------------------------------------------------------


def test_the_division_list_has_31_provinces_342_cities_and_their_counties() -> None:
    r = regions()
    assert len(r.provinces()) == 31
    assert sum(len(r.cities(p.code)) for p in r.provinces()) == 342
    assert sum(1 for e in r.entries if e.level == "county") == 2978 - 3  # 东莞, 中山, 儋州 are cities only
    assert r.list_date == REGION_LIST_DATE == "2024-11-28"


def test_every_province_in_the_list_has_cities() -> None:
    r = regions()
    for province in r.provinces():
        assert r.cities(province.code), province.name


def test_codes_are_normalised_to_six_digits() -> None:
    r = regions()
    assert (r.get("11").code, r.get("11").level) == ("110000", "province")  # type: ignore[union-attr]
    assert (r.get("1101").code, r.get("1101").level) == ("110100", "city")  # type: ignore[union-attr]
    assert r.name("110101") == "东城区" and r.valid("110101") and r.valid("３５")


def test_110101_path_is_beijing_then_dongcheng() -> None:
    r = regions()
    assert [x.name for x in r.path("110101")] == ["北京市", "东城区"]
    assert r.full_name("110101") == "北京市 / 东城区"


def test_path_names_every_real_level() -> None:
    r = regions()
    assert r.full_name("350102") == "福建省 / 福州市 / 鼓楼区"
    assert r.full_name("469001") == "海南省 / 五指山市"       # under 省直辖县级行政区划
    assert r.full_name("500229") == "重庆市 / 城口县"         # under 重庆市 / 县


def test_path_keeps_a_grouping_row_when_it_is_the_one_asked_for() -> None:
    r = regions()
    assert r.full_name("110100") == "北京市 / 市辖区"
    assert r.get("110100").grouping and not r.get("350100").grouping  # type: ignore[union-attr]


def test_a_city_without_counties_is_a_city() -> None:
    r = regions()
    dongguan = r.get("441900")
    assert dongguan is not None and dongguan.level == "city" and dongguan.name == "东莞市"
    assert r.counties("441900") == ()
    assert r.full_name("441900") == "广东省 / 东莞市"


def test_children_come_only_from_the_level_asked_for() -> None:
    r = regions()
    assert [c.name for c in r.counties("110100")][:2] == ["东城区", "西城区"]
    assert r.cities("110101") == () and r.counties("110000") == () and r.cities("990000") == ()


def test_a_province_contains_its_cities_and_counties() -> None:
    r = regions()
    assert r.contains("11", "110101") and r.contains("110000", "110100") and r.contains("35", "350102")
    assert r.contains("350100", "350102") and r.contains("350102", "350102")
    assert not r.contains("12", "110101") and not r.contains("350102", "350100")
    assert not r.contains("999999", "110101") and not r.contains("11", "119999")


def test_unknown_region_codes_are_not_valid() -> None:
    r = regions()
    for code in ("999999", "119999", "1", "", "东城区", "1101011"):
        assert not r.valid(code) and r.name(code) is None and r.path(code) == () and r.full_name(code) is None


# --- industries ------------------------------------------------------------------------------------------------


def test_the_classification_has_20_sections_97_divisions_473_groups_and_1381_classes() -> None:
    i = industries()
    assert [s.code for s in i.sections()] == list("ABCDEFGHIJKLMNOPQRST")
    counts = {level: sum(1 for x in i.entries if x.level == level) for level in (1, 2, 3, 4)}
    assert counts == {1: 20, 2: 97, 3: 473, 4: 1381}


def test_manufacturing_is_section_c_divisions_13_to_43() -> None:
    i = industries()
    assert [d.code for d in i.divisions("C")] == [str(n) for n in range(13, 44)]
    assert i.is_manufacturing("3741") and i.is_manufacturing("13") and i.is_manufacturing("C3741")
    assert i.is_manufacturing("C")
    assert not i.is_manufacturing("0111") and not i.is_manufacturing("44") and not i.is_manufacturing("6511")
    assert not i.is_manufacturing("3798") and not i.is_manufacturing("")


def test_the_division_table_in_the_domain_matches_the_list() -> None:
    i = industries()
    for section in i.sections():
        low, high = DIVISION_RANGES[section.code]
        assert [d.code for d in i.divisions(section.code)] == [f"{n:02d}" for n in range(low, high + 1)]
    for x in i.entries:
        assert section_of_division(x.code) == x.section == i.section_of(x.code)


def test_a_missing_group_is_rebuilt_from_its_only_class() -> None:
    i = industries()
    group = i.get("019")
    assert group is not None and (group.name, group.level, group.parent) == ("其他农业", 3, "01")
    assert [c.code for c in i.children("019")] == ["0190"]
    assert [c.code for c in i.children("374")] == ["3741", "3742", "3743", "3744", "3749"]


def test_codes_may_carry_their_own_section_letter_only() -> None:
    i = industries()
    assert i.name("C3741") == "飞机制造" and i.name(" c37 ") == i.name("37")
    assert i.get("A3741") is None and not i.valid("A3741")
    assert i.section_of("6511") == "I" and i.section_of("65") == "I" and i.section_of("X") is None


def test_divisions_are_listed_for_sections_only() -> None:
    i = industries()
    assert i.divisions("37") == () and i.divisions("Z") == ()
    assert [d.name for d in i.divisions("T")] == ["国际组织"]


# --- malformed lists -------------------------------------------------------------------------------------------


def copy_lists(tmp_path: Path) -> Path:
    for name in (PROVINCES_FILE, CITIES_FILE, AREAS_FILE, INDUSTRIES_FILE):
        shutil.copy(data_directory() / name, tmp_path / name)
    return tmp_path


def replace_line(path: Path, line: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(("file", "line", "text", "expected"), [
    (PROVINCES_FILE, 3, '1A,"天津市"', ":3: code: a province code has two digits, not '1A'"),
    (PROVINCES_FILE, 1, "code,label", ":1: the header should be code,name, not code,label"),
    (CITIES_FILE, 4, '1302,"唐山市"', ":4: provinceCode: expected 3 fields (code, name, provinceCode), found 2"),
    (CITIES_FILE, 4, '1302,"唐山市",99', ":4: provinceCode: code 1302 does not lie within province 99"),
    (CITIES_FILE, 5, '1303,"",13', ":5: name: the name must be one non-empty line, not ''"),
    (AREAS_FILE, 2, '110101,"东城区",1199,11', ":2: cityCode: code 110101 does not lie within city 1199"),
    (AREAS_FILE, 3, '110102,"西城区",1101,12', ":3: provinceCode: city 1101 belongs to province 11, not 12"),
    (AREAS_FILE, 3, '110101,"西城区",1101,11', ":3: code: duplicate code 110101 (also "),
    (AREAS_FILE, 3, '110102,"西城区,1101,11', ":3: malformed CSV from this line on"),
])
def test_a_malformed_region_row_is_reported_with_file_line_and_column(tmp_path: Path, file: str, line: int,
                                                                      text: str, expected: str) -> None:
    folder = copy_lists(tmp_path)
    replace_line(folder / file, line, text)
    with pytest.raises(ContentInvalid) as info:
        load_regions(folder)
    messages = [str(e) for e in info.value.errors]
    assert any(m.startswith(str(folder / file) + expected) for m in messages), messages


@pytest.mark.parametrize(("line", "text", "expected"), [
    (769, "C,374,3,飞机制造,37", ":769: code: duplicate code 374 (also line 768)"),
    (4, "A,0111,5,稻谷种植,011", ":4: level: the level must be 1, 2, 3 or 4, not '5'"),
    (4, "A,011x,4,稻谷种植,011", ":4: code: a level-4 code in section A looks like 0111, not '011x'"),
    (4, "A,0111,4,稻谷种植,012", ":4: parent: the parent of 0111 should be 011, not '012'"),
    (4, "Z,0111,4,稻谷种植,011", ":4: section: the section must be a letter A–T, not 'Z'"),
    (4, "B,0111,4,稻谷种植,011", ":4: code: division 01 belongs to section A, not B"),
    (3, "A,011,3,谷物种植", ":3: parent: expected 5 fields (section, code, level, name, parent), found 4"),
])
def test_a_malformed_industry_row_is_reported_with_file_line_and_column(tmp_path: Path, line: int, text: str,
                                                                        expected: str) -> None:
    folder = copy_lists(tmp_path)
    replace_line(folder / INDUSTRIES_FILE, line, text)
    with pytest.raises(ContentInvalid) as info:
        load_industries(folder)
    messages = [str(e) for e in info.value.errors]
    assert any(m.startswith(str(folder / INDUSTRIES_FILE) + expected) for m in messages), messages


def test_a_group_with_several_classes_cannot_be_left_out(tmp_path: Path) -> None:
    folder = copy_lists(tmp_path)
    path = folder / INDUSTRIES_FILE
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[3] == "A,011,3,谷物种植,01"
    path.write_text("\n".join(lines[:3] + lines[4:]) + "\n", encoding="utf-8")
    with pytest.raises(ContentInvalid) as info:
        load_industries(folder)
    assert str(info.value.errors[0]) == f"{path}:4: parent: parent 011 of 0111 is not in the list"


def test_a_missing_list_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ContentInvalid) as info:
        load_industries(tmp_path)
    assert str(info.value.errors[0]).startswith(f"{tmp_path / INDUSTRIES_FILE}:1: cannot read file")


def test_the_default_directory_is_the_projects_data_folder() -> None:
    assert data_directory().name == "data" and (data_directory() / "README.md").is_file()
    assert load_regions() == regions() and load_industries() == industries()
