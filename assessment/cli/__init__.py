"""The `assessment` command: content, scoring and report commands, plus the Flask app's own commands."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup


def _create_app() -> object:
    from assessment.web.app import create_app

    return create_app()


class AssessmentGroup(FlaskGroup):
    """Flask's command group, finding the project's own commands before it loads plugins' commands or the app."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The project's command of that name (no plugin is imported for it), else Flask's."""
        found = click.Group.get_command(self, ctx, cmd_name)
        return found if found is not None else super().get_command(ctx, cmd_name)


@click.group(cls=AssessmentGroup, create_app=_create_app, add_version_option=False, load_dotenv=False)
def main() -> None:
    """SME digital-transformation assessment (中小企业数字化水平评测)."""


def _register() -> None:
    from assessment.cli import recommend, report, scoring

    scoring.register(main)
    recommend.register(main)
    report.register(main)


_register()
