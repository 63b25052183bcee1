"""The official's journey: who the official is and for which region, the dashboard and downloads as they view them
(each view logged), the official's target, and the results enterprises share with the official's authority."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from sqlalchemy.orm import Session

from assessment.db import officials as official_records
from assessment.db import queries
from assessment.db.officials import SharedResult, Target
from assessment.db.queries import AssessmentRecord
from assessment.domain.answers import N_
from assessment.domain.disclosure import Policy
from assessment.domain.enterprise import Regions
from assessment.domain.numbers import NumberRefused, NumberRule, read_number, read_whole
from assessment.services import authorization
from assessment.services.aggregates.cells import Labels, Translate
from assessment.services.aggregates.dashboard import Dashboard, dashboard
from assessment.services.aggregates.exports import CellExport, CellRequest, cell_export
from assessment.services.aggregates.facts import FactLayout
from assessment.services.aggregates.filters import FilterChoices, Selection
from assessment.services.aggregates.jurisdiction import NATIONAL_CODE, Jurisdiction, jurisdiction_of
from assessment.services.aggregates.periods import TREND_PERIODS, period_label, periods_back
from assessment.services.aggregates.policy import DEFAULT_MODEL
from assessment.services.authorization import Principal

TARGET_PERCENT = NumberRule(Fraction(0), Fraction(100))
"""A target share, typed as a percentage (stored to four decimals of the share)."""


@dataclass(frozen=True)
class Official:
    """The logged-in official and the jurisdiction the account is scoped to."""

    user_id: int
    email: str
    jurisdiction: Jurisdiction

    @property
    def authority(self) -> str:
        """The account's region code: the jurisdiction's, or NATIONAL_CODE for the whole country."""
        return self.jurisdiction.code or NATIONAL_CODE


def official_of(session: Session, who: Principal, regions: Regions) -> Official | None:
    """The principal as an official with a known jurisdiction; None for anyone else."""
    record = authorization.official_of(session, who)
    jurisdiction = jurisdiction_of(regions, record.region_code) if record else None
    if record is None or jurisdiction is None:
        return None
    return Official(record.id, record.contact, jurisdiction)


def log_access(session: Session, official: Official, kind: Literal["dashboard", "export", "result"], *,
               detail: Mapping[str, Any] | None = None, result: SharedResult | None = None) -> None:
    """Record what an official looked at (docs/disclosure.md §9: differencing attacks leave a trace)."""
    official_records.log_access(session, user_id=official.user_id, region_code=official.authority, kind=kind,
                                assessment_id=result.assessment_id if result else None,
                                enterprise_id=result.enterprise_id if result else None, detail=detail)


def view_dashboard(session: Session, official: Official, choices: FilterChoices, *, policy: Policy,
                   labels: Labels, reads: Session | None = None) -> Dashboard:
    """The official's protected dashboard for the chosen filters, with the official's target; the view is logged.
    The aggregates come from `reads` when given (the read replica); the target and the log stay on `session`."""
    board = dashboard(reads or session, regions=labels.regions, industries=labels.industries, layout=choices.layout,
                      jurisdiction=official.jurisdiction, selection=choices.selection, policy=policy,
                      target=target_of(session, official), labels=labels, shared_with=official.jurisdiction.code)
    log_access(session, official, "dashboard", detail=choices.query())
    return board


def export_fields(asked: Sequence[str], official: Official, selection: Selection, regions: Regions) -> tuple[str, ...]:
    """The fields a download breaks down by: as asked, else region and level (section and level for a county)."""
    if asked:
        return tuple(asked)
    region = selection.region or official.jurisdiction.code
    found = regions.get(region) if region else None
    return ("region", "level") if found is None or found.level != "county" else ("section", "level")


def export_cells(session: Session, official: Official, choices: FilterChoices, by: tuple[str, ...], *,
                 policy: Policy, labels: Labels, zeros: bool, max_groups: int, kind: str,
                 reads: Session | None = None) -> CellExport:
    """The protected cells of a download with the dashboard's filters (with `period` among the fields: over the
    trend's periods), read from `reads` when given (the read replica); the download is logged on `session`.
    Raises AggregateError."""
    selection = choices.selection
    assert selection.period is not None
    periods = periods_back(selection.period, selection.grain, TREND_PERIODS) if "period" in by \
        else (selection.period,)
    request = CellRequest(by, selection.model_id, selection.grain, periods[0], periods[-1], official.jurisdiction,
                          selection.filters(labels.regions), selection.demo, official.jurisdiction.code, zeros)
    cells = cell_export(reads or session, regions=labels.regions, industries=labels.industries, layout=choices.layout,
                        request=request, policy=policy, labels=labels, max_groups=max_groups)
    log_access(session, official, "export", detail={**choices.query(), "by": ",".join(by), "format": kind})
    return cells


def export_name(official: Official, selection: Selection, by: Sequence[str], kind: str) -> str:
    """The file name of a download: authority, period and fields."""
    period = period_label(selection.period, selection.grain) if selection.period else ""
    return f"aggregates-{official.authority}-{period}-{'-'.join(by)}.{kind}"


# --- the target ----------------------------------------------------------------------------------------------

def target_of(session: Session, official: Official) -> Target | None:
    """The official's target, if set."""
    return official_records.target_of(session, official.user_id)


def set_target(session: Session, official: Official, target: Target | None) -> None:
    """Store (or, with None, remove) the official's target."""
    official_records.set_target(session, official.user_id, target)


def read_target(typed: Mapping[str, str], translate: Translate) -> tuple[Target | None, dict[str, list[str]]]:
    """A target from the form's level, share (a percentage) and optional year; or the messages, by field."""
    errors: dict[str, list[str]] = {}
    percent = Fraction(0)
    try:
        percent = read_number(typed["share"].removesuffix("%").removesuffix("％"), TARGET_PERCENT)
    except NumberRefused:
        errors["share"] = [translate(N_("Enter the target as a percentage between 0 and 100, for example 30."))]
    level = read_whole(typed["level"], 1, 4)
    if level is None:
        errors["level"] = [translate(N_("Choose one of the listed levels."))]
    year = read_whole(typed["year"], 2000, 2100) if typed["year"] else None
    if typed["year"] and year is None:
        errors["year"] = [translate(N_("Enter the target year as four digits, for example 2027."))]
    if errors or level is None:
        return None, errors
    share = Decimal(percent.numerator) / Decimal(percent.denominator) / 100  # at most 32 digits: exact enough
    return Target(level, share.quantize(Decimal("0.0001")), year), {}


def target_levels(layouts: Mapping[str, FactLayout], lang: str) -> list[tuple[int, str]]:
    """The levels a target may name, with their names in the default model."""
    layout = layouts.get(DEFAULT_MODEL)
    return [(level, layout.level_name(level, lang) if layout is not None else str(level)) for level in range(1, 5)]


# --- results shared with the authority -----------------------------------------------------------------------

@dataclass(frozen=True)
class SharedAssessment:
    """A result an enterprise shares with the official's authority: the share and the stored assessment."""

    share: SharedResult
    record: AssessmentRecord


def shared_results(session: Session, official: Official) -> list[SharedResult]:
    """The results enterprises share with the official's authority, newest first."""
    return official_records.shared_results(session, official.authority)


def shared_assessment(session: Session, who: Principal, official: Official, assessment_id: int) -> SharedAssessment | None:
    """One result an enterprise shares (not revoked) with the official's authority; None for anything else."""
    found = authorization.shared_result(session, who, official.authority, assessment_id)
    record = queries.get_assessment(session, assessment_id) if found is not None else None
    return None if found is None or record is None else SharedAssessment(found, record)
