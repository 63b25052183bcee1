"""The database tables, typed with SQLAlchemy 2 `Mapped[...]`; behaviour lives in queries and services.

Every table module is imported here, so `Base.metadata` (which Alembic compares the migrations with) holds them all.
"""

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
    "FACT_DIMENSIONS", "FACT_INDICATORS", "FACT_SCENARIOS", "MODES", "NAMING", "ROLES", "STATUSES",
    "AccountToken", "Assessment", "AssessmentFact", "AuditEvent", "AuthorityShare", "Base", "ContentVersion",
    "Document", "Enterprise", "EvidenceFile", "EvidenceNote", "OfficialAccess", "OfficialTarget", "Organisation",
    "OutboxMessage", "ProviderClient", "ProviderSolution", "RecoveryCode", "Respondent", "SecurityEvent", "SmsCode",
    "Throttle", "UTCDateTime", "User", "utcnow",
]
