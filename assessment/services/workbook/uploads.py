"""A filled-in workbook uploaded into a draft: every problem, or its answers and profile written at once
(docs/workbook.md, uploading)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy.orm import Session

from assessment.db import queries
from assessment.domain.answers import Problem
from assessment.domain.enterprise import EnterpriseProfile, Industries, Regions
from assessment.domain.questionnaire import Questionnaire
from assessment.services import assessments
from assessment.services.assessments import VersionConflict
from assessment.services.records import AssessmentRecord
from assessment.services.workbook.reading import CellProblem, WorkbookInvalid, read_workbook

WORKBOOK_PROFILE = {"name": "name", "uscc": "uscc", "region": "region_code", "industry": "industry_code",
                    "zjtx_status": "zhuanjingtexin"}
"""Workbook profile field → the profile form's field; the size class is derived from employees and revenue, which
the workbook does not hold, so it is not taken over."""


@dataclass(frozen=True)
class Uploaded:
    """The draft after an upload: how many answers it now holds, and whether the profile was taken over."""

    record: AssessmentRecord
    answers: int
    profile: bool
    profile_skipped: bool


def _profile_fields(stored: EnterpriseProfile, found: dict[str, str]) -> dict[str, Any]:
    """The stored profile as form fields, with the workbook's fields in place of its own."""
    fields: dict[str, Any] = {
        "name": stored.name, "uscc": stored.uscc, "region_code": stored.region_code,
        "industry_code": stored.industry_code, "employees": str(stored.employees),
        "revenue_10k_cny": str(stored.revenue_10k_cny), "zhuanjingtexin": stored.zhuanjingtexin,
        "contact_name": stored.contact_name or "", "contact_email": stored.contact_email or "",
        "contact_phone": stored.contact_phone or "", "consent_statistics": stored.consent_statistics}
    fields.update({WORKBOOK_PROFILE[key]: value for key, value in found.items() if key in WORKBOOK_PROFILE})
    return fields


def _profile_refused(problems: tuple[Problem, ...], sheet: str) -> WorkbookInvalid:
    return WorkbookInvalid([CellProblem(sheet, "", problem) for problem in problems])


def upload_workbook(session: Session, record: AssessmentRecord, questionnaire: Questionnaire, stream: IO[bytes],
                    expected_version: int, regions: Regions, industries: Industries, *, profile_sheet: str = "",
                    user_id: int | None = None, now: datetime | None = None) -> Uploaded:
    """Replace a draft's answers (and profile, when filled in and the draft has one) with a workbook's.

    The caller asked the door. Raises WorkbookInvalid with every problem, NotADraft, or VersionConflict when the draft
    changed since `expected_version`; nothing is written then (the caller rolls back the session's transaction).
    """
    document = read_workbook(stream, [questionnaire])
    current = assessments.get_draft(session, record.id)
    if current.version != expected_version:
        raise VersionConflict(current)
    answers, data = document["answers"], document.get("data", {})
    found = document.get("enterprise", {})
    stored = assessments.enterprise_profile(session, current.enterprise_id)
    version, took_profile = expected_version, False
    if found and stored is not None:
        saved = assessments.save_profile(session, current.id, _profile_fields(stored, found), version, regions,
                                         industries, user_id=user_id, now=now)
        if saved.problems:
            raise _profile_refused(saved.problems, profile_sheet)
        version, took_profile = saved.record.version, True
    if (answers, data) != (current.answers, current.data) and \
            queries.save_draft(session, current.id, version, answers, data, now) is None:
        raise VersionConflict(assessments.get(session, current.id))
    return Uploaded(assessments.get(session, current.id), len(answers), took_profile,
                    bool(found) and stored is None)
