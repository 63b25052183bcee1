"""Exports: CSV, XLSX and JSON with the dashboard's filters; suppressed cells listed and marked; demo marked."""

from __future__ import annotations

import csv
import io
import json

from authority import Load, Login
from direct_counts import by, counted, fact_rows
from flask import Flask
from openpyxl import load_workbook

from assessment.domain.disclosure import audit


def test_a_csv_export_parses_and_its_published_counts_equal_a_direct_computation(
        app: Flask, load_demo: Load, official: Login) -> None:
    load_demo(900, provinces=("32",), seed=11)
    rows = fact_rows(app)
    year = max(r.year for r in rows)
    response = official("320000").get(f"/official/export.csv?period={year}&by=size,level")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    cells = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert list(cells[0])[:4] == ["size", "size_name", "level", "level_name"]
    expected = counted(rows, year, lambda r: r.province == "320000")
    cross = by(expected, lambda r: (r.size, str(r.level)))
    totals = by(expected, lambda r: r.size)
    for cell in cells:
        if cell["suppressed"] == "true":
            assert cell["count"] == "" and cell["mean_score"] == ""
            continue
        count = int(cell["count"])
        assert count == 0 or count >= 5
        if cell["size"] != "total" and cell["level"] == "total":
            assert count == totals[cell["size"]]
        elif cell["size"] != "total" and cell["level"] not in ("total", "2+"):
            assert count == cross[(cell["size"], cell["level"])]
    grand = next(c for c in cells if c["size"] == "total" and c["level"] == "total")
    assert int(grand["count"]) == len(expected)
    assert {c["demo"] for c in cells if c["suppressed"] == "false"} == {"true"}


def test_an_xlsx_export_opens_in_openpyxl_with_a_data_dictionary(app: Flask, load_demo: Load,
                                                                  official: Login) -> None:
    load_demo(500, provinces=("32",), seed=12)
    response = official("320000").get("/official/export.xlsx?by=region,level")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    cells, dictionary = workbook.worksheets
    header = [c.value for c in next(cells.iter_rows(max_row=1))]
    assert header[:4] == ["region", "region_name", "level", "level_name"] and "count" in header
    described = [row[0] for row in dictionary.iter_rows(min_row=2, values_only=True) if row]
    assert set(header) <= set(described)
    assert any(row and row[0] == "k" and row[1] == 5 for row in dictionary.iter_rows(values_only=True))
    data = list(cells.iter_rows(min_row=2, values_only=True))
    suppressed = header.index("suppressed")
    count = header.index("count")
    assert data and all((row[count] is None) == row[suppressed] for row in data)


def test_a_json_export_parses_with_metadata_and_rows(app: Flask, load_demo: Load, official: Login) -> None:
    load_demo(500, provinces=("32",), seed=13)
    response = official("320000").get("/official/export.json?by=zjtx&size=small")
    assert response.status_code == 200
    document = json.loads(response.data)
    assert document["meta"]["filters"] == {"size_class": "small"}
    assert document["meta"]["jurisdiction"]["code"] == "320000"
    assert document["meta"]["k"] == 5 and document["meta"]["demo"] is True
    assert [c["name"] for c in document["columns"]][:2] == ["zjtx", "zjtx_name"]
    assert {r["zjtx"] for r in document["rows"]} <= {"none", "provincial", "national_little_giant", "total"}


def test_exported_cells_pass_the_audit(app: Flask, load_demo: Load) -> None:
    load_demo(700, provinces=("44",), seed=14)
    from assessment.services.aggregates.cells import Labels
    from assessment.services.aggregates.exports import CellRequest, cell_export
    from assessment.services.aggregates.facts import layouts
    from assessment.services.aggregates.jurisdiction import jurisdiction_of
    from assessment.services.aggregates.policy import disclosure_policy
    from assessment.services.language import translator
    from assessment.web.database import db
    from assessment.web.site import site

    here = site(app)
    with app.test_request_context():
        layout = layouts(here.library)["miit-2024"]
        jurisdiction = jurisdiction_of(here.regions, "440000")
        assert jurisdiction is not None
        export = cell_export(
            db(), regions=here.regions, industries=here.industries, layout=layout,
            request=CellRequest(("region", "section", "level"), "miit-2024", jurisdiction=jurisdiction),
            policy=disclosure_policy(app.config), labels=Labels(here.regions, here.industries, translator("zh"), "zh"))
    assert export.protected is not None and export.protected.suppressed
    assert audit([export.protected]) == ()
    rows = list(export.rows)
    assert len(rows) == len(list(export.protected.cells(zeros=False)))


def test_an_unknown_export_field_is_a_bad_request(app: Flask, load_demo: Load, official: Login) -> None:
    load_demo(100, provinces=("32",), seed=1)
    client = official("320000")
    assert client.get("/official/export.csv?by=owner").status_code == 400
    assert client.get("/official/export.pdf").status_code == 404


def test_a_download_with_more_combinations_than_the_limit_is_refused(app: Flask, load_demo: Load,
                                                                     official: Login) -> None:
    load_demo(300, provinces=("32",), seed=15)
    app.config["EXPORT_MAX_GROUPS"] = 10
    refused = official("320000").get("/official/export.csv?by=region,size,level")
    assert refused.status_code == 400
    assert "单元格过多" in refused.get_data(as_text=True)
