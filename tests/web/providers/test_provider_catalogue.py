"""A provider's own catalogue entries (catalogue/1): made, changed and removed on a form or imported from CSV/XLSX,
checked by the catalogue rules, and recommended to that provider's clients with the provider's name."""

from __future__ import annotations

import csv
import io
import re

from flask.testing import FlaskClient
from scene import SOLUTION
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart
from world import Tenant, World

from assessment.content.catalogue_columns import columns
from assessment.content.catalogue_io import CatalogueHeader, export_xlsx, import_csv
from assessment.db import providers
from assessment.services.provider_catalogue import FORM_COLUMNS, LANGUAGES
from assessment.web.site import site

STRONG = {**SOLUTION, "id": "lift-all", "name_zh": "全场景提升套件", "name_en": "All-scenario lift",
          "scenarios": "S02:2->4;S04:2->4;S08:2->4;S09:2->4;S14:2->4;S16:1->4", "industries": "any",
          "sizes": "large;medium;small;micro", "price_min_cny": "1000", "price_max_cny": "2000"}


def _form(cells: dict[str, str]) -> dict[str, str]:
    return {c: cells.get(c, "") for c in FORM_COLUMNS}


def _entries(world: World, organisation_id: int) -> list[providers.SolutionRow]:
    with world.session() as session:
        return providers.solutions(session, organisation_id)


def _import(client: FlaskClient, name: str, content: bytes) -> TestResponse:
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), filename=name)})
    return client.post("/provider/catalogue/import", data=body,
                       content_type=f'multipart/form-data; boundary="{boundary}"')


def test_a_provider_adds_an_entry_that_carries_its_name(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    assert staff.post("/provider/catalogue/new", data=_form(SOLUTION)).status_code == 303
    [row] = _entries(world, tenant.organisation_id)
    assert row.entry_id == "mes-lite"
    assert (row.cells["provider_name_zh"], row.cells["provider_name_en"]) == ("服务商A", "服务商A")
    assert "轻量MES" in staff.get("/provider/catalogue").text


def test_an_entry_that_breaks_the_catalogue_rules_is_refused_beside_its_field(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    bad = {**SOLUTION, "price_min_cny": "90000", "scenarios": "S06:3->1"}
    response = staff.post("/provider/catalogue/new", data=_form(bad))
    assert response.status_code == 422
    assert 'id="price_min_cny-error"' in response.text or 'id="price_max_cny-error"' in response.text
    assert 'id="scenarios-error"' in response.text
    assert 'value="S06:3-&gt;1"' in response.text, "what was typed stays in the form"
    assert _entries(world, tenant.organisation_id) == []


def test_an_entry_id_used_twice_is_refused(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    staff.post("/provider/catalogue/new", data=_form(SOLUTION))
    again = staff.post("/provider/catalogue/new", data=_form({**SOLUTION, "name_zh": "另一个"}))
    assert again.status_code == 422 and "duplicate entry id" in again.text
    assert len(_entries(world, tenant.organisation_id)) == 1


def test_a_provider_changes_and_removes_its_entries(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    staff.post("/provider/catalogue/new", data=_form(SOLUTION))
    [row] = _entries(world, tenant.organisation_id)
    assert staff.post(f"/provider/catalogue/{row.id}", data=_form({**SOLUTION, "name_zh": "轻量MES 2.0"})
                      ).status_code == 303
    [changed] = _entries(world, tenant.organisation_id)
    assert changed.cells["name_zh"] == "轻量MES 2.0" and changed.id == row.id
    assert staff.post(f"/provider/catalogue/{row.id}/delete").status_code == 303
    assert _entries(world, tenant.organisation_id) == []


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns(LANGUAGES))
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns(LANGUAGES)})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def test_a_csv_import_is_all_or_nothing(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    good = [SOLUTION, {**SOLUTION, "id": "aps-lite", "name_zh": "轻量APS"}]
    broken = [*good, {**SOLUTION, "id": "bad", "weeks_min": "nine"}]
    refused = _import(staff, "list.csv", _csv(broken))
    assert refused.status_code == 422 and "未导入任何内容" in refused.text and "row 4" in refused.text
    assert _entries(world, tenant.organisation_id) == []
    assert _import(staff, "list.csv", _csv(good)).status_code == 303
    assert {r.entry_id for r in _entries(world, tenant.organisation_id)} == {"mes-lite", "aps-lite"}
    replaced = _import(staff, "list.csv", _csv([{**SOLUTION, "name_zh": "轻量MES（新）"}]))
    assert replaced.status_code == 303
    assert {r.entry_id: r.cells["name_zh"] for r in _entries(world, tenant.organisation_id)} == {
        "mes-lite": "轻量MES（新）", "aps-lite": "轻量APS"}
    assert _import(staff, "list.txt", b"id\n").status_code == 422


def test_an_xlsx_import_and_the_csv_export_round_trip(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    questionnaire = site(world.app).library.questionnaire("miit-2024")
    header = CatalogueHeader("other", "1", "miit-2024", LANGUAGES, {"zh": "别处", "en": "Elsewhere"})
    theirs = {**SOLUTION, "provider_name_zh": "别处服务商", "provider_name_en": "Elsewhere Ltd"}
    catalogue = import_csv(_csv([theirs]).decode("utf-8-sig"), header, {questionnaire.id: questionnaire})
    assert _import(staff, "list.xlsx", export_xlsx(catalogue)).status_code == 303
    exported = staff.get("/provider/catalogue/export.csv")
    assert exported.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert [(r["id"], r["name_zh"], r["provider_name_zh"]) for r in rows] == [("mes-lite", "轻量MES", "服务商A")]


def _client_result(world: World, tenant: Tenant) -> str:
    sid = world.assessment(tenant, "guided", submit=True)
    return world.client(tenant.owner_id).get(f"/results/{sid}").text


def test_the_provider_entries_are_recommended_to_its_clients_with_its_name(world: World) -> None:
    a = world.tenant("A", "91370102MA3C00001")
    b = world.tenant("B", "91370102MA3C00002")
    world.client(a.staff_id).post("/provider/catalogue/new", data=_form(STRONG))
    page = _client_result(world, a)
    block = re.search(r'id="lift-all"|全场景提升套件', page)
    assert block is not None, "the provider's entry is among the client's recommendations"
    entry = page[page.index("全场景提升套件"):][:3000]
    assert "服务商A" in entry, "shown with the provider's name"
    assert "全场景提升套件" not in _client_result(world, b), "other providers' clients do not get it"
