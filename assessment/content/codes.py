"""Read the GB/T 2260 division and GB/T 4754-2017 industry lists in data/; every error names file, line and column."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from assessment.content.errors import ContentError, ContentInvalid
from assessment.content.loader import content_root
from assessment.domain.enterprise import (
    DIVISION_RANGES,
    Industries,
    Industry,
    IndustryLevel,
    Region,
    RegionLevel,
    Regions,
    normalise_industry_code,
    normalise_region_code,
    section_of_division,
)

PROVINCES_FILE = "gbt2260-provinces.csv"
CITIES_FILE = "gbt2260-cities.csv"
AREAS_FILE = "gbt2260-areas.csv"
INDUSTRIES_FILE = "gbt4754-2017-industries.csv"
REGION_NAMES_FILE = "gbt2260-names-en.csv"
INDUSTRY_NAMES_FILE = "gbt4754-2017-names-en.csv"
NAMES_COLUMNS = ("code", "name_en")

REGION_LIST_DATE = "2024-11-28"
"""Date of the division list in data/ (change it with the files; see data/README.md)."""

Row = dict[str, str]
NAME = r"[^\r\n]+"


def data_directory() -> Path:
    """The default directory of the code lists: the project's data/."""
    return content_root() / "data"


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(content_root()))
    except ValueError:
        return str(path)


class _Sheet:
    """One CSV file's rows with their line numbers, recording problems as ContentErrors."""

    def __init__(self, path: Path, columns: tuple[str, ...], errors: list[ContentError]) -> None:
        self.file = _display(path)
        self.columns = columns
        self.errors = errors
        self.rows: list[tuple[int, Row]] = []
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            self.error(1, "", f"cannot read file: {exc}")
            return
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        end = 0
        try:
            for record in reader:
                line, end = end + 1, reader.line_num
                if line == 1:
                    if tuple(h.strip() for h in record) != columns:
                        self.error(1, "", f"the header should be {','.join(columns)}, not {','.join(record)}")
                        return
                elif not record:
                    continue
                elif len(record) != len(columns):
                    column = columns[len(record)] if len(record) < len(columns) else ""
                    self.error(line, column, f"expected {len(columns)} fields ({', '.join(columns)}), "
                                             f"found {len(record)}")
                else:
                    self.rows.append((line, {c: v.strip() for c, v in zip(columns, record, strict=True)}))
        except csv.Error as exc:
            self.error(end + 1, "", f"malformed CSV from this line on: {exc}")
        if end == 0:
            self.error(1, "", f"the file is empty; the header should be {','.join(columns)}")

    def error(self, line: int, column: str, message: str) -> None:
        """Record a problem at a line and column."""
        self.errors.append(ContentError(self.file, line, column, message))

    def check(self, line: int, row: Row, column: str, pattern: str, what: str) -> bool:
        """Whether a field matches a pattern; records an error if not."""
        if re.fullmatch(pattern, row[column]):
            return True
        self.error(line, column, f"{what}, not {row[column]!r}")
        return False


