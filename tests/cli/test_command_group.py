"""The `assessment` command: the project's commands run without Flask; everything else is Flask's group."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner
from shipped import ROOT

from assessment.cli import COMMANDS, main, project_command


def test_the_project_commands_run_without_importing_flask() -> None:
    code = "import sys; from assessment.cli import main; " \
           "main(['score', 'tests/fixtures/miit-2024-worked-example.json'], standalone_mode=False); " \
           "print('flask' in sys.modules, file=sys.stderr)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stderr.strip() == "False"


def test_every_project_command_is_found_by_its_name() -> None:
    assert sorted(main.list_commands(click.Context(main))) == sorted(COMMANDS)
    for name in COMMANDS:
        assert project_command(name).name == name


def test_help_and_the_apps_commands_come_from_flasks_group(tmp_path: Path) -> None:
    environment = {"ASSESSMENT_DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}", "ASSESSMENT_SECRET_KEY": "x",
                   "FLASK_RUN_FROM_CLI": None}  # the runner restores each of these afterwards
    result = CliRunner().invoke(main, ["--help"], env=environment, catch_exceptions=False)
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert {"run", "routes", "db", *COMMANDS} <= listed
    assert "--app" in result.stdout
