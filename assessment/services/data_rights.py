"""An enterprise account's data rights (PIPL): download everything stored about it, and delete the account.

What deletion erases, what stays as anonymous statistics and why, is the rule of docs/data-rights.md.
"""

from __future__ import annotations

import json
import secrets
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from assessment.db import accounts, queries
from assessment.db.models import utcnow
from assessment.db.queries import AssessmentRecord
from assessment.services import security_log, sms, throttle, tokens
from assessment.services.authorization import Principal
from assessment.services.evidence import safe_filename
from assessment.services.storage import MissingObject, Storage, storage_of

EXPORT_FORMAT = "assessment-account-export/1"
EVERY = 1_000_000  # rows of a list the export asks for: all of them
PSEUDONYM_PREFIX = "已删除账户 #"
"""How a deleted account is named in the audit trail and on its providers' lists (migration 0006 checks it)."""
ERASABLE_ROLES = ("enterprise",)
"""Accounts that may delete themselves; staff, officials and admins are switched off by their admins instead."""

Report = Callable[[AssessmentRecord], bytes | None]
"""The PDF report of a submitted assessment (None if it cannot be rendered)."""


class ErasureRefused(ValueError):
    """This account cannot download or delete its data here (not an enterprise account, or gone already)."""


@dataclass(frozen=True)
class Export:
    """What an export archive holds."""

    assessments: int
    reports: int
    evidence_files: int


@dataclass(frozen=True)
class Erasure:
    """What deleting an account did."""

    user_id: int
    pseudonym: str
    deleted_assessments: int
    kept_as_statistics: int
    """Submitted results kept as anonymous facts (their enterprise consented to statistical use)."""
    audit_entries: int
    """Audit-trail entries now naming the account by its pseudonym."""
    providers: tuple[int, ...]
    """Provider organisations whose link with one of the account's enterprises ended."""
    evidence: tuple[str, ...]
    """Storage keys of the evidence files to remove once the erasure is committed."""
    storage: Storage
    """Where they are kept."""


def may_erase(role: str) -> bool:
    """Whether an account of this role may export its data and delete itself here."""
    return role in ERASABLE_ROLES


# --- export --------------------------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """A column value as JSON-ready data."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _record(row: Mapping[str, Any], *drop: str) -> dict[str, Any]:
    return {k: _plain(v) for k, v in row.items() if k not in drop}


def export_archive(session: Session, user_id: int, target: IO[bytes], *, evidence_dir: Storage | Path, report: Report,
                   now: datetime | None = None) -> Export:
    """Write a ZIP of everything stored about the account: data.json, the PDF reports of its submitted assessments
    and its evidence files. Raises ErasureRefused for accounts other than an enterprise's."""
    found = accounts.account_data(session, user_id)
    if found is None or not may_erase(str(found.account["role"])):
        raise ErasureRefused(user_id)
    moment = now or utcnow()
    by_assessment: dict[int, dict[str, list[dict[str, Any]]]] = {
        a["id"]: {"respondents": [], "evidence_notes": [], "evidence_files": [], "audit_trail": []}
        for a in found.assessments}
    for key, rows, drop in (("respondents", found.respondents, ("assessment_id",)),
                            ("evidence_notes", found.notes, ("assessment_id",)),
                            ("audit_trail", found.audit, ("assessment_id",))):
        for row in rows:
            by_assessment[row["assessment_id"]][key].append(_record(row, *drop))
    reports = files = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for row in found.files:
            entry = _record(row, "assessment_id", "storage_key")
            entry["file"] = None
            if _copy(storage_of(evidence_dir), row["storage_key"], archive,
                     f"evidence/assessment-{row['assessment_id']}/{row['id']}-{safe_filename(row['filename'])}"):
                entry["file"] = archive.infolist()[-1].filename
                files += 1
            by_assessment[row["assessment_id"]]["evidence_files"].append(entry)
        assessments = []
        for row in found.assessments:
            entry = {**_record(row), **by_assessment[row["id"]], "report": None}
            if row["status"] == "submitted":
                record = queries.get_assessment(session, row["id"])
                content = report(record) if record is not None else None
                if content is not None:
                    entry["report"] = f"reports/assessment-{row['id']}.pdf"
                    archive.writestr(entry["report"], content)
                    reports += 1
            assessments.append(entry)
        enterprises = [{**_record(e), "provider_links": [_record(link, "enterprise_id") for link in found.links
                                                          if link["enterprise_id"] == e["id"]],
                        "authority_shares": [_record(s, "enterprise_id") for s in found.shares
                                             if s["enterprise_id"] == e["id"]]}
                       for e in found.enterprises]
        document = {
            "format": EXPORT_FORMAT,
            "exported_at": moment.isoformat(),
            "account": _record(found.account),
            "enterprises": enterprises,
            "assessments": assessments,
            "security_events": [_record(e) for e in found.security_events],
            "access_tokens": [_record(asdict(t)) for t in tokens.tokens_of(session, Principal(user_id), EVERY)],
        }
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2))
    return Export(len(assessments), reports, files)


# --- erasure -------------------------------------------------------------------------------------------------

def new_pseudonym() -> str:
    """A pseudonym for a deleted account: random, so nothing leads back to the account."""
    return f"{PSEUDONYM_PREFIX}{secrets.token_hex(4)}"


