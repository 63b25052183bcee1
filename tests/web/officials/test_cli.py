"""The CLI: `assessment aggregate` writes one row per cell with a count column; demo-data; facts rebuild."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from authority import Load
from direct_counts import counted, fact_rows
from flask import Flask
from flask.testing import FlaskCliRunner
from openpyxl import load_workbook

from assessment.db import facts
from assessment.web.site import site


def test_aggregate_writes_one_row_per_cell_with_a_count_column(app: Flask, runner: FlaskCliRunner, load_demo: Load,
                                                               tmp_path: Path) -> None:
    load_demo(800, provinces=("32", "33"), seed=21)
    rows = fact_rows(app)
    year = max(r.year for r in rows)
    target = tmp_path / "cells.csv"
    result = runner.invoke(args=["aggregate", "--by", "city,level", "--region", "320000", "--period", str(year),
                                 "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "suppressed, k = 5" in result.stderr
    cells = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert cells and {"city", "city_name", "level", "level_name", "count", "suppressed"} <= set(cells[0])
    assert all(c["city"] == "total" or c["city"].startswith("32") for c in cells)
    grand = next(c for c in cells if c["city"] == "total" and c["level"] == "total")
    assert int(grand["count"]) == len(counted(rows, year, lambda r: r.province == "320000"))
    hidden = [c for c in cells if c["suppressed"] == "true"]
    assert hidden and all(c["count"] == "" for c in hidden)


def test_aggregate_over_a_range_of_periods_needs_the_period_field(app: Flask, runner: FlaskCliRunner,
                                                                   load_demo: Load) -> None:
    load_demo(400, seed=22)
    refused = runner.invoke(args=["aggregate", "--by", "level", "--period", "2024:2026"])
    assert refused.exit_code == 2 and "needs the field period" in refused.output
    result = runner.invoke(args=["aggregate", "--by", "period,level", "--period", "2024:2026", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {r["period"] for r in document["rows"]} <= {2024, 2025, 2026}
    assert document["meta"]["period"] == {"grain": "year", "from": "2024", "to": "2026"}
    quarters = runner.invoke(args=["aggregate", "--by", "period", "--period", "2025Q1:2025Q4"])
    assert quarters.exit_code == 0, quarters.output
    assert "20251,2025Q1" in quarters.stdout


def test_aggregate_refuses_a_minimum_cell_below_the_admin_floor(app: Flask, runner: FlaskCliRunner,
                                                                load_demo: Load) -> None:
    load_demo(200, seed=23)
    app.config["DISCLOSURE_MIN_K"] = 4
    refused = runner.invoke(args=["aggregate", "--by", "level", "--min-cell", "3"])
    assert refused.exit_code == 2 and "minimum cell size is 4" in refused.output
    raised = runner.invoke(args=["aggregate", "--by", "level", "--min-cell", "10"])
    assert raised.exit_code == 0 and "k = 10" in raised.stderr
    app.config["DISCLOSURE_K"] = 2  # a configured k under the floor is raised to the floor
    assert "k = 4" in runner.invoke(args=["aggregate", "--by", "level"]).stderr


def test_aggregate_writes_xlsx_and_rejects_bad_arguments(app: Flask, runner: FlaskCliRunner, load_demo: Load,
                                                        tmp_path: Path) -> None:
    load_demo(200, seed=24)
    target = tmp_path / "cells.xlsx"
    result = runner.invoke(args=["aggregate", "--by", "size,level", "-o", str(target)])
    assert result.exit_code == 0, result.output
    workbook = load_workbook(target, read_only=True)
    assert len(workbook.worksheets) == 2
    assert runner.invoke(args=["aggregate", "--by", "size", "--format", "xlsx"]).exit_code == 2
    assert runner.invoke(args=["aggregate", "--by", "owner"]).exit_code == 2
    assert runner.invoke(args=["aggregate", "--by", "size", "--region", "999999"]).exit_code == 2
    assert runner.invoke(args=["aggregate", "--by", "size", "--period", "2025Q5"]).exit_code == 2


def test_demo_data_loads_assessments_marked_demo_and_can_be_deleted(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["demo-data", "--count", "150", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("150 demo assessments of ")
    with site(app).engine.connect() as connection:
        flags = connection.exec_driver_sql(
            "SELECT (SELECT COUNT(*) FROM assessments WHERE demo), (SELECT COUNT(*) FROM enterprises WHERE demo), "
            "(SELECT COUNT(*) FROM assessment_facts WHERE demo), (SELECT COUNT(*) FROM assessment_facts)").one()
    assert flags[0] == 150 and flags[2] == 150 == flags[3] and flags[1] > 0
    deleted = runner.invoke(args=["demo-data", "--delete"])
    assert deleted.exit_code == 0 and "deleted 150 demo assessments" in deleted.output
    with site(app).sessions() as session:
        assert facts.fact_count(session) == 0


def test_facts_rebuild_recomputes_demo_facts_from_their_answers(app: Flask, runner: FlaskCliRunner,
                                                                load_demo: Load) -> None:
    load_demo(120, seed=25)
    before = sorted((r.assessment_id, r.level, r.total, r.d1, r.s01, r.latest_of_year) for r in fact_rows(app))
    result = runner.invoke(args=["facts", "rebuild", "--include-demo"])
    assert result.exit_code == 0 and "wrote 120 facts (120 in all)" in result.output
    after = sorted((r.assessment_id, r.level, r.total, r.d1, r.s01, r.latest_of_year) for r in fact_rows(app))
    assert after == before
