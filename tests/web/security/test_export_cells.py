"""Every CSV and XLSX export writes text a spreadsheet could take for a formula (`= + - @`, tab, CR) with a quote in
front, numbers as numbers; every download of personal data is `Cache-Control: no-store`."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from authority import logged_in, make_account
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from scene import SOLUTION
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart
from world import World

from assessment.content.catalogue_io import export_csv, export_xlsx, import_csv
from assessment.db import providers
from assessment.domain.spreadsheet import FORMULA_STARTS, neutralise, restore
from assessment.services import aggregates, demo, provider_catalogue
from assessment.services.aggregates import CellExport, Labels
from assessment.services.provider_catalogue import FORM_COLUMNS
from assessment.web.site import site

TRIGGERS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]
HOSTILE = {"name_zh": "=1+1", "name_en": "+cmd|' /C calc'!A0", "summary_zh": "-2+3", "summary_en": "@SUM(A1:A9)",
           "listing_source": "\t=HYPERLINK(\"http://example.com\")", "effects_zh": "-报工及时率提升",
           "effects_en": "=faster reports"}


def is_safe(value: object) -> bool:
    """Text that a spreadsheet shows as text: it does not start with a formula character."""
    return not isinstance(value, str) or not value.startswith(FORMULA_STARTS)


# --- the rule ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", TRIGGERS)
def test_text_that_starts_a_formula_gets_a_quote_in_front(text: str) -> None:
    assert neutralise(text) == "'" + text
    assert restore(neutralise(text)) == text


@pytest.mark.parametrize("value", [-3.5, -7, 0, 12, 2.25, True, False, None])
def test_numbers_and_other_values_are_left_as_they_are(value: object) -> None:
    assert neutralise(value) is value


def test_plain_text_is_left_as_it_is() -> None:
    assert neutralise("轻量MES") == "轻量MES" and neutralise("a=b") == "a=b" and neutralise("") == ""


@given(st.text(max_size=12))
def test_restore_undoes_neutralise_for_any_text(text: str) -> None:
    assert restore(neutralise(text)) == text  # type: ignore[arg-type]
    assert is_safe(neutralise(text))


# --- the provider's catalogue export (CSV) and the catalogue workbook (XLSX) ----------------------------------

def hostile_catalogue(world: World) -> tuple[FlaskClient, int]:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    form = {c: {**SOLUTION, **HOSTILE}.get(c, "") for c in FORM_COLUMNS}
    assert staff.post("/provider/catalogue/new", data=form).status_code == 303
    return staff, tenant.organisation_id


def test_the_catalogue_csv_export_neutralises_entry_texts_and_keeps_numbers(world: World) -> None:
    staff, _organisation = hostile_catalogue(world)
    response = staff.get("/provider/catalogue/export.csv")
    [row] = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    for column, text in HOSTILE.items():
        assert row[column] == "'" + text, column
    assert all(is_safe(v) for v in row.values())
    assert (row["price_min_cny"], row["weeks_max"]) == ("20000", "6")


def test_the_catalogue_workbook_neutralises_texts_and_writes_numbers_as_numbers(world: World) -> None:
    _staff, organisation_id = hostile_catalogue(world)
    here = site(world.app)
    questionnaire = here.library.questionnaire("miit-2024")
    with world.session() as session:
        organisation = providers.get_organisation(session, organisation_id)
        assert organisation is not None
        catalogue = provider_catalogue.catalogue_of(session, organisation, {questionnaire.id: questionnaire},
                                                    questionnaire.id)
    assert catalogue is not None
    sheet = openpyxl.load_workbook(io.BytesIO(export_xlsx(catalogue)))["entries"]
    header, values = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    row = dict(zip(header, values, strict=True))
    assert row["name_zh"] == "'=1+1" and row["summary_en"] == "'@SUM(A1:A9)"
    assert all(is_safe(v) for v in values)
    assert all(c.data_type != "f" for c in sheet[2])
    assert isinstance(row["price_min_cny"], int) and row["price_min_cny"] == 20000
    text = export_csv(catalogue)
    assert "'=1+1" in text
    back = import_csv(text, provider_catalogue.header(organisation, questionnaire.id, catalogue.version),
                      {questionnaire.id: questionnaire})
    assert back.solutions[0].name == {"zh": "=1+1", "en": "+cmd|' /C calc'!A0"}


# --- the officials' exports (CSV, XLSX) ----------------------------------------------------------------------

def hostile_cells() -> CellExport:
    rows = iter([("=1+1", "-2+3", -3.5, 12, True, None), ("@SUM(A1)", "\t=1", -7, 0, False, 1.25)])
    return CellExport(("=code", "name", "delta", "count", "suppressed", "mean"),
                      ("-a description", "+b", "c", "d", "e", "f"), rows, {"note": "=meta", "k": 5})


def test_the_officials_csv_writer_neutralises_text_and_leaves_negative_numbers(world: World) -> None:
    text = "".join(aggregates.csv_chunks(hostile_cells()))
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    assert rows[0] == ["'=code", "name", "delta", "count", "suppressed", "mean"]
    assert rows[1] == ["'=1+1", "'-2+3", "-3.5", "12", "true", ""]
    assert rows[2] == ["'@SUM(A1)", "'\t=1", "-7", "0", "false", "1.25"]


def test_the_officials_xlsx_writer_neutralises_text_and_writes_numbers_as_numbers(world: World) -> None:
    here = site(world.app)
    out = io.BytesIO()
    aggregates.write_xlsx(hostile_cells(), Labels(here.regions, here.industries, lambda s: s, "en"), out)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    cells, dictionary = book.worksheets
    rows = [[c.value for c in row] for row in cells.iter_rows()]
    assert rows[0][0] == "'=code"
    assert rows[1] == ["'=1+1", "'-2+3", -3.5, 12, True, None]
    assert rows[2] == ["'@SUM(A1)", "'\t=1", -7, 0, False, 1.25]
    assert all(c.data_type != "f" for row in cells.iter_rows() for c in row)
    described = [[c.value for c in row] for row in dictionary.iter_rows()]
    assert ["'=code", "'-a description"] in described and ["note", "'=meta"] in described and ["k", 5] in described


def officials_client(world: World) -> FlaskClient:
    here = site(world.app)
    with here.sessions() as session:
        demo.generate(session, library=here.library, regions=here.regions, industries=here.industries, count=200,
                      seed=3, provinces=("32",), pool=20)
    return logged_in(world.app, make_account(world.app, "official-32@example.gov.cn", "official", "320000"))


def test_the_officials_export_routes_write_safe_text_and_numeric_counts(world: World) -> None:
    official = officials_client(world)
    csv_response = official.get("/official/export.csv?by=size,level")
    assert csv_response.status_code == 200, csv_response.text[:300]
    rows = list(csv.reader(io.StringIO(csv_response.get_data(as_text=True).lstrip("\ufeff"), newline="")))
    assert all(is_safe(v) for row in rows for v in row)
    xlsx_response = official.get("/official/export.xlsx?by=region,level")
    assert xlsx_response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_response.data)).worksheets[0]
    header = [c.value for c in sheet[1]]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert all(is_safe(v) for row in values for v in row)
    counts = [row[header.index("count")] for row in values if row[header.index("count")] is not None]
    assert counts and all(isinstance(c, int) for c in counts)


# --- downloads of personal data are never cached -------------------------------------------------------------

def test_every_download_route_is_no_store(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff, owner = world.client(tenant.staff_id), world.client(tenant.owner_id)
    draft = world.assessment(tenant, "guided")
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(b"%PDF-1.4 topology"), filename="拓扑.pdf")})
    assert staff.post(f"/assessments/{draft}/items/Q1/files", data=body,
                      content_type=f'multipart/form-data; boundary="{boundary}"').status_code == 303
    with world.session() as session:
        [file] = providers.files(session, draft)
    submitted = world.assessment(tenant, "guided", submit=True)
    assert staff.post("/provider/catalogue/new", data={c: SOLUTION.get(c, "") for c in FORM_COLUMNS}).status_code == 303
    official = officials_client(world)
    downloads: list[tuple[str, FlaskClient, str]] = [
        ("onsite.download", owner, f"/assessments/{draft}/files/{file.id}"),
        ("results.report", owner, f"/results/{submitted}/report.pdf"),
        ("provider.export_entries", staff, "/provider/catalogue/export.csv"),
        ("official.export", official, "/official/export.csv?by=size"),
        ("official.export", official, "/official/export.xlsx?by=size"),
        ("official.export", official, "/official/export.json?by=size"),
        ("data_rights.export", owner, "/account/data/export.zip"),
    ]
    routes = {r.endpoint for r in world.app.url_map.iter_rules() if "GET" in (r.methods or ()) and any(
        mark in r.rule for mark in (".csv", ".xlsx", ".json", ".pdf", ".zip", "export", "/files/", "download"))}
    elsewhere = {  # downloads whose no-store header is asserted by the tests that make their content
        "workbooks.draft": "tests/web/test_workbook_download.py",
        "jobs.download": "tests/web/test_job_pages.py",
        "bulk_import.rejected": "tests/web/test_bulk_import_pages.py",
        "api_official.export": "tests/api/test_api_official.py",
        "official.export_job": "tests/web/test_large_export_job.py",
        "api_docs.openapi": "public: the API's description, the same for everyone",
    }
    covered = {endpoint for endpoint, _client, _path in downloads} | set(elsewhere)
    assert routes <= covered, f"download routes this test misses: {sorted(routes - covered)}"
    for endpoint, client, path in downloads:
        if endpoint not in routes:
            continue  # a route another part of issue 12 has not added yet
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["Content-Disposition"].startswith("attachment"), path
        response.close()
