"""The `assessment` command: content, scoring and report commands, plus the Flask app's own commands."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup


def _create_app() -> object:
    from assessment.web.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, load_dotenv=False)
def main() -> None:
    """SME digital-transformation assessment (中小企业数字化水平评测)."""


def _register() -> None:
    from assessment.cli import recommend, report, scoring

    scoring.register(main)
    recommend.register(main)
    report.register(main)


_register()
