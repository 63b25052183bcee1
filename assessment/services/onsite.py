"""Guided and on-site use cases: evidence notes and files, the assessor's validated answers with their audit trail,
submission of an on-site assessment, and where self-report and validation differ."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from assessment.db import providers, queries
from assessment.db.providers import AuditEntry, EvidenceFileRecord
from assessment.db.queries import AssessmentRecord
from assessment.domain.answers import N_, Answers, Problem, answers_to_document, parse_value
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Item, Questionnaire, tr
from assessment.domain.scoring import Scorecard
from assessment.services import assessments, security_log
from assessment.services.assessments import NotADraft, VersionConflict

CHUNK = 64 * 1024
MIB = 1024 * 1024
DEFAULT_MAX_BYTES = 10 * MIB
DEFAULT_MAX_FILES = 200
EVIDENCE_MODES = ("guided", "onsite")
"""Evidence is kept for guided and on-site assessments only, and only while they are drafts."""
ZIP = (b"PK\x03\x04",)
FILE_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    # extension: (the content type we serve it with, the signatures its first bytes must start with; None = text)
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ZIP),
    "csv": ("text/csv; charset=utf-8", None),
    "txt": ("text/plain; charset=utf-8", None),
}


@dataclass(frozen=True)
class Actor:
    """Who does something on an assessment, as the audit trail names them."""

    user_id: int
    name: str
    organisation: str = ""


@dataclass(frozen=True)
class EvidenceQuotas:
    """How much evidence is kept (config EVIDENCE_MAX_BYTES, EVIDENCE_MAX_FILES_PER_ASSESSMENT,
    EVIDENCE_MAX_BYTES_PER_ASSESSMENT, EVIDENCE_MAX_BYTES_PER_ORGANISATION; docs/providers.md)."""

    file_bytes: int = DEFAULT_MAX_BYTES
    files_per_assessment: int = DEFAULT_MAX_FILES
    bytes_per_assessment: int = 200 * MIB
    bytes_per_organisation: int = 5 * 1024 * MIB
    """All evidence of the assessments one provider conducts."""

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> EvidenceQuotas:
        """The quotas as configured, defaults for what is not."""
        default = cls()
        return cls(int(config.get("EVIDENCE_MAX_BYTES", default.file_bytes)),
                   int(config.get("EVIDENCE_MAX_FILES_PER_ASSESSMENT",
                                  config.get("EVIDENCE_MAX_FILES", default.files_per_assessment))),
                   int(config.get("EVIDENCE_MAX_BYTES_PER_ASSESSMENT", default.bytes_per_assessment)),
                   int(config.get("EVIDENCE_MAX_BYTES_PER_ORGANISATION", default.bytes_per_organisation)))


DEFAULT_QUOTAS = EvidenceQuotas()


class EvidenceRejected(ValueError):
    """An uploaded file (or a removal) is refused; `problem` says why in an English msgid with params."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.render())
        self.problem = problem


class ChangeRefused(ValueError):
    """A validation or consolidation is not recorded; `problems` say why (English msgids)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.render() for p in problems))
        self.problems = problems


# --- evidence ------------------------------------------------------------------------------------------------

def safe_filename(raw: str) -> str:
    """A file name fit to show and to offer for download: no folders, no control characters, at most 150 chars."""
    name = unicodedata.normalize("NFC", raw.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".")
    stem, dot, extension = name.rpartition(".")
    if len(name) > 150:
        name = (stem[:140] + dot + extension[:9]) if dot else name[:150]
    return name or "evidence"


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def _looks_like(extension: str, head: bytes) -> bool:
    signatures = FILE_TYPES[extension][1]
    if signatures is not None:
        return any(head.startswith(s) for s in signatures)
    return b"\x00" not in head


def evidence_path(directory: Path, storage_key: str) -> Path:
    """Where an evidence file's bytes live: instance/evidence/<first two>/<key>."""
    if not re.fullmatch(r"[0-9a-f]{64}", storage_key):
        raise ValueError("bad storage key")
    return directory / storage_key[:2] / storage_key


def _megabytes(size: int) -> float:
    return round(size / MIB, 1)


def evidence_refusal(record: AssessmentRecord, item_id: str | None = None) -> Problem | None:
    """Why the assessment's evidence cannot be changed now (None if it can): only guided and on-site drafts keep
    evidence, and it is frozen at submission (the report prints it)."""
    if record.mode not in EVIDENCE_MODES:
        return Problem(item_id, "evidence_mode", N_("Evidence is kept for guided and on-site assessments only."))
    if not record.draft:
        return Problem(item_id, "evidence_frozen", N_(
            "This assessment is submitted; its evidence can no longer be changed."))
    return None


