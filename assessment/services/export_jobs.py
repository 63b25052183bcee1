"""Large exports as a background job: an official's table, with the dashboard's filters and the same disclosure
control as the download (the web's export function makes the file), left for its owner to download as a ZIP."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from assessment.db import jobs as stored
from assessment.services import job_files
from assessment.services.authorization import Principal, Refused, has_role

LARGE_EXPORT = "large_export"
KINDS = ("csv", "xlsx", "json")
MAX_ARGUMENTS = 40
"""The most query values a job keeps (the dashboard's filters and up to three fields are far fewer)."""
MAX_LENGTH = 200

Export = Callable[[int, dict[str, Any]], tuple[str, bytes]]
"""Makes the export of an owner's job from its parameters as the download makes it: the file's name and bytes."""


def start_export(session: Session, who: Principal, arguments: Sequence[tuple[str, str]], kind: str, lang: str,
                 now: datetime) -> int:
    """Queue an official's export with the download's query values (bounded); the job's id."""
    if not has_role(who, "official") or who.user_id is None:
        raise Refused("only officials export aggregates")
    if kind not in KINDS:
        raise ValueError(f"unknown export format {kind}")
    kept = [(str(k)[:MAX_LENGTH], str(v)[:MAX_LENGTH]) for k, v in arguments[:MAX_ARGUMENTS]]
    parameters = {"arguments": kept, "kind": kind, "lang": lang}
    job_id = stored.add(session, who.user_id, LARGE_EXPORT, parameters, 1, now)
    stored.move(session, job_id, ("queued",), result_key=f"{job_id}-{secrets.token_hex(12)}")
    return job_id


def run_export(sessions: sessionmaker[Session], folder: Path, export: Export, job: stored.JobRecord,
               clock: Callable[[], datetime], lifetime: timedelta) -> None:
    """Make the file, seal it as the job's ZIP and mark the job done (a resumed job makes it again: it only reads)."""
    assert job.result_key is not None
    name, content = export(job.owner_id, job.parameters)
    job_files.write_part(folder, job.result_key, name, content)
    job_files.seal(folder, job.result_key, [name])
    now = clock()
    with sessions() as session:
        stored.move(session, job.id, ("running",), status="done", done=1, finished_at=now, heartbeat_at=None,
                    expires_at=now + lifetime)
        session.commit()
