"""Keeping an installation current: the database schema's migrations, and the record of the content versions served."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from assessment.content.loader import Library
from assessment.db import queries
from assessment.db.migrate import current_revision, head_revision, upgrade


@dataclass(frozen=True)
class Recorded:
    """A content version as recorded: 'new', 'same', or 'changed' (the same version from a different file)."""

    kind: str
    ref: str
    file: str
    outcome: str


def shown_url(url: str) -> str:
    """A database URL with its password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def schema_current(engine: Engine) -> bool:
    """Whether the database has every migration applied."""
    return current_revision(engine) == head_revision()


def migrate(engine: Engine) -> tuple[str | None, str | None]:
    """Apply every migration that has not run yet (a SQLite file's folder is made first): the revision before
    (None for an empty database) and after."""
    if engine.dialect.name == "sqlite" and engine.url.database:
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    before = current_revision(engine)
    upgrade(engine)
    return before, current_revision(engine)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def record_content(session: Session, library: Library, root: Path) -> Iterator[Recorded]:
    """Record every questionnaire and model version of the library with the hash of its file (relative to `root`
    unless absolute), one at a time in order; the caller commits."""
    entries = [("questionnaire", q.ref, library.files[q.ref])
               for versions in library.questionnaires.values() for q in versions.values()]
    entries += [("model", m.ref, library.files["model:" + m.ref])
                for versions in library.models.values() for m in versions.values()]
    for kind, ref, file in sorted(entries):
        path = Path(file) if Path(file).is_absolute() else root / file
        yield Recorded(kind, ref, file, queries.record_content_version(session, kind, ref, file, _sha256(path)))