def _room(session: Session, record: AssessmentRecord, item_id: str,
          quotas: EvidenceQuotas) -> list[tuple[int, Problem]]:
    """Per cap, the bytes a new file may have and what it is refused with beyond them; refused at once if a quota
    is used up already."""
    count, used = providers.evidence_usage(session, record.id)
    if count >= quotas.files_per_assessment:
        raise EvidenceRejected(Problem(item_id, "file_count", N_(
            "This assessment has {count} files already, the most allowed."), {"count": quotas.files_per_assessment}))
    room = [
        (quotas.file_bytes, Problem(item_id, "file_size", N_(
            "The file is larger than {megabytes} MB. Attach a smaller file or a scan at a lower resolution."),
            {"megabytes": _megabytes(quotas.file_bytes)})),
        (quotas.bytes_per_assessment - used, Problem(item_id, "quota_assessment", N_(
            "The evidence of this assessment would exceed {megabytes} MB. Remove files that are no longer needed "
            "or attach a smaller file."), {"megabytes": _megabytes(quotas.bytes_per_assessment)})),
    ]
    conduct = providers.conduct(session, record.id)
    if conduct is not None and conduct.organisation_id is not None:
        spent = providers.evidence_bytes_of_organisation(session, conduct.organisation_id)
        room.append((quotas.bytes_per_organisation - spent, Problem(item_id, "quota_organisation", N_(
            "The evidence of all assessments this provider conducts would exceed {megabytes} MB. Remove files "
            "that are no longer needed or ask the site's administrator for more room."),
            {"megabytes": _megabytes(quotas.bytes_per_organisation)})))
    full = next((problem for left, problem in room if left <= 0), None)
    if full is not None:
        raise EvidenceRejected(full)
    return room


