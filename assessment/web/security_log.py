"""The security log: site admins read it (filters, newest first, Beijing time); views append to it through
`record_event` and `exported`."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, render_template, request
from flask_babel import gettext, lazy_gettext

from assessment.services import security_log
from assessment.services.security_events import events, read_filter
from assessment.services.security_log import Detail
from assessment.web.database import db
from assessment.web.tenancy import principal, recent_login_required, require_role

bp = Blueprint("security_log", __name__, url_prefix="/admin/security")

KIND_NAMES = {
    security_log.SIGN_IN: lazy_gettext("Sign-in"),
    security_log.SIGN_OUT: lazy_gettext("Sign-out"),
    security_log.SIGN_OUT_EVERYWHERE: lazy_gettext("Signed out everywhere"),
    security_log.SIGN_IN_THROTTLED: lazy_gettext("Sign-in held back"),
    security_log.MFA_ENROLLED: lazy_gettext("Two-step verification set up"),
    security_log.MFA_VERIFIED: lazy_gettext("Second step verified"),
    security_log.MFA_RECOVERY_USED: lazy_gettext("Recovery code used"),
    security_log.MFA_DISABLED: lazy_gettext("Two-step verification switched off"),
    security_log.MFA_RECOVERY_CODES_RENEWED: lazy_gettext("New recovery codes made"),
    security_log.PASSWORD_CHANGED: lazy_gettext("Password changed"),
    security_log.PASSWORD_RESET_REQUESTED: lazy_gettext("Password reset asked for"),
    security_log.REGISTERED: lazy_gettext("Account registered"),
    security_log.EMAIL_VERIFIED: lazy_gettext("Email address confirmed"),
    security_log.PHONE_CODE_SENT: lazy_gettext("SMS code sent"),
    security_log.PHONE_CHANGED: lazy_gettext("Mobile number changed"),
    security_log.ROLE_CHANGED: lazy_gettext("Role changed"),
    security_log.ACCOUNT_CREATED: lazy_gettext("Account created"),
    security_log.ACCOUNT_ACTIVE_CHANGED: lazy_gettext("Access switched on or off"),
    security_log.ACCOUNT_DELETED: lazy_gettext("Account deleted"),
    security_log.DATA_EXPORTED: lazy_gettext("Account data downloaded"),
    security_log.CONSENT_CHANGED: lazy_gettext("Consent changed"),
    security_log.EXPORT: lazy_gettext("Export"),
    security_log.ADMIN_ACTION: lazy_gettext("Administration"),
    security_log.ACCESS_DENIED: lazy_gettext("Access refused"),
    security_log.EVIDENCE_REMOVED: lazy_gettext("Evidence file removed"),
    security_log.ACCESS_TOKEN_CREATED: lazy_gettext("API access token created"),
    security_log.ACCESS_TOKEN_REVOKED: lazy_gettext("API access token revoked"),
}
OUTCOME_NAMES = {"success": lazy_gettext("Succeeded"), "failure": lazy_gettext("Failed")}


def kind_name(kind: str) -> str:
    """An event kind as the page names it (the kind itself where it has no name yet)."""
    name = KIND_NAMES.get(kind)
    return str(name) if name is not None else kind


def _append(kind: str, user_id: int | None, outcome: str, detail: Mapping[str, Detail]) -> None:
    actor = principal().user_id
    subject = actor if user_id is None else user_id
    security_log.record(db(), kind, user_id=subject, actor_id=actor if actor != subject else None,
                        address=request.remote_addr or "", outcome=outcome, **detail)


def record_event(kind: str, *, user_id: int | None = None, outcome: str = "success", **detail: Detail) -> None:
    """Append a security event about `user_id` (default: the signed-in account), acted by the signed-in account,
    from this request's address; the caller commits it with what it describes."""
    _append(kind, user_id, outcome, detail)


def exported(kind: str, **detail: Detail) -> None:
    """Log (and commit) a download of data made by a provider, an official or an admin; an enterprise's downloads
    of its own results and a visitor's are not security events."""
    who = principal()
    if who.user_id is None or who.role == "enterprise":
        return
    _append(kind, None, "success", detail)
    db().commit()


@bp.get("/")
@recent_login_required
def index() -> tuple[str, int]:
    """The security log, newest first, with filters by event, outcome, account and dates (Beijing time)."""
    require_role("site_admin")
    wanted, problems = read_filter(request.args)
    page = events(db(), wanted)
    kinds = sorted(security_log.KINDS, key=kind_name)
    return render_template("admin/security_log.html", page=page, wanted=wanted, kinds=kinds, kind_name=kind_name,
                           outcome_names=OUTCOME_NAMES, problems={k: gettext(v) for k, v in problems.items()},
                           filtered=any((wanted.kind, wanted.outcome, wanted.account, wanted.since, wanted.until)),
                           ), 200
