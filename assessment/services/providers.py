"""Tenancy use cases: invitations and consent, the provider dashboard, guided assessments (who may see what is
services/authorization.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from assessment.db import providers, queries
from assessment.db.models import utcnow
from assessment.db.providers import AssessmentLine, ClientLink, ClientRow, EnterpriseLine, OrganisationRecord
from assessment.domain.answers import N_
from assessment.domain.catalogue import region_prefix
from assessment.domain.enterprise import Industries
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire
from assessment.services.assessments import Started, carry_over, new_token, token_hash
from assessment.services.authorization import Principal as Principal  # where the decisions about it are made
from assessment.services.authorization import is_client
from assessment.services.bulk_import.acceptance import draft_for_accepted

INVITATION_LIFETIME = timedelta(days=30)
GUIDED_MODES = ("guided", "onsite")


class InvitationInvalid(ValueError):
    """The invitation link is unknown, used, withdrawn or expired; the message is an English msgid."""


# --- the provider and its clients ----------------------------------------------------------------------------

def organisation_of(session: Session, who: Principal) -> OrganisationRecord | None:
    """The provider organisation the principal works for, if any."""
    return providers.get_organisation(session, who.organisation_id or 0)


def client_of(session: Session, who: Principal, enterprise_id: int) -> EnterpriseLine | None:
    """The enterprise if it is an active client of the principal's provider (asked at the door); None otherwise."""
    enterprise = providers.get_enterprise(session, enterprise_id)
    if enterprise is None or not is_client(session, who, enterprise_id):
        return None
    return enterprise


def client_history(session: Session, enterprise_id: int) -> list[AssessmentLine]:
    """A client's assessments, oldest first (T0, T1, …)."""
    return providers.assessments_of_enterprise(session, enterprise_id)


# --- invitations and consent ---------------------------------------------------------------------------------

def invite(session: Session, who: Principal, note: str, now: datetime | None = None) -> str:
    """A new invitation link token for an enterprise to become the provider's client (valid 30 days)."""
    if not who.provider or who.organisation_id is None or who.user_id is None:
        raise PermissionError("only provider staff invite clients")
    moment = now or utcnow()
    token, hashed = new_token()
    providers.add_invitation(session, who.organisation_id, hashed, note.strip()[:200], who.user_id,
                             moment + INVITATION_LIFETIME, moment)
    return token


def invitations(session: Session, organisation_id: int) -> list[ClientLink]:
    """The provider's invitations and client links, newest first."""
    return providers.invitations_of(session, organisation_id)


def open_invitation(session: Session, token: str, now: datetime | None = None) -> ClientLink:
    """The pending invitation of a link token; raises InvitationInvalid otherwise."""
    if not token or len(token) > 128:
        raise InvitationInvalid(N_("This invitation link does not work. Ask the provider for a new one."))
    link = providers.invitation_by_token_hash(session, token_hash(token))
    if link is None or link.revoked_at is not None:
        raise InvitationInvalid(N_("This invitation link does not work. Ask the provider for a new one."))
    if link.expires_at <= (now or utcnow()):
        raise InvitationInvalid(N_("This invitation has expired. Ask the provider for a new one."))
    return link


def accept(session: Session, token: str, enterprise_id: int, user_id: int, now: datetime | None = None) -> ClientLink:
    """The enterprise's owner consents: the provider may see the enterprise and assess it with it."""
    link = open_invitation(session, token, now)
    enterprise = providers.get_enterprise(session, enterprise_id)
    if enterprise is None or enterprise.user_id != user_id:
        raise InvitationInvalid(N_("Choose one of your enterprises."))
    if providers.link_exists(session, link.organisation_id, enterprise_id):
        raise InvitationInvalid(N_("This enterprise is already a client of this provider."))
    if not providers.accept_invitation(session, link.id, enterprise_id, user_id, now):
        raise InvitationInvalid(N_("This invitation link does not work. Ask the provider for a new one."))
    draft_for_accepted(session, link.id, link.organisation_id, enterprise_id, now)  # a bulk import's answers
    return link


def revoke(session: Session, link_id: int, user_id: int, now: datetime | None = None) -> bool:
    """The enterprise's owner withdraws consent (or declines a link); False if it is not theirs or already ended."""
    owned = [e.id for e in providers.enterprises_of_user(session, user_id)]
    return providers.revoke_link(session, link_id, user_id=user_id, enterprise_ids=owned, now=now)


def withdraw(session: Session, who: Principal, link_id: int, now: datetime | None = None) -> bool:
    """The provider withdraws an invitation that was not accepted; False if it is not theirs or not pending."""
    if not who.provider or who.user_id is None:
        return False
    return providers.revoke_link(session, link_id, user_id=who.user_id, organisation_id=who.organisation_id, now=now)