def load_regions(directory: Path | None = None) -> Regions:
    """The GB/T 2260 provinces, cities and counties in `directory` (default data/); raises ContentInvalid."""
    folder = directory or data_directory()
    errors: list[ContentError] = []
    provinces = _Sheet(folder / PROVINCES_FILE, ("code", "name"), errors)
    cities = _Sheet(folder / CITIES_FILE, ("code", "name", "provinceCode"), errors)
    areas = _Sheet(folder / AREAS_FILE, ("code", "name", "cityCode", "provinceCode"), errors)
    found: dict[str, Region] = {}
    where: dict[str, tuple[_Sheet, int]] = {}

    def add(sheet: _Sheet, line: int, code: str, name: str, level: RegionLevel, parent: str | None) -> None:
        if code in found:
            first, at = where[code]
            sheet.error(line, "code", f"duplicate code {code} (also {first.file}:{at})")
            return
        found[code] = Region(code, name, level, parent)
        where[code] = (sheet, line)

    for line, row in provinces.rows:
        ok = provinces.check(line, row, "code", r"[1-9][0-9]", "a province code has two digits")
        ok &= provinces.check(line, row, "name", NAME, "the name must be one non-empty line")
        if ok:
            add(provinces, line, row["code"] + "0000", row["name"], "province", None)
    city_province: dict[str, str] = {}
    for line, row in cities.rows:
        ok = cities.check(line, row, "code", r"[0-9]{4}", "a city code has four digits")
        ok &= cities.check(line, row, "name", NAME, "the name must be one non-empty line")
        ok &= _parent(cities, line, row, "provinceCode", found, "province")
        if ok:
            city_province[row["code"]] = row["provinceCode"]
            add(cities, line, row["code"] + "00", row["name"], "city", row["provinceCode"] + "0000")
    for line, row in areas.rows:
        ok = areas.check(line, row, "code", r"[0-9]{6}", "a county code has six digits")
        ok &= areas.check(line, row, "name", NAME, "the name must be one non-empty line")
        ok &= _parent(areas, line, row, "cityCode", found, "city")
        if ok and city_province.get(row["cityCode"]) != row["provinceCode"]:
            areas.error(line, "provinceCode", f"city {row['cityCode']} belongs to province "
                                              f"{city_province.get(row['cityCode'])}, not {row['provinceCode']}")
            ok = False
        city = found.get(row["cityCode"] + "00")
        if ok and city is not None and row["code"] == city.code and row["name"] == city.name:
            continue  # a city without counties (东莞市, 中山市, 儋州市) is listed again as its own area
        if ok:
            add(areas, line, row["code"], row["name"], "county", row["cityCode"] + "00")
    if errors:
        raise ContentInvalid(errors)
    _name_regions(folder, found, where, errors)
    return Regions(tuple(found.values()), REGION_LIST_DATE)


def _name_regions(folder: Path, found: dict[str, Region], where: dict[str, tuple[_Sheet, int]],
                  errors: list[ContentError]) -> None:
    """Give every division its English name; one without is an error at its own line. Raises ContentInvalid."""
    names = _english_names(_Sheet(folder / REGION_NAMES_FILE, NAMES_COLUMNS, errors), _region_key, found,
                           "a division code has 2, 4 or 6 digits")
    for code, (sheet, line) in where.items():
        if code in names:
            found[code] = replace(found[code], name_en=names[code])
        elif names:
            sheet.error(line, "name", f"{code} {found[code].name} has no English name in {REGION_NAMES_FILE}")
    if errors:
        raise ContentInvalid(errors)


def _region_key(code: str) -> str | None:
    return normalise_region_code(code) if re.fullmatch(r"[0-9]{2}|[0-9]{4}|[0-9]{6}", code) else None


def _english_names(sheet: _Sheet, key: Callable[[str], str | None], known: Collection[str],
                   shape: str) -> dict[str, str]:
    """The English names in a code,name_en file, by code as the list keys it; records unknown codes, duplicates
    and empty names."""
    names: dict[str, str] = {}
    lines: dict[str, int] = {}
    for line, row in sheet.rows:
        code = key(row["code"])
        if code is None:
            sheet.error(line, "code", f"{shape}, not {row['code']!r}")
        elif code not in known:
            sheet.error(line, "code", f"unknown code {row['code']}: it is not in the list")
        elif code in lines:
            sheet.error(line, "code", f"duplicate code {row['code']} (also line {lines[code]})")
        elif sheet.check(line, row, "name_en", NAME, "the English name must be one non-empty line"):
            names[code], lines[code] = row["name_en"], line
    return names


def _parent(sheet: _Sheet, line: int, row: Row, column: str, found: dict[str, Region], level: RegionLevel) -> bool:
    """Whether the row's code starts with its parent's code and that parent is already listed."""
    parent, code = row[column], row["code"]
    width = 2 if level == "province" else 4
    if not sheet.check(line, row, column, f"[0-9]{{{width}}}", f"a {level} code has {width} digits"):
        return False
    if not code.startswith(parent):
        sheet.error(line, column, f"code {code} does not lie within {level} {parent}")
        return False
    region = found.get(parent.ljust(6, "0"))
    if region is None or region.level != level:
        sheet.error(line, column, f"{level} {parent} is not in the {level} list")
        return False
    return True


