"""GB/T 2260 administrative divisions: province → city → county, looked up by 2-, 4- or 6-digit code."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from assessment.domain.enterprise.text import half_width

RegionLevel = Literal["province", "city", "county"]

GROUPING_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
"""Names of city-level rows that only group counties (municipalities' 市辖区/县, 省直辖县级行政区划)."""


def normalise_region_code(code: str) -> str | None:
    """The six-digit form of a division code ("11" → "110000", "1101" → "110100"); None if it is not one."""
    text = half_width(code).strip()
    if not re.fullmatch(r"[0-9]{2}|[0-9]{4}|[0-9]{6}", text):
        return None
    return text.ljust(6, "0")


@dataclass(frozen=True)
class Region:
    """One GB/T 2260 division; code is six digits, parent the six-digit code of the level above."""

    code: str
    name: str
    level: RegionLevel
    parent: str | None
    name_en: str = ""
    """The English name (official romanisation, data/gbt2260-names-en.csv); empty if none is known."""
    name_zh: str = ""
    """The Chinese name when `name` is in another language; empty when `name` is the Chinese name."""

    @property
    def chinese_name(self) -> str:
        """The division's Chinese name, whatever language `name` is in."""
        return self.name_zh or self.name

    @property
    def grouping(self) -> bool:
        """True for a city-level row that only groups counties (e.g. 北京市 / 市辖区), not a place of its own."""
        return self.level == "city" and self.chinese_name in GROUPING_NAMES

    def in_language(self, language: str) -> Region:
        """The division with `name` in a language: "en" gives the English name where known, else Chinese."""
        chinese = self.chinese_name
        name = (self.name_en or chinese) if language == "en" else chinese
        return replace(self, name=name, name_zh="" if name == chinese else chinese)


@dataclass(frozen=True)
class Regions:
    """The division list as a province → city → county tree; every method takes 2-, 4- or 6-digit codes."""

    entries: tuple[Region, ...]
    list_date: str = ""
    _by_code: dict[str, Region] = field(init=False, repr=False, compare=False)
    _children: dict[str | None, tuple[Region, ...]] = field(init=False, repr=False, compare=False)
    _languages: dict[str, Regions] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_languages", {})
        by_code = {r.code: r for r in self.entries}
        children: dict[str | None, list[Region]] = {}
        for r in sorted(self.entries, key=lambda r: r.code):
            children.setdefault(r.parent, []).append(r)
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_children", {k: tuple(v) for k, v in children.items()})

    def in_language(self, language: str) -> Regions:
        """The same list with every name in a language ("en": English where known, else Chinese), made once."""
        found = self._languages.get(language)
        if found is None:
            found = Regions(tuple(r.in_language(language) for r in self.entries), self.list_date)
            self._languages[language] = found
        return found

    def get(self, code: str) -> Region | None:
        """The division with this code, or None."""
        key = normalise_region_code(code)
        return None if key is None else self._by_code.get(key)

    def valid(self, code: str) -> bool:
        """Whether the code is in the list (at any level)."""
        return self.get(code) is not None

    def name(self, code: str) -> str | None:
        """The division's own name (东城区), or None if the code is unknown."""
        region = self.get(code)
        return None if region is None else region.name

    def provinces(self) -> tuple[Region, ...]:
        """Every province-level division, by code."""
        return tuple(r for r in self._children.get(None, ()) if r.level == "province")

    def cities(self, province_code: str) -> tuple[Region, ...]:
        """The city-level divisions of a province, by code (including grouping rows such as 市辖区)."""
        return self._below(province_code, "province")

    def counties(self, city_code: str) -> tuple[Region, ...]:
        """The county-level divisions of a city, by code."""
        return self._below(city_code, "city")

    def _below(self, code: str, level: RegionLevel) -> tuple[Region, ...]:
        region = self.get(code)
        if region is None or region.level != level:
            return ()
        return self._children.get(region.code, ())

    def path(self, code: str) -> tuple[Region, ...]:
        """Province → city → county down to this division, leaving out grouping rows above it; () if unknown."""
        # 110101 gives (北京市, 东城区), not (北京市, 市辖区, 东城区); 110100 itself gives (北京市, 市辖区).
        region = self.get(code)
        chain: list[Region] = []
        while region is not None:
            if not chain or not region.grouping:
                chain.append(region)
            region = self._by_code.get(region.parent) if region.parent else None
        return tuple(reversed(chain))

    def full_name(self, code: str, separator: str = " / ") -> str | None:
        """The path's names joined (北京市 / 东城区), or None if the code is unknown."""
        chain = self.path(code)
        return separator.join(r.name for r in chain) if chain else None

    def contains(self, ancestor: str, code: str) -> bool:
        """Whether `code` lies within `ancestor` (a division contains itself); for jurisdiction scoping."""
        top = self.get(ancestor)
        region = self.get(code)
        if top is None:
            return False
        while region is not None:
            if region.code == top.code:
                return True
            region = self._by_code.get(region.parent) if region.parent else None
        return False
