"""Evidence of guided and on-site assessments: notes and files per item, kept while the assessment is a draft,
files outside the database with their SHA-256 and within the quotas."""

from __future__ import annotations

import hashlib
import secrets
import tempfile
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from assessment.db import providers
from assessment.db.providers import EvidenceFileRecord, EvidenceNoteRecord
from assessment.db.queries import AssessmentRecord
from assessment.domain.answers import N_, Problem
from assessment.domain.questionnaire import Questionnaire
from assessment.services import security_log
from assessment.services.onsite import Actor, ChangeRefused
from assessment.services.storage import LocalDirectory, MissingObject, Storage, TooLarge, storage_of

NOTE_MAX_CHARS = 4000

CHUNK = 64 * 1024
HEAD = 512
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
    """Where an evidence file's bytes live in a local directory: <directory>/<first two>/<key>."""
    return LocalDirectory(directory).path(storage_key)


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


def store_evidence(session: Session, where: Storage | Path, record: AssessmentRecord, item_id: str, filename: str,
                   stream: IO[bytes], actor: Actor, quotas: EvidenceQuotas = DEFAULT_QUOTAS) -> EvidenceFileRecord:
    """Check and store an uploaded file for one item of a guided or on-site draft, outside the database, with its
    SHA-256.

    The draft, the type and the quotas are checked before any byte is kept: the file is streamed to the storage,
    which keeps nothing of it once it grows past the room left or fails; its row is added after the object is
    whole, and the object deleted again if the row fails (a crash in between leaves an object no row names:
    `assessment evidence orphans`). Raises EvidenceRejected (not a guided or on-site draft, type
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
    head = _head(stream)
    if not head:
        raise EvidenceRejected(Problem(item_id, "file_empty", N_("The file is empty.")))
    if not _looks_like(extension, head):
        raise EvidenceRejected(Problem(item_id, "file_content", N_(
            "The file's content is not a {type} file. Check that you chose the right file."),
            {"type": extension.upper()}))
    checked = _Checked(head, stream, room)
    key = secrets.token_hex(32)
    store = storage_of(where)
    left, problem = min(room, key=lambda cap: cap[0])
    try:
        size = store.put(key, checked, left)
    except TooLarge:  # the caps are checked as the bytes come, so this bound is only a second line
        raise EvidenceRejected(problem) from None
    try:
        return providers.add_file(session, assessment_id=record.id, item_id=item_id, filename=name,
                                  content_type=FILE_TYPES[extension][0], size=size, sha256=checked.digest.hexdigest(),
                                  storage_key=key, user_id=actor.user_id)
    except BaseException:
        store.delete(key)  # no object without its row
        raise


def _head(stream: IO[bytes]) -> bytes:
    """The first bytes of an upload, enough to recognise its type (a network stream may give fewer per read)."""
    head = b""
    while len(head) < HEAD and (chunk := stream.read(HEAD - len(head))):
        head += chunk
    return head


class _Checked:
    """An upload read on after its head, hashed as it goes, refused at the first cap its size passes."""

    def __init__(self, head: bytes, stream: IO[bytes], room: list[tuple[int, Problem]]) -> None:
        self.pending, self.stream, self.room = head, stream, room
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1, /) -> bytes:
        """The next bytes of the upload."""
        size = size if size > 0 else CHUNK
        if self.pending:
            chunk, self.pending = self.pending[:size], self.pending[size:]
        else:
            chunk = self.stream.read(size)
        self.size += len(chunk)
        over = next((problem for left, problem in self.room if self.size > left), None)
        if over is not None:
            raise EvidenceRejected(over)
        self.digest.update(chunk)
        return chunk



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


def discard_evidence(where: Storage | Path, file: EvidenceFileRecord) -> bool:
    """Delete a removed evidence file's bytes (after the removal is committed, so a rollback never loses them);
    False if the storage refused (the bytes stay, listed nowhere, for the operator to delete)."""
    try:
        storage_of(where).delete(file.storage_key)
    except Exception:  # the file system's or the object store's refusal: logged by the caller, the removal stands
        return False
    return True


def verified_evidence(where: Storage | Path, file: EvidenceFileRecord) -> IO[bytes] | None:
    """The file's bytes, read once from the storage into a spooled copy and returned rewound if they still have
    the recorded SHA-256; None if they are missing or altered."""
    try:
        source = storage_of(where).open(file.storage_key)
    except MissingObject:
        return None
    copy = tempfile.SpooledTemporaryFile(max_size=MIB)  # noqa: SIM115 - handed to the response, which closes it
    digest = hashlib.sha256()
    try:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            copy.write(chunk)
    finally:
        source.close()
    if digest.hexdigest() != file.sha256:
        copy.close()
        return None
    copy.seek(0)
    return copy


def orphaned_objects(session: Session, where: Storage | Path, older_than: float = 3600,
                     now: float | None = None) -> list[str]:
    """Keys of stored objects no evidence file row names, stored more than older_than seconds ago (younger ones
    may be uploads whose row is not committed yet): what a crash between storing and committing leaves."""
    store = storage_of(where)
    keys = list(store.keys())
    recorded = providers.recorded_storage_keys(session, keys)
    moment = time.time() if now is None else now
    return [k for k in keys if k not in recorded and store.stored_at(k) < moment - older_than]


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
    if len(cleaned) > NOTE_MAX_CHARS:
        raise ChangeRefused([Problem(item_id, "note_long", N_("The note is longer than {n} characters."),
                                     {"n": NOTE_MAX_CHARS})])
    current = providers.notes(session, record.id).get(item_id)
    if (current.text if current else "") != cleaned:
        providers.add_note(session, record.id, item_id, cleaned, actor.user_id)


def save_notes(session: Session, record: AssessmentRecord, questionnaire: Questionnaire, texts: dict[str, str],
               actor: Actor) -> dict[str, list[Problem]]:
    """Record the evidence notes of several items at once (a section's page): each note that passes is saved, the
    problems of the others are returned per item so the page can show them with the text kept."""
    refused: dict[str, list[Problem]] = {}
    for item_id, text in texts.items():
        try:
            save_note(session, record, questionnaire, item_id, text, actor)
        except ChangeRefused as exc:
            refused[item_id] = list(exc.problems)
    return refused


def evidence_notes(session: Session, record: AssessmentRecord) -> dict[str, str]:
    """The current evidence note per item, with the attached file names, for the report's appendix."""
    found = {k: v.text for k, v in providers.notes(session, record.id).items() if v.text}
    for file in providers.files(session, record.id):
        found[file.item_id] = "; ".join(filter(None, (found.get(file.item_id, ""), file.filename)))
    return found


def item_ids_with_evidence(session: Session, assessment_id: int) -> set[str]:
    """Items that have an evidence note or file."""
    found = {k for k, v in providers.notes(session, assessment_id).items() if v.text}
    return found | {f.item_id for f in providers.files(session, assessment_id)}



def notes(session: Session, assessment_id: int) -> dict[str, EvidenceNoteRecord]:
    """The current evidence note per item."""
    return providers.notes(session, assessment_id)


def files(session: Session, assessment_id: int) -> list[EvidenceFileRecord]:
    """The evidence files of an assessment."""
    return providers.files(session, assessment_id)


def file_of(session: Session, record: AssessmentRecord, file_id: int) -> EvidenceFileRecord | None:
    """An evidence file of this assessment; None if there is no such file or it belongs to another assessment."""
    file = providers.get_file(session, file_id)
    return file if file is not None and file.assessment_id == record.id else None
