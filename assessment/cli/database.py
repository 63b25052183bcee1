"""Database and content commands: `assessment db upgrade` migrates the database, `assessment content sync` records
the content versions served."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from assessment.cli.installation import Installation, install, installation
from assessment.content.loader import content_root
from assessment.services import maintenance

db_group = AppGroup("db", help="Database schema.")
content_group = AppGroup("content", help="Questionnaire and scoring-model versions.")


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Apply every database migration that has not run yet."""
    before, after = maintenance.migrate(installation().engine)
    where = maintenance.shown_url(str(current_app.config["DATABASE_URL"]))
    if before == after:
        click.echo(f"database {where} is up to date (revision {after})")
    else:
        click.echo(f"database {where} upgraded from {before or 'empty'} to {after}")


@content_group.command("sync")
def content_sync() -> None:
    """Record the questionnaire and model versions this server loaded, with the hash of each file."""
    here = installation()
    if not maintenance.schema_current(here.engine):
        raise click.ClickException("the database schema is not current; run `assessment db upgrade` first")
    root = Path(current_app.config.get("CONTENT_DIR") or content_root())
    changed = []
    with here.sessions() as session:
        for entry in maintenance.record_content(session, here.library, root):
            click.echo(f"{entry.kind} {entry.ref}\t{entry.file}\t{entry.outcome}")
            if entry.outcome == "changed":
                changed.append(f"{entry.kind} {entry.ref}")
        session.commit()
    for entry_name in changed:
        # results re-score from the stored answers with this version, so the version should have been raised
        click.echo(f"warning: {entry_name} changed since it was last recorded but kept its version number; "
                   "raise the version if scoring or items changed", err=True)


def init_app(app: Flask, here: Installation) -> None:
    """Add the commands to the app's CLI (the `assessment` command)."""
    install(app, here)
    app.cli.add_command(db_group)
    app.cli.add_command(content_group)