def load_industries(directory: Path | None = None) -> Industries:
    """The GB/T 4754-2017 classification in `directory` (default data/); raises ContentInvalid."""
    # The list leaves out a 中类 that has a single 小类; in GB/T 4754 that 小类 is the 中类 code plus 0 with the
    # same name, so the 中类 is rebuilt from it.
    folder = directory or data_directory()
    errors: list[ContentError] = []
    sheet = _Sheet(folder / INDUSTRIES_FILE, ("section", "code", "level", "name", "parent"), errors)
    found: dict[str, Industry] = {}
    lines: dict[str, int] = {}
    for line, row in sheet.rows:
        industry = _industry(sheet, line, row)
        if industry is None:
            continue
        if industry.code in found:
            sheet.error(line, "code", f"duplicate code {industry.code} (also line {lines[industry.code]})")
            continue
        found[industry.code] = industry
        lines[industry.code] = line
    for code, industry in list(found.items()):
        if industry.parent is None or industry.parent in found:
            continue
        siblings = [i for i in found.values() if i.parent == industry.parent]
        if industry.level == 4 and len(siblings) == 1 and code.endswith("0") and industry.parent[:2] in found:
            found[industry.parent] = Industry(industry.parent, industry.name, 3, industry.section, industry.parent[:2])
        else:
            sheet.error(lines[code], "parent", f"parent {industry.parent} of {code} is not in the list")
    for code, industry in found.items():
        parent = found.get(industry.parent or "")
        if parent is not None and parent.section != industry.section and code in lines:
            sheet.error(lines[code], "section", f"{code} is in section {industry.section} but its parent "
                                                f"{parent.code} is in section {parent.section}")
    if errors:
        raise ContentInvalid(errors)
    _name_industries(folder, found, lines, errors)
    if errors:
        raise ContentInvalid(errors)
    return Industries(tuple(sorted(found.values(), key=lambda i: (i.section, i.level > 1, i.code))))


def _name_industries(folder: Path, found: dict[str, Industry], lines: dict[str, int],
                     errors: list[ContentError]) -> None:
    """Give the classes their English names; every 门类 and 大类 must have one (finer classes may)."""
    sheet = _Sheet(folder / INDUSTRY_NAMES_FILE, NAMES_COLUMNS, errors)
    names = _english_names(sheet, lambda code: normalise_industry_code(code) or None, found,
                           "a code is a section letter or 2 to 4 digits")
    for code, industry in found.items():
        if code in names:
            found[code] = replace(industry, name_en=names[code])
        elif names and industry.level <= 2:
            errors.append(ContentError(_display(folder / INDUSTRIES_FILE), lines[code], "name",
                                       f"{code} {industry.name} has no English name in {INDUSTRY_NAMES_FILE}"))


def _industry(sheet: _Sheet, line: int, row: Row) -> Industry | None:
    """One row as an Industry, or None after recording what is wrong with it."""
    section, code, parent = row["section"], row["code"], row["parent"]
    if section not in DIVISION_RANGES:
        sheet.error(line, "section", f"the section must be a letter A–T, not {section!r}")
        return None
    if not sheet.check(line, row, "level", r"[1-4]", "the level must be 1, 2, 3 or 4"):
        return None
    level = int(row["level"])
    if level == 1:
        shape, expected_parent = re.escape(section), ""
    else:
        shape, expected_parent = f"[0-9]{{{level}}}", section if level == 2 else code[:level - 1]
    if not sheet.check(line, row, "code", shape, f"a level-{level} code in section {section} looks like "
                                                 f"{_example(section, level)}"):
        return None
    if level > 1 and section_of_division(code) != section:
        sheet.error(line, "code", f"division {code[:2]} belongs to section {section_of_division(code)}, "
                                  f"not {section}")
        return None
    if parent != expected_parent:
        sheet.error(line, "parent", f"the parent of {code} should be {expected_parent or 'empty'}, not {parent!r}")
        return None
    if not sheet.check(line, row, "name", NAME, "the name must be one non-empty line"):
        return None
    return Industry(code, row["name"], _level(level), section, parent or None)


def _example(section: str, level: int) -> str:
    low = DIVISION_RANGES[section][0]
    return section if level == 1 else f"{low:02d}{'1' * (level - 2)}"


def _level(level: int) -> IndustryLevel:
    levels: dict[int, IndustryLevel] = {1: 1, 2: 2, 3: 3, 4: 4}
    return levels[level]


@lru_cache(maxsize=1)
def regions() -> Regions:
    """The shipped division list, loaded once."""
    return load_regions()


@lru_cache(maxsize=1)
def industries() -> Industries:
    """The shipped industry classification, loaded once."""
    return load_industries()

