"""Jurisdictions: the GB/T 2260 region an official (or an export) is scoped to, and the regions one level below."""

from __future__ import annotations

from dataclasses import dataclass

from assessment.domain.enterprise import Region, RegionLevel, Regions


@dataclass(frozen=True)
class Jurisdiction:
    """A GB/T 2260 region an official (or an export) is scoped to; code None is the whole country."""

    code: str | None
    level: RegionLevel | None
    name: str

    def conditions(self) -> tuple[tuple[str, str], ...]:
        """The fact conditions selecting this region and everything below it."""
        if self.code is None:
            return ()
        province = ("province_code", self.code[:2] + "0000")
        if self.level == "province":
            return (province,)
        if self.level == "city":
            return province, ("city_code", self.code)
        return province, ("city_code", self.code[:4] + "00"), ("region_code", self.code)


NATIONAL = Jurisdiction(None, None, "全国")
NATIONAL_CODE = "000000"
"""The region code of an official account scoped to the whole country (not a GB/T 2260 division)."""


def jurisdiction_of(regions: Regions, code: str | None) -> Jurisdiction | None:
    """The jurisdiction of a region code, NATIONAL for NATIONAL_CODE (None if the code is neither)."""
    if code is None:
        return None
    if code == NATIONAL_CODE:
        return NATIONAL
    region = regions.get(code)
    if region is None:
        return None
    return Jurisdiction(region.code, region.level, regions.full_name(region.code) or region.name)


def within(regions: Regions, jurisdiction: Jurisdiction, code: str) -> bool:
    """Whether a region code lies within the jurisdiction."""
    return jurisdiction.code is None or regions.contains(jurisdiction.code, code)


def child_regions(regions: Regions, code: str | None) -> tuple[Region, ...]:
    """The regions one level below (a province's cities, with grouping rows replaced by their counties)."""
    if code is None:
        return regions.provinces()
    region = regions.get(code)
    if region is None or region.level == "county":
        return ()
    if region.level == "city":
        return regions.counties(region.code)
    out: list[Region] = []
    for city in regions.cities(region.code):
        out.extend(regions.counties(city.code) if city.grouping else (city,))
    return tuple(out)


def child_of(regions: Regions, code: str | None, region_code: str) -> str:
    """The region one level below `code` that contains `region_code`; `code` itself if there is none."""
    path = regions.path(region_code)
    if code is None:
        return path[0].code if path else region_code[:2] + "0000"
    codes = [r.code for r in path]
    if code in codes:
        position = codes.index(code)
        return codes[position + 1] if position + 1 < len(codes) else code
    return region_code


def region_choices(regions: Regions, jurisdiction: Jurisdiction) -> list[tuple[str, str]]:
    """The regions a dashboard may be narrowed to, with their labels: each child region followed by the regions
    one level below it (a city's counties; for the whole country, a province's cities)."""
    choices: list[tuple[str, str]] = []
    for child in child_regions(regions, jurisdiction.code):
        choices.append((child.code, child.name))
        if child.level == "city":
            choices.extend((c.code, f"{child.name} / {c.name}") for c in regions.counties(child.code))
        elif child.level == "province":
            choices.extend((c.code, f"{child.name} / {c.name}") for c in child_regions(regions, child.code))
    return choices


def scope_name(regions: Regions, jurisdiction: Jurisdiction, region: str | None) -> str:
    """The name of what a dashboard shows: the region drilled into with its parents (江苏省 / 苏州市), else the
    jurisdiction."""
    return (regions.full_name(region) if region is not None else None) or jurisdiction.name
