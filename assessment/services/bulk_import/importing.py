"""The `bulk_import` job: start it from an uploaded file (file-level problems refuse it at once), run its rows
with progress, and read its summary (accepted and rejected rows, and the rejected rows as CSV to fix and re-upload).

The upload is kept as a piece of the job's result; the summary is sealed into the result when the job is done.
A resumed job goes through the rows again: those it carried out before count as accepted, nothing is made twice.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import secrets
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from assessment.db import jobs as stored
from assessment.domain.spreadsheet import neutralise_row
from assessment.services import job_files
from assessment.services.authorization import Principal, Refused, principal_of
from assessment.services.bulk_import.carrying import (
    ImportContext,
    Outcome,
    RowRefused,
    Settings,
    assessor_problem,
    import_rows,
)
from assessment.services.bulk_import.rows import MODES, REASON_COLUMN, read_rows

BULK_IMPORT = "bulk_import"
UPLOAD = "upload"
SUMMARY = "summary.json"


def start_import(session: Session, who: Principal, context: ImportContext, folder: Path, content: bytes,
                 filename: str, questionnaire_ref: str, mode: str, assessor_id: int | None, now: datetime) -> int:
    """Queue an import of the file's rows; the job's id. Raises FileRefused, RowRefused (the assessor) or Refused."""
    if not who.provider or who.user_id is None or who.organisation_id is None:
        raise Refused("only a provider's staff import enterprises")
    qid, _, version = questionnaire_ref.partition("@")
    questionnaire = context.library.questionnaires.get(qid, {}).get(version)
    if questionnaire is None or mode not in MODES:
        raise Refused("no such questionnaire or mode")
    rows = read_rows(content, filename, questionnaire)
    if mode == "onsite" and (problem := assessor_problem(session, who, assessor_id)) is not None:
        raise RowRefused(problem)
    parameters = {"questionnaire": questionnaire.ref, "mode": mode, "assessor_id": assessor_id,
                  "filename": filename[:200]}
    job_id = stored.add(session, who.user_id, BULK_IMPORT, parameters, len(rows), now)
    key = f"{job_id}-{secrets.token_hex(12)}"
    stored.move(session, job_id, ("queued",), result_key=key)
    job_files.write_part(folder, key, UPLOAD, content)
    return job_id


def _settings(context: ImportContext, parameters: dict[str, Any]) -> Settings:
    ref = str(parameters["questionnaire"])
    qid, _, version = ref.partition("@")
    questionnaire = context.library.questionnaires[qid][version]
    model = context.library.default_model(qid)
    return Settings(questionnaire, model, str(parameters["mode"]), parameters.get("assessor_id"))


def run_import(sessions: sessionmaker[Session], folder: Path, context: ImportContext, job: stored.JobRecord,
               clock: Callable[[], datetime], lifetime: timedelta) -> None:
    """Carry out the job's rows, counting progress and stopping when it is cancelled; seal the summary."""
    assert job.result_key is not None
    settings = _settings(context, job.parameters)
    content = (folder / f"{job.result_key}.parts" / UPLOAD).read_bytes()
    rows = read_rows(content, str(job.parameters.get("filename", "")), settings.questionnaire)
    with sessions() as session:
        who = principal_of(session, job.owner_id)

    def after_row(session: Session, done: int) -> bool:
        current = stored.get(session, job.id)
        if current is None or current.status != "running":
            return False
        return stored.move(session, job.id, ("running",), done=done, heartbeat_at=clock())

    outcomes = import_rows(sessions, who, settings, context, rows, job.id, clock, after_row)
    if len(outcomes) < len(rows):
        return  # cancelled
    cells = {row.number: row.cells for row in rows}
    summary = {"outcomes": [dataclasses.asdict(o) for o in outcomes],
               "rejected_cells": {str(o.row): cells[o.row] for o in outcomes if o.status == "rejected"},
               "columns": [c for c in (rows[0].cells if rows else {}) if c != REASON_COLUMN]}
    job_files.write_part(folder, job.result_key, SUMMARY, json.dumps(summary, ensure_ascii=False).encode())
    job_files.seal(folder, job.result_key, [SUMMARY])
    now = clock()
    with sessions() as session:
        stored.move(session, job.id, ("running",), status="done", done=len(rows), finished_at=now, heartbeat_at=None,
                    expires_at=now + lifetime)
        session.commit()


@dataclasses.dataclass(frozen=True)
class Summary:
    """A finished import: every row's outcome, and the rejected rows' cells."""

    outcomes: list[Outcome]
    rejected_cells: dict[str, dict[str, str]]
    columns: list[str]

    def of(self, status: str) -> list[Outcome]:
        """The rows with this status."""
        return [o for o in self.outcomes if o.status == status]


def summary(result: Path) -> Summary:
    """The summary sealed in a finished import's result."""
    with zipfile.ZipFile(result) as archive:
        found = json.loads(archive.read(SUMMARY))
    outcomes = [Outcome(**{**o, "problems": [tuple(p) for p in o["problems"]]}) for o in found["outcomes"]]
    return Summary(outcomes, found["rejected_cells"], found["columns"])


def rejected_csv(done: Summary, reason: Callable[[Outcome], str], reason_header: str) -> bytes:
    """The rejected rows as they were, with the reasons in a last column, to fix and upload again."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*done.columns, REASON_COLUMN])
    writer.writerow([*("" for _ in done.columns), reason_header])
    for outcome in done.of("rejected"):
        cells = done.rejected_cells.get(str(outcome.row), {})
        writer.writerow(neutralise_row([*(cells.get(c, "") for c in done.columns), reason(outcome)]))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
