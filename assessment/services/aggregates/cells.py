"""What the dashboard and the exports share to build cell tables of facts: the fields a table breaks down by, their
disclosure axes, and how their codes are named on a page or in a file."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from assessment.db.facts import MILLI
from assessment.domain.answers import N_
from assessment.domain.disclosure import TOTAL, Axis, level_axis, score_band_axis
from assessment.domain.enterprise import (
    SIZE_CLASS_LABELS,
    SIZE_CLASSES,
    ZHUANJINGTEXIN_LABELS,
    ZHUANJINGTEXIN_STATUSES,
    Industries,
    Regions,
)
from assessment.services.aggregates.facts import FactLayout
from assessment.services.aggregates.jurisdiction import child_regions
from assessment.services.aggregates.periods import Grain, period_label

Translate = Callable[[str], str]
MODES = ("self", "guided", "onsite")
MODE_LABELS: Mapping[str, str] = {
    "self": N_("Self-assessment"),
    "guided": N_("Guided assessment (with a service provider)"),
    "onsite": N_("On-site assessment"),
}
BAND_EDGES = (20, 40, 60, 80)
SUPPRESSED = "—"
"""The one symbol shown for every hidden cell (primary and complementary alike)."""

FIELDS: Mapping[str, str] = {
    "region": N_("Region (one level below the jurisdiction)"),
    "province": N_("Province"),
    "city": N_("City"),
    "county": N_("County or district"),
    "section": N_("Industry section (GB/T 4754 门类)"),
    "division": N_("Industry division (GB/T 4754 大类)"),
    "size": N_("Size class"),
    "zjtx": N_("Specialised-and-sophisticated status"),
    "mode": N_("Assessment mode"),
    "level": N_("Level"),
    "band": N_("Score band"),
    "period": N_("Period"),
}
"""The fields a cell export may break down by (the CLI's --by), with their column descriptions."""

FIELD_COLUMNS: Mapping[str, str] = {
    "region": "region_code", "province": "province_code", "city": "city_code", "county": "region_code",
    "section": "industry_section", "division": "industry_division", "size": "size_class",
    "zjtx": "zhuanjingtexin", "mode": "mode", "level": "level", "band": "band",
}
"""The fact column each field (but period) groups by."""


@dataclass(frozen=True)
class Labels:
    """How codes are named on a page or in an export, in one language."""

    regions: Regions
    industries: Industries
    translate: Translate
    lang: str

    def region(self, code: str, scope: str | None = None) -> str:
        """A region's name; the scope itself is "(not assigned to a district)"."""
        name = self.regions.name(code)
        if name is None:
            return f"{code} ({self.translate(N_('unknown code'))})"
        if scope is not None and code == scope:
            return f"{name} ({self.translate(N_('not assigned to a district'))})"
        return name

    def value(self, field_name: str, value: Any, layout: FactLayout, grain: Grain = "year",
              scope: str | None = None) -> str:
        """The name of a category of a breakdown field."""
        if value is TOTAL:
            return self.translate(N_("Total"))
        if field_name in ("region", "province", "city", "county"):
            return self.region(str(value), scope if field_name == "region" else None)
        if field_name in ("section", "division"):
            return self.industries.name(str(value)) or str(value)
        if field_name in ("size", "zjtx", "mode"):
            names = {"size": SIZE_CLASS_LABELS, "zjtx": ZHUANJINGTEXIN_LABELS, "mode": MODE_LABELS}[field_name]
            return self.translate(cast(Mapping[str, str], names).get(str(value), str(value)))
        if field_name == "level":
            if isinstance(value, str) and value.endswith("+"):
                return self.translate(N_("{level} and above")).format(level=layout.level_name(int(value[:-1]),
                                                                                             self.lang))
            return layout.level_name(int(value), self.lang)
        if field_name == "period":
            return period_label(int(value), grain)
        return str(value)


def _listed(shown: Sequence[str], seen: set[Any]) -> tuple[str, ...]:
    """The categories in display order, then any other value the facts hold, sorted."""
    return tuple(shown) + tuple(sorted(str(v) for v in seen if v not in shown))


def axis_for(field_name: str, seen: Iterable[Any], *, layout: FactLayout, industries: Industries,
             regions: Regions, scope: str | None, section: str | None = None, target_level: int = 2) -> Axis:
    """The disclosure axis of a breakdown field: its categories in display order."""
    seen = set(seen)
    if field_name == "region":
        return Axis("region", _listed([r.code for r in child_regions(regions, scope)], seen))
    if field_name == "section":
        return Axis("section", _listed([i.code for i in industries.sections()], seen))
    if field_name == "division" and section is not None:
        return Axis("division", _listed([i.code for i in industries.divisions(section)], seen))
    fixed = {"size": SIZE_CLASSES, "zjtx": ZHUANJINGTEXIN_STATUSES, "mode": MODES}.get(field_name)
    if fixed is not None:
        return Axis(field_name, _listed(fixed, seen))
    if field_name == "level":
        levels = tuple(sorted(set(layout.levels) | {int(v) for v in seen}))
        return level_axis(levels, at_or_above=target_level if target_level in levels[1:] else None)
    if field_name == "band":
        return score_band_axis(BAND_EDGES, name="band")
    if field_name == "period":
        return Axis("period", tuple(sorted(int(v) for v in seen)) or (0,), total=False)
    return Axis(field_name, tuple(sorted(str(v) for v in seen)) or ("",))


def band_label(index: int) -> str:
    """The score band (its category) of a band index from the database."""
    return str(score_band_axis(BAND_EDGES).categories[index])


def scaled(values: Sequence[int], kinds: Sequence[str]) -> tuple[float, ...]:
    """Sums from the database in the table's units: points for scores, plain counts and levels otherwise."""
    return tuple(v / MILLI if kind == "milli" else float(v) for v, kind in zip(values, kinds, strict=True))
