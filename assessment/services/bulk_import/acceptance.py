"""When an enterprise accepts an invitation a bulk import made, the row's answers become a guided draft for it
(only when its USCC is the row's: another enterprise accepting the link gets no one else's answers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from assessment.db import bulk_imports, providers, queries
from assessment.services.assessments import new_token


def draft_for_accepted(session: Session, link_id: int, organisation_id: int, enterprise_id: int,
                       now: datetime | None = None) -> int | None:
    """The guided draft made from the invited row's answers, if there is one for this enterprise; its id."""
    waiting = bulk_imports.pending_of_link(session, link_id)
    enterprise = providers.get_enterprise(session, enterprise_id)
    if waiting is None or enterprise is None or enterprise.uscc != waiting.uscc:
        return None
    kept = waiting.pending
    _token, hashed = new_token()
    record = queries.create_assessment(
        session, questionnaire_ref=str(kept["questionnaire_ref"]), model_ref=str(kept["model_ref"]),
        token_hash=hashed, user_id=enterprise.user_id, enterprise_id=enterprise_id, mode="guided",
        answers=kept.get("answers", {}), data=kept.get("data", {}), now=now)
    providers.set_conduct(session, record.id, organisation_id, int(kept["staff_id"]))
    bulk_imports.drafted(session, waiting.id, record.id)
    return record.id
