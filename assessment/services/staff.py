"""A provider's staff: its members, switching a member's access off or on, giving a member another role.

Whether the principal may do so is asked at the door (services/authorization.py: `may_switch_member`, `may_grant`)
before these are called.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from assessment.db import providers
from assessment.db.queries import UserRecord
from assessment.services import security_log
from assessment.services.authorization import Principal
from assessment.services.sessions import end_all_sessions


def members(session: Session, organisation_id: int) -> list[UserRecord]:
    """The accounts of a provider, by email."""
    return providers.members(session, organisation_id)


def _member_changed(session: Session, who: Principal, user_id: int, kind: str, address: str,
                    **detail: str | bool) -> None:
    """A member's access or role changed: their sessions end, so the change holds from their next request; logged."""
    end_all_sessions(session, user_id)
    security_log.record(session, kind, user_id=user_id, actor_id=who.user_id, address=address, outcome="success",
                        **detail)


def switch_access(session: Session, who: Principal, user_id: int, active: bool, address: str = "") -> bool:
    """Switch a member of the principal's provider on or off; False if the account is not its member."""
    if not providers.set_member_active(session, user_id, who.organisation_id or 0, active):
        return False
    _member_changed(session, who, user_id, security_log.ACCOUNT_ACTIVE_CHANGED, address, active=active)
    return True


def change_role(session: Session, who: Principal, user_id: int, role: str, address: str = "") -> bool:
    """Give a member of the principal's provider another role; False if the account is not its member."""
    if not providers.set_member_role(session, user_id, who.organisation_id or 0, role):
        return False
    _member_changed(session, who, user_id, security_log.ROLE_CHANGED, address, role=role)
    return True
