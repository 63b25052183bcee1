"""An enterprise shares its individual results with an authority (a GB/T 2260 region) and revokes the share.

The enterprises are the principal's own, as the door lists them (services/authorization.py `own_enterprises`).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from assessment.db import providers, queries
from assessment.db.providers import AssessmentLine, EnterpriseLine
from assessment.db.queries import AssessmentRecord, AuthorityShareLine
from assessment.services.authorization import Principal, owns_enterprise


def submitted_assessments(session: Session, enterprise_id: int) -> list[AssessmentLine]:
    """An enterprise's submitted assessments, oldest first."""
    return [a for a in providers.assessments_of_enterprise(session, enterprise_id) if a.status == "submitted"]


def own_assessment(session: Session, who: Principal, assessment_id: int) -> AssessmentRecord | None:
    """An assessment of one of the principal's own enterprises (asked at the door); None for anything else."""
    record = queries.get_assessment(session, assessment_id)
    if record is None or not owns_enterprise(session, who, record.enterprise_id):
        return None
    return record


def shares_of(session: Session, enterprises: Iterable[EnterpriseLine]) -> list[AuthorityShareLine]:
    """The shares of these enterprises, active ones first, newest first."""
    return queries.authority_shares_of(session, [e.id for e in enterprises])


def statistics_consents(session: Session, enterprises: Iterable[EnterpriseLine]) -> dict[int, bool]:
    """Whether each of these enterprises consents to official statistics, by id."""
    return queries.statistics_consents(session, [e.id for e in enterprises])


def share(session: Session, *, enterprise_id: int, authority: str, assessment_id: int | None,
          user_id: int) -> int | None:
    """Share one submitted assessment (or all, with None) with an authority; the new share's id, or None if the
    same share is active already."""
    return queries.add_authority_share(session, enterprise_id=enterprise_id, region_code=authority,
                                       assessment_id=assessment_id, user_id=user_id)


def revoke(session: Session, share_id: int, enterprises: Iterable[EnterpriseLine]) -> bool:
    """Revoke an active share of one of these enterprises (the record stays); False if not theirs or revoked."""
    return queries.revoke_authority_share(session, share_id, [e.id for e in enterprises])
