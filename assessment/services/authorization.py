"""The one door: every "may this principal do this to this object" is answered here, from current database state.

The adapters (the web, later the JSON API and the command line) ask these functions and translate a refusal into
their own answer: 404 for an object that is not the principal's (its existence is not revealed), 403 for a part of
the site meant for another role, the login page for a visitor without an account. Each decision reads what is
stored now (role, active flag, organisation, client link and its consent, share, draft or submitted, mode), so a
withdrawal or a switch-off takes effect on the very next request.

A browser session may remember which drafts a visitor without an account works on, as a secret derived from the
draft's current resume token (`draft_secret`); it opens an ownerless draft only while it matches, so a new link
cuts every older session off, and it grants nothing to an account.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from assessment.db import officials, providers, queries
from assessment.db.models import ROLES
from assessment.db.officials import SharedResult
from assessment.db.providers import EnterpriseLine
from assessment.db.queries import AssessmentRecord, UserRecord
from assessment.services.assessments import new_token, token_hash

PROVIDER_ROLES = ("provider_staff", "provider_admin")
GRANTABLE_BY_PROVIDER_ADMIN = frozenset(PROVIDER_ROLES)
"""A provider admin adds staff or admins to its own organisation, nothing else."""
SECRET_SALT = b"assessment draft in this browser:"


class Refused(PermissionError):
    """The principal may not do this (a use case's own last line; adapters check first and answer 404/403/422)."""


@dataclass(frozen=True)
class Principal:
    """Who is asking: the account, its role and its organisation (all None for a visitor without an account)."""

    user_id: int | None = None
    role: str | None = None
    organisation_id: int | None = None

    @property
    def anonymous(self) -> bool:
        """Whether this is a visitor without an account."""
        return self.user_id is None

    @property
    def provider(self) -> bool:
        """Whether this is a provider's staff member or admin (with an organisation)."""
        return self.role in PROVIDER_ROLES and self.organisation_id is not None

    @property
    def provider_admin(self) -> bool:
        """Whether this is a provider's admin."""
        return self.role == "provider_admin" and self.organisation_id is not None


OPERATOR = Principal(role="site_admin")
"""Whoever runs the `assessment` command on the server (it holds the database anyway): may grant any role."""


def principal_of(session: Session, user_id: int | None) -> Principal:
    """The principal of an account as stored now: a visitor if there is no such account or it is switched off."""
    record = queries.get_user(session, user_id) if user_id is not None else None
    if record is None or not record.active:
        return Principal()
    return Principal(record.id, record.role, record.organisation_id)


# --- roles ---------------------------------------------------------------------------------------------------

def has_role(who: Principal, *roles: str) -> bool:
    """Whether the principal is an account with one of these roles (provider roles need their organisation)."""
    if who.user_id is None or who.role not in roles:
        return False
    return who.role not in PROVIDER_ROLES or who.organisation_id is not None


def grantable_roles(who: Principal) -> frozenset[str]:
    """The roles this principal may give a new account: a site admin any, a provider admin staff or admin of its
    own organisation, nobody else anything."""
    if who.role == "site_admin":
        return frozenset(ROLES)
    if who.provider_admin:
        return GRANTABLE_BY_PROVIDER_ADMIN
    return frozenset()


def may_grant(who: Principal, role: str, organisation_id: int | None) -> bool:
    """Whether the principal may give an account this role in this organisation."""
    if role not in grantable_roles(who):
        return False
    return who.role == "site_admin" or organisation_id == who.organisation_id


def may_switch_member(session: Session, who: Principal, member_id: int) -> bool:
    """Whether the principal may switch a member's access on or off: an admin of the member's own provider, never
    for itself (so a provider cannot lock its last admin out by mistake)."""
    if not has_role(who, "provider_admin") or member_id == who.user_id:
        return False
    member = queries.get_user(session, member_id)
    return member is not None and member.organisation_id == who.organisation_id and member.role in PROVIDER_ROLES


# --- personal access tokens ----------------------------------------------------------------------------------

WRITE_SCOPE = "read-write"


def may_write_with(scope: str | None) -> bool:
    """Whether a request may change anything with this token scope: a signed-in browser (None) or a read-write
    token may, a read token never (whatever the account itself may do)."""
    return scope is None or scope == WRITE_SCOPE


def may_with_token(allowed: bool, scope: str | None, *, writes: bool) -> bool:
    """The door's answer for the account (`allowed`), narrowed by the token the request carries: a token grants
    nothing the account may not do in the web, and a read token nothing that writes."""
    return allowed and (not writes or may_write_with(scope))


# --- enterprises ---------------------------------------------------------------------------------------------

def owns_enterprise(session: Session, who: Principal, enterprise_id: int | None) -> bool:
    """Whether the principal's account owns the enterprise."""
    if enterprise_id is None or who.user_id is None:
        return False
    enterprise = providers.get_enterprise(session, enterprise_id)
    return enterprise is not None and enterprise.user_id == who.user_id


def is_client(session: Session, who: Principal, enterprise_id: int | None) -> bool:
    """Whether the enterprise is an active client of the principal's provider: linked, consented, not withdrawn."""
    if enterprise_id is None or who.user_id is None or not who.provider or who.organisation_id is None:
        return False
    return providers.link_exists(session, who.organisation_id, enterprise_id)


def may_see_enterprise(session: Session, who: Principal, enterprise_id: int | None) -> bool:
    """The enterprise's owner, or staff of a provider it has an active, consented link with."""
    return owns_enterprise(session, who, enterprise_id) or is_client(session, who, enterprise_id)


def own_enterprises(session: Session, who: Principal) -> list[EnterpriseLine] | None:
    """The enterprises of an enterprise account (to share, consent or withdraw); None for any other principal."""
    if not has_role(who, "enterprise"):
        return None
    assert who.user_id is not None
    return providers.enterprises_of_user(session, who.user_id)


def may_consent(who: Principal) -> bool:
    """Whether the principal may link one of its enterprises with a provider (only enterprise accounts)."""
    return has_role(who, "enterprise")


def owns_solution(who: Principal, organisation_id: int) -> bool:
    """Whether a catalogue entry of this organisation is the principal's provider's own."""
    return who.provider and who.organisation_id == organisation_id


# --- background jobs ----------------------------------------------------------------------------------------

def owns_job(who: Principal, owner_id: int) -> bool:
    """Whether the job is the principal's own: only its owner sees, downloads, cancels or retries it."""
    return who.user_id is not None and who.user_id == owner_id


def may_bulk_report(session: Session, who: Principal, record: AssessmentRecord) -> bool:
    """Whether a provider's bulk report job may include the assessment: a submitted one of an active client."""
    return not record.draft and is_client(session, who, record.enterprise_id)


# --- drafts a browser holds ----------------------------------------------------------------------------------

def draft_secret(stored_hash: str) -> str:
    """What a browser session keeps for a draft: derived from the current resume-token hash, never the token."""
    return hashlib.sha256(SECRET_SALT + stored_hash.encode("ascii")).hexdigest()


def secret_of_token(token: str) -> str:
    """The session secret that a resume token (just made or just used) gives."""
    return draft_secret(token_hash(token))


def held_assessments(session: Session, held: Mapping[int, str]) -> list[int]:
    """The ownerless assessments whose secret the session really holds (matching their current resume link)."""
    stored = queries.ownerless_token_hashes(session, held)
    return [i for i, hashed in stored.items() if hmac.compare_digest(draft_secret(hashed), held[i])]


def claim_held(session: Session, held: Mapping[int, str], user_id: int) -> list[int]:
    """Move the ownerless assessments whose secret the session holds into the account, each with a new resume link,
    so whoever else knew the old link (or planted the session) loses them; the ids moved."""
    stored = queries.ownerless_token_hashes(session, held)
    moved = []
    for assessment_id, hashed in stored.items():
        if hmac.compare_digest(draft_secret(hashed), held[assessment_id]):
            _token, fresh = new_token()
            if queries.claim(session, assessment_id, hashed, fresh, user_id):
                moved.append(assessment_id)
    return moved


# --- assessments ---------------------------------------------------------------------------------------------

def may_open_assessment(session: Session, who: Principal, record: AssessmentRecord, secret: str | None = None) -> bool:
    """An account: the assessment's own, its enterprise's owner, or a provider the enterprise consented to.
    A visitor without an account: an ownerless assessment whose secret the session holds."""
    if who.user_id is None:
        return record.user_id is None and secret is not None and record.id in held_assessments(
            session, {record.id: secret})
    return record.user_id == who.user_id or may_see_enterprise(session, who, record.enterprise_id)


def owns_assessment(session: Session, who: Principal, record: AssessmentRecord, secret: str | None = None) -> bool:
    """The enterprise side of an assessment (its resume link, a re-assessment): the owning account or the
    enterprise's owner, or the visitor holding an ownerless draft. Providers work through their own access."""
    if who.user_id is None:
        return may_open_assessment(session, who, record, secret)
    return record.user_id == who.user_id or owns_enterprise(session, who, record.enterprise_id)


def may_use_workspace(session: Session, who: Principal, record: AssessmentRecord) -> bool:
    """The workspace, evidence, respondents and audit trail: an account that may open the assessment."""
    return who.user_id is not None and may_open_assessment(session, who, record)


def conducts(session: Session, who: Principal, record: AssessmentRecord) -> bool:
    """Whether the principal is staff of the provider conducting the assessment, with the client's consent."""
    if not who.provider or not may_open_assessment(session, who, record):
        return False
    conduct = providers.conduct(session, record.id)
    return conduct is not None and conduct.organisation_id == who.organisation_id


def may_validate(session: Session, who: Principal, record: AssessmentRecord) -> bool:
    """Validated answers and the on-site submission: the conducting provider of an on-site assessment."""
    return record.mode == "onsite" and conducts(session, who, record)


def may_edit_answers(who: Principal, record: AssessmentRecord) -> bool:
    """On site, the self-reported answers are the enterprise's: the assessor validates them instead of editing."""
    owner = who.user_id is not None and record.user_id == who.user_id
    return owner or record.mode != "onsite" or not who.provider


# --- respondents ---------------------------------------------------------------------------------------------

def may_answer_as(session: Session, respondent_id: int, secret: str | None) -> bool:
    """A respondent's pages: the browser that opened the respondent's link, while the link is open."""
    if secret is None:
        return False
    person = providers.get_respondent(session, respondent_id)
    stored = providers.respondent_token_hash(session, respondent_id)
    if person is None or person.revoked_at is not None or stored is None:
        return False
    return hmac.compare_digest(draft_secret(stored), secret)


# --- officials -----------------------------------------------------------------------------------------------

def official_of(session: Session, who: Principal) -> UserRecord | None:
    """The official's account as stored now, if the principal is an active official with a region."""
    if not has_role(who, "official"):
        return None
    record = queries.get_user(session, who.user_id or 0)
    if record is None or record.role != "official" or not record.active or not record.region_code:
        return None
    return record


def shared_result(session: Session, who: Principal, authority: str, assessment_id: int) -> SharedResult | None:
    """One result an enterprise shares (not revoked) with the official's authority; None for anything else."""
    if official_of(session, who) is None:
        return None
    return officials.shared_result(session, authority, assessment_id)
