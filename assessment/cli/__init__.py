"""The `assessment` command: content, scoring and report commands, plus the Flask app's own commands."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from flask import Flask

COMMANDS = {
    "import-enterprises": "assessment.cli.bulk_import:import_command",
    "models": "assessment.cli.models:models_command",
    "recommend": "assessment.cli.recommend:recommend_command",
    "report": "assessment.cli.report:report_command",
    "schema": "assessment.cli.formats:schema_command",
    "score": "assessment.cli.scoring:score_command",
    "validate": "assessment.cli.formats:validate_command",
    "workbook": "assessment.cli.workbook:workbook_command",
}
"""The project's own commands; none needs the app, and each module is imported only for its command."""


def project_command(name: str) -> click.Command:
    """One of the project's commands, by name."""
    module, _, attribute = COMMANDS[name].partition(":")
    command: click.Command = getattr(importlib.import_module(module), attribute)
    return command


class AssessmentGroup(click.Group):
    """The project's commands run without Flask; any other command line goes whole to Flask's group, which loads
    the app and adds its commands (run, shell, routes, db, admin, ...) and its options (--app, --debug, ...)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The project's commands."""
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The project's command of that name, importing only its module."""
        return project_command(cmd_name) if cmd_name in COMMANDS else None

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """Run a project command here, anything else (help and options before the command too) in Flask's group."""
        argv = list(sys.argv[1:] if args is None else args)
        if argv and argv[0] in COMMANDS:
            return super().main(argv, prog_name, complete_var, standalone_mode, **extra)
        return flask_group().main(argv, prog_name, complete_var, standalone_mode, **extra)


def flask_group() -> click.Group:
    """Flask's command group for the app, holding the project's commands too."""
    from flask.cli import FlaskGroup

    group = FlaskGroup(name=main.name, help=main.help, create_app=_create_app, add_version_option=False,
                       load_dotenv=False)
    for name in COMMANDS:
        group.add_command(project_command(name))
    return group


def _create_app() -> Flask:
    from assessment.web.app import create_app

    return create_app()


@click.group(cls=AssessmentGroup)
def main() -> None:
    """SME digital-transformation assessment (中小企业数字化水平评测)."""