def store_evidence(session: Session, directory: Path, record: AssessmentRecord, item_id: str, filename: str,
                   stream: IO[bytes], actor: Actor, quotas: EvidenceQuotas = DEFAULT_QUOTAS) -> EvidenceFileRecord:
    """Check and store an uploaded file for one item of a guided or on-site draft, outside the database, with its
    SHA-256.

    The draft and the quotas are checked before any byte is kept: the file is streamed to a temporary file that
    is dropped as soon as it grows past the room left. Raises EvidenceRejected (not a guided or on-site draft, type
    not allowed, content not of that type, empty, too large, too many files, a quota reached).
    """
    refusal = evidence_refusal(record, item_id)
    if refusal is not None:
        raise EvidenceRejected(refusal)
    name = safe_filename(filename)
    extension = _extension(name)
    if extension not in FILE_TYPES:
        raise EvidenceRejected(Problem(item_id, "file_type", N_(
            "Files of this type cannot be attached. Allowed: {types}."), {"types": ", ".join(sorted(FILE_TYPES))}))
    room = _room(session, record, item_id, quotas)
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    temporary = directory / f".upload-{secrets.token_hex(8)}"
    try:
        with open(temporary, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                over = next((problem for left, problem in room if size > left), None)
                if over is not None:
                    raise EvidenceRejected(over)
                if len(head) < 512:
                    head += chunk[: 512 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise EvidenceRejected(Problem(item_id, "file_empty", N_("The file is empty.")))
        if not _looks_like(extension, head):
            raise EvidenceRejected(Problem(item_id, "file_content", N_(
                "The file's content is not a {type} file. Check that you chose the right file."),
                {"type": extension.upper()}))
        key = secrets.token_hex(32)
        target = evidence_path(directory, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return providers.add_file(session, assessment_id=record.id, item_id=item_id, filename=name,
                              content_type=FILE_TYPES[extension][0], size=size, sha256=digest.hexdigest(),
                              storage_key=key, user_id=actor.user_id)


def remove_evidence(session: Session, record: AssessmentRecord, file_id: int, actor: Actor,
                    address: str = "") -> EvidenceFileRecord:
    """Remove an evidence file of a guided or on-site draft: its row now, logged as a security event (the audit
    trail keeps answers only); the caller deletes its bytes with `discard_evidence` once the removal is committed.

    Raises EvidenceRejected (not a guided or on-site draft) or LookupError (no such file in this assessment).
    """
    file = providers.get_file(session, file_id)
    if file is None or file.assessment_id != record.id:
        raise LookupError(file_id)
    refusal = evidence_refusal(record, file.item_id)
    if refusal is not None:
        raise EvidenceRejected(refusal)
    if not providers.delete_file(session, file.id, record.id):
        raise LookupError(file_id)
    security_log.record(session, security_log.EVIDENCE_REMOVED, user_id=actor.user_id, address=address,
                        assessment_id=record.id, item_id=file.item_id, file_id=file.id, filename=file.filename,
                        size=file.size, sha256=file.sha256)
    return file


def discard_evidence(directory: Path, file: EvidenceFileRecord) -> bool:
    """Delete a removed evidence file's bytes (after the removal is committed, so a rollback never loses them);
    False if the file system refused (the bytes stay, listed nowhere, for the operator to delete)."""
    try:
        evidence_path(directory, file.storage_key).unlink(missing_ok=True)
    except OSError:
        return False
    return True


def verified_evidence(directory: Path, file: EvidenceFileRecord) -> Path | None:
    """The file on disk if its bytes still have the recorded SHA-256; None if it is missing or altered."""
    path = evidence_path(directory, file.storage_key)
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return path if digest.hexdigest() == file.sha256 else None


def save_note(session: Session, record: AssessmentRecord, questionnaire: Questionnaire, item_id: str, text: str,
              actor: Actor) -> None:
    """Record an item's evidence note (kept with its history; an empty note clears it) on a guided or on-site draft.

    Raises ChangeRefused (another mode, submitted, too long)."""
    if questionnaire.item(item_id) is None:
        raise KeyError(item_id)
    refusal = evidence_refusal(record, item_id)
    if refusal is not None:
        raise ChangeRefused([refusal])
    cleaned = text.strip()
    if len(cleaned) > 4000:
        raise ChangeRefused([Problem(item_id, "note_long", N_("The note is longer than {n} characters."),
                                     {"n": 4000})])
    current = providers.notes(session, record.id).get(item_id)
    if (current.text if current else "") != cleaned:
        providers.add_note(session, record.id, item_id, cleaned, actor.user_id)


def evidence_notes(session: Session, record: AssessmentRecord) -> dict[str, str]:
    """The current evidence note per item, with the attached file names, for the report's appendix."""
    found = {k: v.text for k, v in providers.notes(session, record.id).items() if v.text}
    for file in providers.files(session, record.id):
        found[file.item_id] = "; ".join(filter(None, (found.get(file.item_id, ""), file.filename)))
    return found


# --- validated answers and the audit trail -------------------------------------------------------------------

def value_document(questionnaire: Questionnaire, item: Item, raw: Any) -> tuple[Any, list[Problem]]:
    """A raw answer checked against its item, in answers-document form (None with the problems if unusable)."""
    value, problems = parse_value(item, raw)
    if problems or value is None:
        return None, problems or [Problem(item.id, "missing", N_("Choose the validated answer."))]
    return answers_to_document(Answers(questionnaire.id, {item.id: value}))["answers"][item.id], []


def validations(session: Session, assessment_id: int) -> dict[str, AuditEntry]:
    """The assessor's current validated answer per item: the newest validation entry of each."""
    return {e.item_id: e for e in providers.audit_trail(session, assessment_id) if e.kind == "validation"}


def _reason(reason: str, item_id: str) -> tuple[str, list[Problem]]:
    cleaned = reason.strip()
    if not cleaned:
        return "", [Problem(item_id, "reason", N_("Say why: the reason is kept in the audit trail."))]
    if len(cleaned) > 2000:
        return "", [Problem(item_id, "reason", N_("The reason is longer than {n} characters."), {"n": 2000})]
    return cleaned, []


def validate(session: Session, questionnaire: Questionnaire, record: AssessmentRecord, item_id: str, raw: Any,
             reason: str, actor: Actor) -> AuditEntry:
    """Record the assessor's validated answer for one item beside the self-reported one, with the reason.

    Raises ChangeRefused (no reason, an answer the item does not accept, nothing changed) or NotADraft.
    """
    if not record.draft:
        raise NotADraft(record.id)
    if record.mode != "onsite":
        raise ValueError("only on-site assessments record validated answers")
    item = questionnaire.item(item_id)
    if item is None:
        raise KeyError(item_id)
    cleaned, problems = _reason(reason, item_id)
    value, value_problems = value_document(questionnaire, item, raw)
    problems = value_problems + problems
    current = validations(session, record.id).get(item_id)
    if not problems and current is not None and current.value == value:
        problems.append(Problem(item_id, "unchanged", N_("This is the validated answer already.")))
    if problems:
        raise ChangeRefused(problems)
    previous = current.value if current is not None else record.answers.get(item_id)
    providers.append_audit(session, assessment_id=record.id, item_id=item_id, kind="validation", value=value,
                           previous=previous, reason=cleaned, user_id=actor.user_id, user_name=actor.name,
                           organisation_name=actor.organisation)
    return validations(session, record.id)[item_id]


def consolidate(session: Session, questionnaire: Questionnaire, record: AssessmentRecord, item_id: str, raw: Any,
                reason: str, actor: Actor) -> AssessmentRecord:
    """Record the consolidated answer of several respondents as the draft's answer, with the reason (audit-trailed).

    Raises ChangeRefused, NotADraft or VersionConflict.
    """
    if not record.draft:
        raise NotADraft(record.id)
    item = questionnaire.item(item_id)
    if item is None:
        raise KeyError(item_id)
    cleaned, problems = _reason(reason, item_id)
    value, value_problems = value_document(questionnaire, item, raw)
    problems = value_problems + problems
    if problems:
        raise ChangeRefused(problems)
    answers, data = dict(record.answers), dict(record.data)
    previous = answers.get(item_id)
    answers[item_id] = value
    if item.derive is not None and previous != value:
        for field_id in item.derive.fields():  # the chosen answer replaces figures that would compute another
            data.pop(field_id, None)
    version = queries.save_draft(session, record.id, record.version, answers, data)
    if version is None:
        current = queries.get_assessment(session, record.id)
        assert current is not None
        raise VersionConflict(current)
    providers.append_audit(session, assessment_id=record.id, item_id=item_id, kind="consolidation", value=value,
                           previous=previous, reason=cleaned, user_id=actor.user_id, user_name=actor.name,
                           organisation_name=actor.organisation)
    current = queries.get_assessment(session, record.id)
    assert current is not None
    return current


def effective_answers(questionnaire: Questionnaire, answers: Mapping[str, Any], data: Mapping[str, Any],
                      validated: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The answers that count: self-reported, with every validated answer put in their place."""
    merged, figures = dict(answers), dict(data)
    for item_id, value in validated.items():
        item = questionnaire.item(item_id)
        if item is None:
            continue
        if item.derive is not None and merged.get(item_id) != value:
            for field_id in item.derive.fields():
                figures.pop(field_id, None)
        merged[item_id] = value
    return merged, figures


def submit_onsite(session: Session, questionnaire: Questionnaire, model: ScoringModel, assessment_id: int,
                  expected_version: int, actor: Actor) -> tuple[AssessmentRecord, Scorecard]:
    """Score and freeze an on-site assessment with the validated answers; the self-report is kept beside them.

    Raises assessments.Incomplete or VersionConflict; nothing is written then (the caller rolls back).
    """
    record = queries.get_assessment(session, assessment_id)
    if record is None:
        raise assessments.AssessmentNotFound(assessment_id)
    if not record.draft:
        raise NotADraft(assessment_id)
    if record.mode != "onsite":
        raise ValueError("not an on-site assessment")
    if record.version != expected_version:
        raise VersionConflict(record)
    validated = {k: e.value for k, e in validations(session, record.id).items()}
    answers, data = effective_answers(questionnaire, record.answers, record.data, validated)
    version = expected_version
    if (answers, data) != (dict(record.answers), dict(record.data)):
        saved = queries.save_draft(session, record.id, expected_version, answers, data)
        if saved is None:
            raise VersionConflict(record)
        version = saved
    frozen, card = assessments.submit(session, questionnaire, model, record.id, version)
    providers.record_assessor(session, record.id, assessor_id=actor.user_id, name=actor.name,
                              organisation=actor.organisation,
                              self_answers={"answers": dict(record.answers), "data": dict(record.data)})
    return frozen, card


# --- what the results page and the report show ---------------------------------------------------------------

def answer_label(questionnaire: Questionnaire, item_id: str, value: Any, lang: str) -> str:
    """An answers-document value as short text: option keys with their text, a level title, a figure."""
    item = questionnaire.item(item_id)
    if value is None:
        return "—"
    if item is None:
        return str(value)
    if item.type in ("single", "multi"):
        keys = value if isinstance(value, list) else [value]
        return "; ".join(f"{k}. {tr(o.text, lang)}" if (o := item.option(str(k))) else str(k) for k in keys)
    if item.type == "rating":
        level = next((lv for lv in item.levels if lv.level == value), None)
        return tr(level.title, lang) if level is not None else str(value)
    if item.type == "grid" and isinstance(value, Mapping):
        rows = {r.key: tr(r.text, lang) for r in item.rows}
        columns = {c.key: tr(c.text, lang) for c in item.columns}
        return "; ".join(f"{rows.get(r, r)}: " + ", ".join(columns.get(str(c), str(c)) for c in
                                                          (cell if isinstance(cell, list) else [cell]))
                         for r, cell in value.items())
    if isinstance(value, (int, float)):
        figure = Fraction(str(value))
        shown = str(figure.numerator) if figure.denominator == 1 else f"{float(figure):g}"
        return f"{shown} {tr(item.unit, lang)}".strip()
    return str(value)


@dataclass(frozen=True)
class ValidationLine:
    """An item whose validated answer differs from the self-reported one."""

    item_id: str
    question: str
    self_reported: str
    validated: str
    reason: str
    assessor: str
    at: datetime


@dataclass(frozen=True)
class ValidationSummary:
    """Whether a result is assessor-validated, by whom, how many items were checked and where they differ."""

    assessor_name: str
    assessor_org: str
    checked: int
    differences: tuple[ValidationLine, ...]


def validation_summary(session: Session, questionnaire: Questionnaire, record: AssessmentRecord,
                       lang: str) -> ValidationSummary | None:
    """The validation of a submitted on-site assessment (None for any other)."""
    if record.draft or record.mode != "onsite":
        return None
    conduct = providers.conduct(session, record.id)
    if conduct is None or conduct.self_answers is None:
        return None
    self_answers = conduct.self_answers.get("answers", {})
    checked = validations(session, record.id)
    lines = []
    for item in questionnaire.items:
        entry = checked.get(item.id)
        if entry is None or entry.value == self_answers.get(item.id):
            continue
        lines.append(ValidationLine(item.id, f"{item.id} {tr(item.short or item.text, lang)}",
                                    answer_label(questionnaire, item.id, self_answers.get(item.id), lang),
                                    answer_label(questionnaire, item.id, entry.value, lang), entry.reason,
                                    entry.user_name, entry.created_at))
    return ValidationSummary(conduct.assessor_name or "", conduct.assessor_org or "", len(checked), tuple(lines))


@dataclass(frozen=True)
class TrailLine:
    """One audit entry for display: when, who, what (item, from → to), why."""

    entry: AuditEntry
    question: str
    before: str
    after: str


def trail(session: Session, questionnaire: Questionnaire, assessment_id: int, lang: str) -> list[TrailLine]:
    """An assessment's audit trail with the answers as text, oldest first."""
    lines = []
    for entry in providers.audit_trail(session, assessment_id):
        item = questionnaire.item(entry.item_id)
        question = f"{entry.item_id} {tr(item.short or item.text, lang)}" if item is not None else entry.item_id
        lines.append(TrailLine(entry, question, answer_label(questionnaire, entry.item_id, entry.previous, lang),
                               answer_label(questionnaire, entry.item_id, entry.value, lang)))
    return lines


def assessor_of(session: Session, record: AssessmentRecord) -> tuple[str, str]:
    """The assessor's name and organisation: as recorded at submission, else the current ones ('' if none)."""
    conduct = providers.conduct(session, record.id)
    if conduct is None:
        return "", ""
    if conduct.assessor_name:
        return conduct.assessor_name, conduct.assessor_org or ""
    user = queries.get_user(session, conduct.assessor_id) if conduct.assessor_id is not None else None
    organisation = (providers.get_organisation(session, conduct.organisation_id)
                    if conduct.organisation_id is not None else None)
    name = (user.display_name or user.contact) if user is not None else ""
    return name, organisation.name if organisation is not None else ""


def item_ids_with_evidence(session: Session, assessment_id: int) -> set[str]:
    """Items that have an evidence note or file."""
    found = {k for k, v in providers.notes(session, assessment_id).items() if v.text}
    return found | {f.item_id for f in providers.files(session, assessment_id)}


def now_iso(moment: datetime) -> str:
    """A timestamp as shown in the audit trail: UTC, to the minute."""
    return moment.strftime("%Y-%m-%d %H:%M UTC")
