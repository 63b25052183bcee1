"""The API's score is the CLI's score object, on every answers file the CLI tests use, in both languages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from shipped import ROOT, WORKED_EXAMPLE_RATINGS, answers_with_base

from assessment.cli import main

FIXTURES = sorted((ROOT / "tests" / "fixtures").glob("*.json"))
BUILT: dict[str, dict[str, Any]] = {  # the documents tests/cli/test_cli_scoring.py writes
    "worked": {"questionnaire": "miit-2024", "answers": {**answers_with_base("64.5"), **WORKED_EXAMPLE_RATINGS}},
    "low": {"questionnaire": "miit-2024", "answers": {**answers_with_base("30"), **dict.fromkeys(WORKED_EXAMPLE_RATINGS, 1)}},
}


def documents() -> list[tuple[str, dict[str, Any]]]:
    found = [(path.name, json.loads(path.read_text(encoding="utf-8"))) for path in FIXTURES]
    return [*found, *BUILT.items()]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("name", "document"), documents(), ids=[name for name, _ in documents()])
def test_the_api_score_is_the_cli_score(client: FlaskClient, tmp_path: Path, name: str, document: dict[str, Any],
                                        lang: str) -> None:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(path), "--lang", lang], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    cli = {k: v for k, v in json.loads(result.stdout).items() if k != "file"}
    response = client.post("/api/v1/score", json=document, headers={"Accept-Language": lang})
    assert response.status_code == 200
    assert response.json == cli
