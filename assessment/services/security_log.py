"""The security event log: sign-ins, MFA, password, role and consent changes, exports and admin actions.

Entries are append-only (the database refuses UPDATE and DELETE). Never pass a token, a password, a code or a
secret as detail: the log is read by site admins.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from assessment.db.models import SecurityEvent, utcnow

SIGN_IN = "sign_in"
SIGN_OUT = "sign_out"
SIGN_OUT_EVERYWHERE = "sign_out_everywhere"
SIGN_IN_THROTTLED = "sign_in_throttled"
MFA_ENROLLED = "mfa_enrolled"
MFA_VERIFIED = "mfa_verified"
MFA_RECOVERY_USED = "mfa_recovery_used"
MFA_DISABLED = "mfa_disabled"
MFA_RECOVERY_CODES_RENEWED = "mfa_recovery_codes_renewed"
PASSWORD_CHANGED = "password_changed"
PASSWORD_RESET_REQUESTED = "password_reset_requested"
REGISTERED = "registered"
EMAIL_VERIFIED = "email_verified"
PHONE_CODE_SENT = "phone_code_sent"
PHONE_CHANGED = "phone_changed"
ROLE_CHANGED = "role_changed"
ACCOUNT_CREATED = "account_created"
ACCOUNT_ACTIVE_CHANGED = "account_active_changed"
ACCOUNT_DELETED = "account_deleted"
DATA_EXPORTED = "data_exported"
CONSENT_CHANGED = "consent_changed"
EXPORT = "export"
ADMIN_ACTION = "admin_action"
ACCESS_DENIED = "access_denied"
EVIDENCE_REMOVED = "evidence_removed"
"""A draft's evidence file removed (the audit trail holds answers only: its kinds are validation and consolidation)."""
ACCESS_TOKEN_CREATED = "access_token_created"
ACCESS_TOKEN_REVOKED = "access_token_revoked"

KINDS = (SIGN_IN, SIGN_OUT, SIGN_OUT_EVERYWHERE, SIGN_IN_THROTTLED, MFA_ENROLLED, MFA_VERIFIED, MFA_RECOVERY_USED,
         MFA_DISABLED, MFA_RECOVERY_CODES_RENEWED, PASSWORD_CHANGED, PASSWORD_RESET_REQUESTED, REGISTERED, EMAIL_VERIFIED, PHONE_CODE_SENT,
         PHONE_CHANGED, ROLE_CHANGED, ACCOUNT_CREATED, ACCOUNT_ACTIVE_CHANGED, ACCOUNT_DELETED, DATA_EXPORTED,
         CONSENT_CHANGED, EXPORT, ADMIN_ACTION, ACCESS_DENIED, EVIDENCE_REMOVED, ACCESS_TOKEN_CREATED,
         ACCESS_TOKEN_REVOKED)
OUTCOMES = ("success", "failure")
Detail = str | int | bool | None


def record(session: Session, kind: str, *, user_id: int | None = None, actor_id: int | None = None,
           address: str = "", outcome: str = "success", **detail: Detail) -> None:
    """Append one entry (in the caller's transaction, so it commits or rolls back with what it describes)."""
    if kind not in KINDS:
        raise ValueError(f"unknown security event kind {kind!r}")
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    session.add(SecurityEvent(kind=kind, outcome=outcome, user_id=user_id, actor_id=actor_id,
                              address=address[:45], detail={k: v for k, v in detail.items() if v is not None},
                              at=utcnow()))