def anonymous_scorecard(scorecard: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Of a frozen result, only what its anonymous fact is built from (facts rebuild reads it): level, scores,
    scenario ratings and the profile's codes; no name, no USCC, no explanation."""
    if not scorecard or not isinstance(scorecard.get("zh"), Mapping):
        return None
    card = scorecard["zh"]
    profile = scorecard.get("profile") or {}
    return {
        "zh": {"level": card.get("level"), "score": card.get("score"),
               "dimensions": [{"id": d.get("id"), "score": d.get("score")} for d in card.get("dimensions", [])],
               "indicators": [{"id": i.get("id"), "score": i.get("score")} for i in card.get("indicators", [])],
               "ratings": dict(card.get("ratings") or {})},
        "profile": {k: profile.get(k) for k in ("region_code", "industry_code", "size_class", "zhuanjingtexin")},
    }


def erase_account(session: Session, user_id: int, *, evidence_dir: Storage | Path, address: str = "",
                  now: datetime | None = None) -> Erasure:
    """Delete an enterprise account and erase its personal data, in the caller's transaction (docs/data-rights.md).

    Drafts go with their answers, evidence and respondents; submitted results stay only as anonymous facts where the
    enterprise consented to statistical use; rows the audit trail refers to stay emptied; provider links end;
    the audit trail names the account by a pseudonym. Raises ErasureRefused for any other account.
    """
    user = queries.get_user(session, user_id)
    if user is None or not may_erase(user.role):
        raise ErasureRefused(user_id)
    moment = now or utcnow()
    enterprise_ids = accounts.enterprise_ids_of(session, user_id)
    states = accounts.assessment_states(session, user_id, enterprise_ids)
    evidence = tuple(accounts.storage_keys(session, [s.id for s in states]))
    statistics = [s for s in states if s.submitted and s.consent]
    kept = [s for s in states if (s.submitted and s.consent) or s.audited]
    accounts.delete_assessment_details(session, [s.id for s in kept])
    accounts.delete_facts(session, [s.id for s in kept if not (s.submitted and s.consent)])
    for state in kept:
        card = anonymous_scorecard(accounts.scorecard_of(session, state.id)) if state in statistics else None
        accounts.reduce_assessment(session, state.id, card)
    deleted = accounts.delete_assessments(session, [s.id for s in states if s not in kept])
    providers = accounts.end_links(session, enterprise_ids, moment)
    accounts.delete_shares(session, enterprise_ids)
    pseudonym = new_pseudonym()
    audit = accounts.pseudonymise_audit(session, user_id, pseudonym)
    accounts.erase_enterprises(session, enterprise_ids, pseudonym, moment)
    keys = [f"mfa:{user_id}", *([throttle.email_key(user.email)] if user.email else []),  # services/mfa.py's key
            *([sms.throttle_key(user.phone)] if user.phone else [])]
    tokens.forget_account(session, user_id)  # its API tokens go with it, whether or not the foreign key cascades
    accounts.delete_user(session, user_id, keys)
    security_log.record(session, security_log.ACCOUNT_DELETED, user_id=user_id, address=address)
    return Erasure(user_id, pseudonym, deleted, len(statistics), audit, tuple(providers), evidence,
                   storage_of(evidence_dir))


def remove_evidence(erasure: Erasure) -> int:
    """Remove the erased evidence files' bytes (after the commit, so a rollback loses nothing); how many."""
    removed = 0
    for key in erasure.evidence:
        if erasure.storage.exists(key):
            erasure.storage.delete(key)
            removed += 1
    return removed


def _copy(storage: Storage, key: str, archive: zipfile.ZipFile, name: str) -> bool:
    """Stream an evidence file's bytes into the archive under name; False if the storage has none."""
    try:
        source = storage.open(key)
    except MissingObject:
        return False
    try:
        with archive.open(name, "w") as out:
            while chunk := source.read(64 * 1024):
                out.write(chunk)
    finally:
        source.close()
    return True


@dataclass(frozen=True)
class Preview:
    """What deleting the account would do, for the page that asks for confirmation."""

    contact: str
    enterprises: tuple[str, ...]
    drafts: int
    submitted: int
    kept_as_statistics: int
    providers: tuple[str, ...]
    """Providers currently linked with one of the account's enterprises (they will see the link withdrawn)."""


def preview(session: Session, user_id: int) -> Preview | None:
    """What deleting this account would erase and keep; None if it may not delete itself here."""
    user = queries.get_user(session, user_id)
    if user is None or not may_erase(user.role):
        return None
    found = accounts.account_data(session, user_id)
    assert found is not None
    enterprise_ids = [e["id"] for e in found.enterprises]
    states = accounts.assessment_states(session, user_id, enterprise_ids)
    linked = sorted({link["provider"] for link in found.links
                     if link["accepted_at"] is not None and link["revoked_at"] is None})
    return Preview(user.contact, tuple(e["name"] for e in found.enterprises), sum(not s.submitted for s in states),
                   sum(s.submitted for s in states), sum(s.submitted and s.consent for s in states), tuple(linked))


def confirms(typed: str, contact: str) -> bool:
    """Whether the typed confirmation is the account's email address or mobile number (+86 may be left out)."""
    def plain(text: str) -> str:
        cleaned = "".join(text.split()).lower()
        return cleaned.removeprefix("+86") if cleaned.startswith("+86") else cleaned

    return bool(contact) and plain(typed) == plain(contact)
