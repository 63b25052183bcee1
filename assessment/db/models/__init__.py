"""The database tables, typed with SQLAlchemy 2 `Mapped[...]`; behaviour lives in queries and services.

Every table module is imported here, so `Base.metadata` (which Alembic compares the migrations with) holds them all.
"""

from assessment.db.models.access_tokens import TOKEN_SCOPES, AccessToken
from assessment.db.models.accounts import (
    AccountToken,
    OutboxMessage,
    RecoveryCode,
    SecurityEvent,
    SmsCode,
    Throttle,
    User,
)
from assessment.db.models.assessments import Assessment, AuthorityShare, ContentVersion, Enterprise
from assessment.db.models.base import MODES, NAMING, ROLES, STATUSES, Base, Document, UTCDateTime, utcnow
from assessment.db.models.bulk_imports import BulkImportRow
from assessment.db.models.idempotent_requests import IdempotentRequest
from assessment.db.models.jobs import JOB_STATUSES, Job
from assessment.db.models.officials import (
    FACT_DIMENSIONS,
    FACT_INDICATORS,
    FACT_SCENARIOS,
    AssessmentFact,
    OfficialAccess,
    OfficialTarget,
)
from assessment.db.models.providers import (
    AuditEvent,
    EvidenceFile,
    EvidenceNote,
    Organisation,
    ProviderClient,
    ProviderSolution,
    Respondent,
)

__all__ = [
    "FACT_DIMENSIONS", "FACT_INDICATORS", "FACT_SCENARIOS", "JOB_STATUSES", "MODES", "NAMING", "ROLES", "STATUSES", "TOKEN_SCOPES",
    "AccessToken",
    "AccountToken", "Assessment", "AssessmentFact", "AuditEvent", "AuthorityShare", "Base", "BulkImportRow", "ContentVersion",
    "Document", "Enterprise", "EvidenceFile", "EvidenceNote", "IdempotentRequest", "Job",
    "OfficialAccess", "OfficialTarget", "Organisation",
    "OutboxMessage", "ProviderClient", "ProviderSolution", "RecoveryCode", "Respondent", "SecurityEvent", "SmsCode",
    "Throttle", "UTCDateTime", "User", "utcnow",
]
