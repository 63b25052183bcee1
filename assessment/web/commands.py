"""App commands: `assessment db upgrade` migrates the database, `assessment content sync` records content versions."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.engine import make_url

from assessment.content.loader import content_root
from assessment.db import queries
from assessment.db.migrate import current_revision, head_revision, upgrade
from assessment.web.site import site

db_group = AppGroup("db", help="Database schema.")
content_group = AppGroup("content", help="Questionnaire and scoring-model versions.")


def _safe_url(url: str) -> str:
    """A database URL with its password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Apply every database migration that has not run yet."""
    engine = site().engine
    if engine.dialect.name == "sqlite" and engine.url.database:
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    where = _safe_url(str(current_app.config["DATABASE_URL"]))
    if before == after:
        click.echo(f"database {where} is up to date (revision {after})")
    else:
        click.echo(f"database {where} upgraded from {before or 'empty'} to {after}")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@content_group.command("sync")
def content_sync() -> None:
    """Record the questionnaire and model versions this server loaded, with the hash of each file."""
    engine = site().engine
    if current_revision(engine) != head_revision():
        raise click.ClickException("the database schema is not current; run `assessment db upgrade` first")
    library = site().library
    root = Path(current_app.config.get("CONTENT_DIR") or content_root())
    entries = [("questionnaire", q.ref, library.files[q.ref])
               for versions in library.questionnaires.values() for q in versions.values()]
    entries += [("model", m.ref, library.files["model:" + m.ref])
                for versions in library.models.values() for m in versions.values()]
    changed = []
    with site().sessions() as session:
        for kind, ref, file in sorted(entries):
            path = Path(file) if Path(file).is_absolute() else root / file
            outcome = queries.record_content_version(session, kind, ref, file, _sha256(path))
            click.echo(f"{kind} {ref}\t{file}\t{outcome}")
            if outcome == "changed":
                changed.append(f"{kind} {ref}")
        session.commit()
    for entry in changed:
        # results re-score from the stored answers with this version, so the version should have been raised
        click.echo(f"warning: {entry} changed since it was last recorded but kept its version number; "
                   "raise the version if scoring or items changed", err=True)


def init_app(app: Flask) -> None:
    """Add the commands to the app's CLI (the `assessment` command)."""
    app.cli.add_command(db_group)
    app.cli.add_command(content_group)
