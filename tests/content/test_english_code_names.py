"""English names of the code lists: every region, 门类 and 大类 has one, shipped as data and checked on load."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from assessment.content.codes import (
    AREAS_FILE,
    CITIES_FILE,
    INDUSTRIES_FILE,
    INDUSTRY_NAMES_FILE,
    PROVINCES_FILE,
    REGION_NAMES_FILE,
    data_directory,
    industries,
    load_industries,
    load_regions,
    regions,
)
from assessment.content.errors import ContentInvalid
from assessment.services.language import translator
from assessment.services.reports import enterprise_block

LISTS = (PROVINCES_FILE, CITIES_FILE, AREAS_FILE, INDUSTRIES_FILE, REGION_NAMES_FILE, INDUSTRY_NAMES_FILE)


def copy_lists(tmp_path: Path) -> Path:
    for name in LISTS:
        shutil.copy(data_directory() / name, tmp_path / name)
    return tmp_path


def edit_line(path: Path, line: int, text: str | None) -> None:
    """Replace a line of a file (None deletes it)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if text is None:
        del lines[line - 1]
    else:
        lines[line - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def line_of(path: Path, start: str) -> int:
    """The number of the first line that starts with `start`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, start=1) if text.startswith(start))


# --- every name is there ---------------------------------------------------------------------------------------


def test_every_region_has_an_english_name() -> None:
    missing = [r.code for r in regions().entries if not r.name_en]
    assert missing == []
    assert len(regions().entries) > 3000


def test_every_section_and_division_has_an_english_name() -> None:
    named = [i for i in industries().entries if i.level <= 2 and i.name_en]
    assert sum(i.level == 1 for i in named) == 20
    assert sum(i.level == 2 for i in named) == 97


def test_english_region_names_are_written_in_pinyin_letters_and_start_with_a_capital() -> None:
    for region in regions().entries:
        assert re.fullmatch(r"[A-Za-z\u00fc' ()\-,]+", region.name_en), (region.code, region.name_en)
        assert region.name_en[0].isupper(), (region.code, region.name_en)


@pytest.mark.parametrize(("code", "english"), [
    ("110000", "Beijing Municipality"),
    ("140000", "Shanxi Province"),
    ("610000", "Shaanxi Province"),
    ("150000", "Inner Mongolia Autonomous Region"),
    ("450000", "Guangxi Zhuang Autonomous Region"),
    ("540000", "Tibet (Xizang) Autonomous Region"),
    ("640000", "Ningxia Hui Autonomous Region"),
    ("650000", "Xinjiang Uygur Autonomous Region"),
    ("500000", "Chongqing Municipality"),
    ("110100", "Municipal districts"),
    ("350200", "Xiamen City"),
    ("430100", "Changsha City"),
    ("140400", "Changzhi City"),
    ("340300", "Bengbu City"),
    ("341500", "Lu'an City"),
    ("610100", "Xi'an City"),
    ("331100", "Lishui City"),
    ("440113", "Panyu District"),
    ("141024", "Hongtong County"),
    ("371722", "Shan County"),
    ("371522", "Shen County"),
    ("130225", "Laoting County"),
    ("330382", "Yueqing City"),
    ("361124", "Yanshan County"),
    ("532901", "Dali City"),
    ("110105", "Chaoyang District"),
    ("310112", "Minhang District"),
    ("320506", "Wuzhong District"),
    ("610103", "Beilin District"),
    ("429021", "Shennongjia Forestry District"),
    ("222400", "Yanbian Korean Autonomous Prefecture"),
    ("220623", "Changbai Korean Autonomous County"),
    ("433100", "Xiangxi Tujia and Miao Autonomous Prefecture"),
    ("152900", "Alashan League"),
    ("152221", "Ke'erqin Right Wing Front Banner"),
    ("230100", "Harbin City"),
    ("310115", "Pudong New Area"),
    ("320576", "Suzhou Industrial Park"),
    ("441821", "Fogang County"),
    ("130981", "Botou City"),
    ("222404", "Hunchun City"),
    ("211324", "Kalaqin Left Wing Mongol Autonomous County"),
])
def test_tricky_region_names_are_spelled_as_officially_romanised(code: str, english: str) -> None:
    assert regions().in_language("en").name(code) == english


@pytest.mark.parametrize(("code", "english"), [
    ("A", "Agriculture, Forestry, Animal Husbandry and Fishery"),
    ("C", "Manufacturing"),
    ("13", "Processing of Food from Agricultural Products"),
    ("37", "Manufacture of Railway, Ship, Aerospace and Other Transport Equipment"),
    ("65", "Software and Information Technology Services"),
    ("T", "International Organizations"),
])
def test_sections_and_divisions_have_their_english_names(code: str, english: str) -> None:
    assert industries().in_language("en").name(code) == english


def test_every_override_by_code_names_a_division_and_is_in_the_shipped_names() -> None:
    with (data_directory() / "gbt2260-names-en-overrides.csv").open(encoding="utf-8", newline="") as f:
        overrides = [row for row in csv.DictReader(f) if row["key"].isdigit()]
    english = regions().in_language("en")
    assert overrides and all(english.name(row["key"]) == row["name_en"] for row in overrides), [
        (row["key"], english.name(row["key"]), row["name_en"]) for row in overrides
        if english.name(row["key"]) != row["name_en"]]


# --- English views -----------------------------------------------------------------------------------------------


def test_the_english_view_names_the_path_in_english_and_keeps_codes_and_grouping_rows() -> None:
    english = regions().in_language("en")
    assert english.full_name("110101") == "Beijing Municipality / Dongcheng District"
    assert english.full_name("320506") == "Jiangsu Province / Suzhou City / Wuzhong District"
    grouping = english.get("110100")
    assert grouping is not None and grouping.grouping and grouping.chinese_name == "市辖区"
    assert [r.code for r in english.cities("32")] == [r.code for r in regions().cities("32")]
    assert english.in_language("zh").full_name("110101") == "北京市 / 东城区"
    assert regions().full_name("110101") == "北京市 / 东城区"


def test_finer_industry_classes_fall_back_to_the_divisions_english_name_and_their_chinese_name() -> None:
    english = industries().in_language("en")
    assert english.name("1311") == "Processing of Food from Agricultural Products – 稻谷加工"
    assert english.name("3741") == "Manufacture of Railway, Ship, Aerospace and Other Transport Equipment – 飞机制造"
    assert industries().name("1311") == "稻谷加工"


# --- malformed name files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "text", "expected"), [
    (2, "99,Nowhere Province", ":2: code: unknown code 99: it is not in the list"),
    (3, "11,Beijing again", ":3: code: duplicate code 11 (also line 2)"),
    (2, "11,", ":2: name_en: the English name must be one non-empty line, not ''"),
    (2, "1x,Beijing Municipality", ":2: code: a division code has 2, 4 or 6 digits, not '1x'"),
    (2, "11", ":2: name_en: expected 2 fields (code, name_en), found 1"),
    (1, "code,name", ":1: the header should be code,name_en, not code,name"),
])
def test_a_malformed_region_name_is_reported_with_file_line_and_column(tmp_path: Path, line: int, text: str,
                                                                       expected: str) -> None:
    folder = copy_lists(tmp_path)
    edit_line(folder / REGION_NAMES_FILE, line, text)
    with pytest.raises(ContentInvalid) as info:
        load_regions(folder)
    messages = [str(e) for e in info.value.errors]
    assert any(m.startswith(str(folder / REGION_NAMES_FILE) + expected) for m in messages), messages


def test_a_region_without_an_english_name_is_reported_at_its_own_line(tmp_path: Path) -> None:
    folder = copy_lists(tmp_path)
    edit_line(folder / REGION_NAMES_FILE, line_of(folder / REGION_NAMES_FILE, "110105,"), None)
    with pytest.raises(ContentInvalid) as info:
        load_regions(folder)
    where = line_of(folder / AREAS_FILE, "110105,")
    assert [str(e) for e in info.value.errors] == [
        f"{folder / AREAS_FILE}:{where}: name: 110105 朝阳区 has no English name in {REGION_NAMES_FILE}"]


def test_a_missing_region_names_file_is_reported(tmp_path: Path) -> None:
    folder = copy_lists(tmp_path)
    (folder / REGION_NAMES_FILE).unlink()
    with pytest.raises(ContentInvalid) as info:
        load_regions(folder)
    assert str(info.value.errors[0]).startswith(f"{folder / REGION_NAMES_FILE}:1: cannot read file")


@pytest.mark.parametrize(("line", "text", "expected"), [
    (2, "Z,Nothing", ":2: code: unknown code Z: it is not in the list"),
    (3, "A,Farming", ":3: code: duplicate code A (also line 2)"),
    (3, '01,""', ":3: name_en: the English name must be one non-empty line, not ''"),
])
def test_a_malformed_industry_name_is_reported_with_file_line_and_column(tmp_path: Path, line: int, text: str,
                                                                         expected: str) -> None:
    folder = copy_lists(tmp_path)
    edit_line(folder / INDUSTRY_NAMES_FILE, line, text)
    with pytest.raises(ContentInvalid) as info:
        load_industries(folder)
    messages = [str(e) for e in info.value.errors]
    assert any(m.startswith(str(folder / INDUSTRY_NAMES_FILE) + expected) for m in messages), messages


def test_a_division_without_an_english_name_is_reported_at_its_own_line(tmp_path: Path) -> None:
    folder = copy_lists(tmp_path)
    edit_line(folder / INDUSTRY_NAMES_FILE, line_of(folder / INDUSTRY_NAMES_FILE, "13,"), None)
    with pytest.raises(ContentInvalid) as info:
        load_industries(folder)
    where = line_of(folder / INDUSTRIES_FILE, "C,13,")
    assert [str(e) for e in info.value.errors] == [
        f"{folder / INDUSTRIES_FILE}:{where}: name: 13 农副食品加工业 has no English name in {INDUSTRY_NAMES_FILE}"]


def test_a_finer_class_may_have_an_english_name(tmp_path: Path) -> None:
    folder = copy_lists(tmp_path)
    with (folder / INDUSTRY_NAMES_FILE).open("a", encoding="utf-8") as f:
        f.write("3741,Manufacture of Aircraft\n")
    assert load_industries(folder).in_language("en").name("3741") == "Manufacture of Aircraft"


def test_a_reports_enterprise_block_names_codes_in_the_reports_language() -> None:
    profile = {"region_code": "320506", "industry_code": "13"}
    english = enterprise_block(profile, translator("en"), "en")
    assert english.region == "Jiangsu Province, Suzhou City, Wuzhong District"
    assert english.industry == "Processing of Food from Agricultural Products (13)"
    chinese = enterprise_block(profile, translator("zh"), "zh")
    assert (chinese.region, chinese.industry) == ("江苏省苏州市吴中区", "农副食品加工业（13）")
