"""Evidence storage maintenance: `assessment evidence orphans` lists (and with --delete removes) stored objects no
evidence file row names, which a crash between storing a file and committing its row leaves."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from assessment.cli.installation import Installation, install, installation
from assessment.services.evidence import orphaned_objects
from assessment.services.storage import EVIDENCE_STORAGE, Storage

evidence_group = AppGroup("evidence", help="Evidence files' storage (local directory or S3-compatible store).")


@evidence_group.command("orphans")
@click.option("--delete", is_flag=True, help="Delete the orphaned objects instead of only listing them.")
@click.option("--older-than", type=click.IntRange(min=0), default=3600, show_default=True,
              help="Only objects stored at least this many seconds ago (younger ones may be uploads in progress).")
def orphans(delete: bool, older_than: int) -> None:
    """List the stored objects no evidence file row names; --delete removes them."""
    storage: Storage = current_app.extensions[EVIDENCE_STORAGE]
    with installation().sessions() as session:
        found = orphaned_objects(session, storage, older_than)
    for key in found:
        if delete:
            storage.delete(key)
        click.echo(key)
    click.echo(f"{len(found)} orphaned object(s){' deleted' if delete else ''}", err=True)


def init_app(app: Flask, here: Installation) -> None:
    """Add the evidence storage commands to the app's CLI."""
    install(app, here)
    app.cli.add_command(evidence_group)
