"""A stored draft as a pre-filled workbook: its answers and its enterprise's profile (the web download)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from assessment.domain.enterprise import EnterpriseProfile
from assessment.domain.questionnaire import Questionnaire
from assessment.services import assessments
from assessment.services.records import AssessmentRecord
from assessment.services.workbook.export import export_workbook


def profile_fields(profile: EnterpriseProfile | None) -> dict[str, str]:
    """The workbook's profile fields from a stored enterprise profile."""
    if profile is None:
        return {}
    found = {"name": profile.name, "uscc": profile.uscc, "region": profile.region_code,
             "industry": profile.industry_code, "size_class": profile.size, "zjtx_status": profile.zhuanjingtexin}
    return {key: value for key, value in found.items() if value}


def draft_workbook(session: Session, record: AssessmentRecord, questionnaire: Questionnaire, lang: str) -> bytes:
    """The draft's questionnaire as a workbook pre-filled with its answers and profile (the caller asked the door)."""
    answers = assessments.draft_answers(questionnaire, record)
    profile = assessments.enterprise_profile(session, record.enterprise_id)
    return export_workbook(questionnaire, lang, answers, profile_fields(profile))