def consents(session: Session, user_id: int) -> list[ClientLink]:
    """Every provider link of the enterprises an account owns."""
    owned = [e.id for e in providers.enterprises_of_user(session, user_id)]
    return providers.links_of_enterprises(session, owned) if owned else []


# --- the dashboard -------------------------------------------------------------------------------------------

NEXT_STEPS = {
    "start": N_("Start a guided assessment"),
    "continue": N_("Continue the draft"),
    "onsite": N_("Plan the on-site assessment"),
    "reassess": N_("Re-assess after the next retrofit step"),
}


@dataclass(frozen=True)
class ClientFilter:
    """Dashboard filters; empty strings mean any."""

    level: str = ""
    """A level number, or 'none' for clients without a submitted assessment."""
    status: str = ""
    """'none', 'draft' or 'submitted' (of the latest assessment)."""
    region: str = ""
    """A GB/T 2260 code: the client is in it or below it."""
    industry: str = ""
    """A GB/T 4754 section letter or division code."""


@dataclass(frozen=True)
class ClientView:
    """A dashboard line: the client, its latest level and status, and the next step."""

    row: ClientRow
    next_step: str

    @property
    def enterprise(self) -> EnterpriseLine:
        """The client enterprise."""
        return self.row.enterprise


def next_step(row: ClientRow) -> str:
    """The next step for a client: start, continue the draft, on-site assessment, or re-assess."""
    if row.status is None:
        return "start"
    if row.status == "draft":
        return "continue"
    return "reassess" if row.mode == "onsite" else "onsite"


def _matches(row: ClientRow, wanted: ClientFilter, industries: Industries) -> bool:
    if wanted.level:
        if wanted.level == "none" and row.level is not None:
            return False
        if wanted.level != "none" and str(row.level) != wanted.level:
            return False
    if wanted.status and (row.status or "none") != wanted.status:
        return False
    if wanted.region and not row.enterprise.region_code.startswith(region_prefix(wanted.region)):
        return False
    if wanted.industry:
        code = row.enterprise.industry_code
        if wanted.industry.isalpha():
            if (industries.section_of(code) or code[:1]) != wanted.industry.upper():
                return False
        elif not code.lstrip("ABCDEFGHIJKLMNOPQRST").startswith(wanted.industry.lstrip("ABCDEFGHIJKLMNOPQRST")):
            return False
    return True


def dashboard(session: Session, organisation_id: int, wanted: ClientFilter, industries: Industries) -> list[ClientView]:
    """The provider's clients matching the filters, with their next step."""
    return [ClientView(row, next_step(row)) for row in providers.clients(session, organisation_id)
            if _matches(row, wanted, industries)]


# --- guided and on-site assessments --------------------------------------------------------------------------

def start_for_client(session: Session, who: Principal, enterprise_id: int, questionnaire: Questionnaire,
                     model: ScoringModel, mode: str, *, reuse_previous: bool = True,
                     now: datetime | None = None) -> Started:
    """A new draft for a client in guided or on-site mode, led by this staff member.

    When the client has a submitted assessment of the same questionnaire, the new one follows it (T1 after T0)
    and, if asked, starts from its answers.
    """
    if mode not in GUIDED_MODES:
        raise ValueError(f"mode must be guided or onsite, not {mode!r}")
    if who.organisation_id is None or who.user_id is None or not is_client(session, who, enterprise_id):
        raise PermissionError("not a client of this provider")
    enterprise = providers.get_enterprise(session, enterprise_id)
    assert enterprise is not None
    previous = next((a for a in reversed(providers.assessments_of_enterprise(session, enterprise_id))
                     if a.status == "submitted" and a.questionnaire_ref.partition("@")[0] == questionnaire.id), None)
    answers: dict[str, object] = {}
    data: dict[str, object] = {}
    if previous is not None and reuse_previous:
        source = queries.get_assessment(session, previous.id)
        assert source is not None
        answers, data = carry_over(questionnaire, source.answers, source.data)
    _token, hashed = new_token()
    record = queries.create_assessment(
        session, questionnaire_ref=questionnaire.ref, model_ref=model.ref, token_hash=hashed,
        user_id=enterprise.user_id, enterprise_id=enterprise_id,
        previous_assessment_id=previous.id if previous is not None else None, mode=mode, answers=answers,
        data=data, now=now)
    providers.set_conduct(session, record.id, who.organisation_id, who.user_id)
    return Started(record, _token)
