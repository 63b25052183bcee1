"""The CLI report carries the recommender's solutions and roadmap, within the budget asked for."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from click.testing import CliRunner
from shipped import ROOT, library

from assessment.cli import main
from assessment.content.catalogue import load_catalogue_dir
from assessment.domain.answers import parse_answers
from assessment.domain.recommend.eligibility import RecommendOptions
from assessment.services.recommendations import recommendations

WORKED = ROOT / "tests" / "fixtures" / "miit-2024-worked-example.json"


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def advice(budget: int | None = None):  # type: ignore[no-untyped-def]
    lib = library()
    q, m = lib.questionnaire("miit-2024"), lib.model("miit-2024")
    catalogues, _ = load_catalogue_dir(ROOT / "catalogue", {"miit-2024": q})
    answers = parse_answers(q, json.loads(WORKED.read_text(encoding="utf-8")))
    return recommendations(q, m, answers, catalogues, None, RecommendOptions(budget_cny=budget))


def test_the_report_names_every_recommended_solution(tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    result = CliRunner().invoke(main, ["report", str(WORKED), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    text = " ".join(pdf_text(out).split())
    names = [r.solution.name["zh"] for r in advice().recommendations]
    assert names
    for name in names:
        assert " ".join(name.split()) in text


def test_a_budget_keeps_dearer_solutions_out_of_the_report(tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    result = CliRunner().invoke(main, ["report", str(WORKED), "-o", str(out), "--budget", "20000", "--lang", "en"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    text = " ".join(pdf_text(out).split())
    dear = [r.solution.name["en"] for r in advice().recommendations if (r.solution.price.max_cny or 0) > 20000]
    assert dear and not any(" ".join(n.split()) in text for n in dear)


def test_no_recommendations_leaves_the_section_with_its_note(tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    result = CliRunner().invoke(main, ["report", str(WORKED), "-o", str(out), "--no-recommendations"], catch_exceptions=False)
    assert result.exit_code == 0
    names = [r.solution.name["zh"] for r in advice().recommendations]
    text = " ".join(pdf_text(out).split())
    assert not any(" ".join(n.split()) in text for n in names)


def test_a_broken_catalogue_stops_the_report_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / "catalogue" / "demo.yaml").read_text(encoding="utf-8").replace("{id: S06,", "{id: S66,", 1),
                   encoding="utf-8")
    out = tmp_path / "r.pdf"
    result = CliRunner().invoke(main, ["report", str(WORKED), "-o", str(out), "--catalogue", str(bad)])
    assert result.exit_code == 2
    assert str(bad) in result.stderr and "S66" in result.stderr
    assert not out.exists()
