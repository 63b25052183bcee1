"""The records and errors the services hand to their callers (web views, CLI commands), named where they are read.

They are plain values read from the database; the adapters get them from here so that they never import `db`.
"""

from __future__ import annotations

from assessment.db.providers import AuditEntry, EnterpriseLine, EvidenceFileRecord, OrganisationRecord, RespondentRecord, SolutionRow
from assessment.db.queries import AssessmentRecord, EmailTaken, UserRecord

__all__ = [
    "AssessmentRecord", "AuditEntry", "EmailTaken", "EnterpriseLine", "EvidenceFileRecord", "OrganisationRecord",
    "RespondentRecord", "SolutionRow", "UserRecord",
]
