"""The dashboard's filters: what an official may choose (models, periods, regions, industries, …), read from the
query string with unknown values dropped, and the selection they make."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.orm import Session

from assessment.domain.answers import N_
from assessment.domain.disclosure import Policy
from assessment.domain.enterprise import SIZE_CLASSES, ZHUANJINGTEXIN_STATUSES, Regions
from assessment.domain.questionnaire import tr
from assessment.services.aggregates.cells import MODES, Labels, Translate
from assessment.services.aggregates.facts import FactLayout, models_with_facts
from assessment.services.aggregates.jurisdiction import Jurisdiction, region_choices
from assessment.services.aggregates.periods import GRAINS, Grain, default_period, parse_period, period_label, period_sizes
from assessment.services.aggregates.policy import DEFAULT_MODEL

DataChoice = Literal["all", "real", "demo"]
DATA_CHOICES: tuple[DataChoice, ...] = ("all", "real", "demo")


@dataclass(frozen=True)
class Selection:
    """What the official chose in the filter form (already checked)."""

    model_id: str
    grain: Grain = "year"
    period: int | None = None
    region: str | None = None
    section: str | None = None
    division: str | None = None
    size: str | None = None
    zjtx: str | None = None
    mode: str | None = None
    data: DataChoice = "all"

    def filters(self, regions: Regions) -> tuple[tuple[str, str | int], ...]:
        """The fact conditions of the chosen filters (each can be dropped for the differencing check)."""
        out: list[tuple[str, str | int]] = []
        if self.region is not None:
            region = regions.get(self.region)
            if region is not None:
                column = {"province": "province_code", "city": "city_code"}.get(region.level, "region_code")
                out.append((column, region.code))
        if self.division is not None:
            out.append(("industry_division", self.division))
        elif self.section is not None:
            out.append(("industry_section", self.section))
        for column, value in (("size_class", self.size), ("zhuanjingtexin", self.zjtx), ("mode", self.mode)):
            if value is not None:
                out.append((column, value))
        return tuple(out)

    @property
    def demo(self) -> bool | None:
        """The fact query's demo condition."""
        return {"all": None, "real": False, "demo": True}[self.data]


@dataclass
class FilterChoices:
    """The dashboard's filters: what was asked, what was kept, the choices, and messages about the rest."""

    selection: Selection
    layout: FactLayout
    periods: list[tuple[int, str]] = field(default_factory=list)
    models: list[tuple[str, str]] = field(default_factory=list)
    regions: list[tuple[str, str]] = field(default_factory=list)
    sections: list[tuple[str, str]] = field(default_factory=list)
    divisions: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Translated messages about the values that were dropped."""
    refused: list[str] = field(default_factory=list)
    """The query parameter each message of `errors` is about (the API answers one problem per field)."""

    def query(self, **changes: Any) -> dict[str, str]:
        """The selection as query-string parameters (empty ones left out), with changes."""
        chosen = self.selection
        values = {"model": chosen.model_id, "grain": chosen.grain,
                  "period": period_label(chosen.period, chosen.grain) if chosen.period else "",
                  "region": chosen.region or "", "section": chosen.section or "", "division": chosen.division or "",
                  "size": chosen.size or "", "zjtx": chosen.zjtx or "", "mode": chosen.mode or "",
                  "data": "" if chosen.data == "all" else chosen.data}
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v}


class _Reader:
    """Reads one query string, keeping the messages about the values it drops."""

    def __init__(self, args: Mapping[str, str], translate: Translate) -> None:
        self.args = args
        self.translate = translate
        self.errors: list[str] = []
        self.refused: list[str] = []

    def refuse(self, name: str, message: str) -> None:
        """Drop a parameter's value with a message about it."""
        self.errors.append(self.translate(message))
        self.refused.append(name)

    def choice(self, name: str, allowed: Mapping[str, Any] | tuple[str, ...], message: str) -> str | None:
        """The value of a parameter if it is one of `allowed`; None (and the message) if it is not."""
        value = (self.args.get(name) or "").strip()
        if not value:
            return None
        if value not in allowed:
            self.refuse(name, message)
            return None
        return value


def read_filters(session: Session, args: Mapping[str, str], *, layouts: Mapping[str, FactLayout],
                 jurisdiction: Jurisdiction, policy: Policy, labels: Labels) -> FilterChoices:
    """The selection from the query string; unknown values are dropped with a message."""
    read = _Reader(args, labels.translate)
    offered = [m for m in models_with_facts(session) if m in layouts] \
        or ([DEFAULT_MODEL] if DEFAULT_MODEL in layouts else sorted(layouts)[:1])
    model_id = read.choice("model", tuple(offered), N_("Choose one of the listed questionnaires.")) \
        or (DEFAULT_MODEL if DEFAULT_MODEL in offered else offered[0])
    grain: Grain = "quarter" if read.choice("grain", GRAINS, N_("Choose a year or a quarter.")) == "quarter" else "year"
    available, period = _periods(session, read, model_id, grain, jurisdiction, policy)
    regions = region_choices(labels.regions, jurisdiction)
    region = read.choice("region", dict(regions), N_("Choose a region within your jurisdiction."))
    industries = labels.industries
    sections = [(i.code, f"{i.code} {i.name}") for i in industries.sections()]
    section = read.choice("section", dict(sections), N_("Choose one of the listed industries."))
    divisions = [(i.code, f"{i.code} {i.name}") for i in industries.divisions(section)] if section else []
    division = read.choice("division", dict(divisions), N_("Choose one of the listed industry divisions.")) \
        if section else None
    size = read.choice("size", SIZE_CLASSES, N_("Choose one of the listed size classes."))
    zjtx = read.choice("zjtx", ZHUANJINGTEXIN_STATUSES, N_("Choose one of the listed statuses."))
    mode = read.choice("mode", MODES, N_("Choose one of the listed assessment modes."))
    data = read.choice("data", DATA_CHOICES, N_("Choose which data to include.")) or "all"
    selection = Selection(model_id, grain, period, region, section, division, size, zjtx, mode,
                          "demo" if data == "demo" else "real" if data == "real" else "all")
    models = [(m, tr(layouts[m].model.name, labels.lang)) for m in offered]
    periods = [(p, period_label(p, grain)) for p in sorted({*available, *([] if period is None else [period])})]
    return FilterChoices(selection, layouts[model_id], periods, models, regions, sections, divisions, read.errors,
                         read.refused)


def _periods(session: Session, read: _Reader, model_id: str, grain: Grain, jurisdiction: Jurisdiction,
             policy: Policy) -> tuple[list[int], int | None]:
    """The periods with facts, and the one chosen: as asked, else the latest big enough to publish."""
    sizes = period_sizes(session, model_id, grain, jurisdiction)
    period = default_period(sizes, policy.population_floor)
    raw = (read.args.get("period") or "").strip()
    if raw:
        parsed = parse_period(raw)
        if parsed is None or parsed[1] != grain:
            read.refuse("period", N_("Write the period as a year (2025) or a quarter (2025Q3), matching the choice of "
                                     "year or quarter."))
        else:
            period = parsed[0]
    return [p for p, _n in sizes], period
