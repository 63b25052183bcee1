"""Catalogue imports are read as streams within caps (file size, rows, columns, characters per cell and in all, an
XLSX's parts and unpacked size); a cap that is hit is named with its file, row, column and limit, and nothing is
imported. Figures for 10 MiB files: bench/imports.py."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from flask.testing import FlaskClient
from scene import SOLUTION
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart
from world import World

from assessment.content.catalogue_columns import columns
from assessment.content.catalogue_sheets import CatalogueImportInvalid, ImportLimits, ImportRefused, read_spreadsheet
from assessment.db import providers
from assessment.services import provider_catalogue
from assessment.services.provider_catalogue import LANGUAGES, PROVIDER_COLUMNS

NAMES = [c for c in columns(LANGUAGES) if c not in PROVIDER_COLUMNS]
MIB = 1024 * 1024


def entry(n: int, **cells: str) -> dict[str, str]:
    """A valid catalogue row with its own id."""
    return {**{k: v for k, v in SOLUTION.items() if k not in PROVIDER_COLUMNS}, "id": f"entry-{n}", **cells}


def csv_bytes(rows: list[dict[str, str]], encoding: str = "utf-8-sig", names: list[str] = NAMES) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "entries"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_of(entries: list[dict[str, str]]) -> bytes:
    return xlsx_bytes([NAMES, *[[e[n] for n in NAMES] for e in entries]])


def post(client: FlaskClient, name: str, content: bytes) -> TestResponse:
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), filename=name)})
    return client.post("/provider/catalogue/import", data=body,
                       content_type=f'multipart/form-data; boundary="{boundary}"')


def stored(world: World, organisation_id: int) -> list[str]:
    with world.session() as session:
        return [r.entry_id for r in providers.solutions(session, organisation_id)]


def refused(content: bytes, name: str, limits: ImportLimits) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        read_spreadsheet(name, io.BytesIO(content), limits)
    return caught.value


# --- through the import page, on both databases --------------------------------------------------------------

def test_more_rows_than_the_cap_are_refused_naming_file_row_and_cap_and_nothing_is_imported(world: World) -> None:
    world.app.config["CATALOGUE_MAX_ENTRIES"] = 3
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    four = [entry(n) for n in range(4)]
    for name, content in (("清单.csv", csv_bytes(four)), ("清单.xlsx", xlsx_of(four))):
        response = post(staff, name, content)
        assert response.status_code == 422
        assert f"{name} 第 5 行：表头以下超过 3 行（空行也计算在内）。每个文件最多导入 3 个条目。" in response.text
        assert stored(world, tenant.organisation_id) == []
    assert post(staff, "清单.csv", csv_bytes(four[:3])).status_code == 303
    assert len(stored(world, tenant.organisation_id)) == 3


def test_the_message_is_english_for_an_english_page(world: World) -> None:
    world.app.config["CATALOGUE_MAX_ENTRIES"] = 1
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    staff.set_cookie("lang", "en")
    response = post(staff, "list.csv", csv_bytes([entry(1), entry(2)]))
    assert response.status_code == 422
    assert ("list.csv, row 3: more than 1 rows below the header (blank rows count too). Import at most 1 entries "
            "per file.") in response.text


def test_a_catalogue_never_grows_past_the_cap_by_imports_or_by_the_form(world: World) -> None:
    world.app.config["CATALOGUE_MAX_ENTRIES"] = 2
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    assert post(staff, "a.csv", csv_bytes([entry(1), entry(2)])).status_code == 303
    again = post(staff, "b.csv", csv_bytes([entry(3)]))
    assert again.status_code == 422 and "目录将有 3 个条目，最多保留 2 个。请先删除条目再添加。" in again.text
    assert post(staff, "c.csv", csv_bytes([entry(2, name_zh="换个名字")])).status_code == 303, "replacing is fine"
    form = {c: entry(4).get(c, "") for c in provider_catalogue.FORM_COLUMNS}
    by_form = staff.post("/provider/catalogue/new", data=form)
    assert by_form.status_code == 422 and "目录将有 3 个条目" in by_form.text
    assert sorted(stored(world, tenant.organisation_id)) == ["entry-1", "entry-2"]


def test_a_cell_longer_than_the_cap_is_named_by_row_and_column(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    long = "很长" * 1001
    response = post(staff, "清单.csv", csv_bytes([entry(1), entry(2, summary_zh=long)]))
    assert response.status_code == 422
    assert "清单.csv 第 3 行 summary_zh 列：单元格有 2002 个字符，最多允许 2000 个。" in response.text
    assert stored(world, tenant.organisation_id) == []


def test_more_columns_than_the_cap_are_refused(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    wide = [*NAMES, *[f"extra{n}" for n in range(100 - len(NAMES))], "one too many"]
    response = post(staff, "wide.xlsx", xlsx_bytes([wide]))
    assert response.status_code == 422
    assert "wide.xlsx 第 1 行 CW 列：超过 100 列。" in response.text
    response = post(staff, "wide.csv", csv_bytes([], names=wide))
    assert "wide.csv 第 1 行 #101 列：超过 100 列。" in response.text
    assert stored(world, tenant.organisation_id) == []


def test_a_file_larger_than_the_import_limit_is_refused_before_it_is_read(world: World) -> None:
    world.app.config["CATALOGUE_IMPORT_MAX_BYTES"] = 4096
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    content = csv_bytes([entry(n) for n in range(40)])
    assert len(content) > 4096
    response = post(staff, "清单.csv", content)
    assert response.status_code == 422 and "清单.csv：文件超过 0.0 MB。" in response.text
    far_too_big = post(staff, "清单.csv", content * 40)
    assert far_too_big.status_code == 413 and "可导入不超过 0.0 MB 的文件" in far_too_big.text
    assert stored(world, tenant.organisation_id) == []


def test_the_import_route_has_its_own_body_limit_above_the_site_wide_one(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    many = [entry(n, summary_zh="车间报工与排产" * 40) for n in range(700)]
    content = csv_bytes(many)
    assert len(content) > world.app.config["MAX_CONTENT_LENGTH"]
    assert post(staff, "big.csv", content).status_code == 303
    assert len(stored(world, tenant.organisation_id)) == 700


def test_a_zip_bomb_is_refused_from_its_directory_before_openpyxl_opens_it(world: World, tmp_path: Path) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            for _ in range(64):
                part.write(bytes(MIB))
    assert bomb.stat().st_size < 200 * 1024
    response = post(staff, "bomb.xlsx", bomb.read_bytes())
    assert response.status_code == 422
    assert "bomb.xlsx：工作簿解压后为 64.0 MB，最多接受 16.0 MB。" in response.text
    assert stored(world, tenant.organisation_id) == []


def test_a_gb18030_csv_from_excel_on_chinese_windows_imports(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    response = post(staff, "目录.csv", csv_bytes([entry(1, name_zh="轻量制造执行系统")], encoding="gb18030"))
    assert response.status_code == 303
    with world.session() as session:
        [row] = providers.solutions(session, tenant.organisation_id)
    assert row.cells["name_zh"] == "轻量制造执行系统"


def test_a_csv_in_another_encoding_is_refused_with_what_to_do(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    response = post(staff, "list.csv", csv_bytes([entry(1)], encoding="utf-16"))
    assert response.status_code == 422
    assert "list.csv：文件既不是 UTF-8 也不是 GB18030 文本。请另存为“CSV UTF-8”。" in response.text
    assert stored(world, tenant.organisation_id) == []


def test_a_10_mib_csv_is_refused_by_the_row_cap_and_nothing_is_written(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    content = csv_bytes([entry(n, summary_zh="车间报工与排产" * 20) for n in range(15500)])
    assert 9 * MIB < len(content) <= 10 * MIB
    response = post(staff, "全部.csv", content)
    assert response.status_code == 422 and "全部.csv 第 1002 行：表头以下超过 1000 行" in response.text
    assert stored(world, tenant.organisation_id) == []


def test_an_exported_catalogue_with_formula_like_text_imports_back_unchanged(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    hostile = entry(1, name_zh="=1+1", name_en="@SUM(A1)", summary_zh="-2+3", summary_en="'quoted",
                    effects_zh="-报工及时率提升\n+良品率", effects_en="=faster\n+better")
    assert post(staff, "a.csv", csv_bytes([hostile])).status_code == 303
    before = {r.entry_id: r.cells for r in providers_rows(world, tenant.organisation_id)}
    exported = staff.get("/provider/catalogue/export.csv").data
    assert post(staff, "a.csv", exported).status_code == 303
    after = {r.entry_id: r.cells for r in providers_rows(world, tenant.organisation_id)}
    assert after == before and after["entry-1"]["name_zh"] == "=1+1"


def providers_rows(world: World, organisation_id: int) -> list[providers.SolutionRow]:
    with world.session() as session:
        return providers.solutions(session, organisation_id)


# --- the caps one by one, on the reader ----------------------------------------------------------------------

SMALL = ImportLimits(file_bytes=MIB, rows=5, columns=40, cell_chars=50, text_chars=2000, parts=20,
                     unpacked_bytes=MIB)


def test_the_characters_of_all_cells_together_are_capped() -> None:
    content = csv_bytes([entry(n, summary_zh="报" * 45) for n in range(5)])
    problem = refused(content, "all.csv", replace(SMALL, text_chars=1000)).problem
    assert problem.code == "text" and problem.params["limit"] == 1000 and problem.params["row"] > 2


def test_a_text_line_longer_than_the_cap_is_refused_without_reading_it_whole() -> None:
    content = b"id," + b"x" * (SMALL.line_chars + 10) + b"\r\n"
    problem = refused(content, "line.csv", SMALL).problem
    assert (problem.code, problem.params["line"]) == ("line", 1)


def test_an_unclosed_quote_is_a_message_not_an_error_page() -> None:
    content = b'id,name_zh\r\n"never closed,' + b"abc\r\n" * 40000
    problem = refused(content, "quote.csv", ImportLimits()).problem
    assert problem.code == "csv" and "field larger than field limit" in problem.params["reason"]


def test_a_workbook_with_too_many_parts_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(21):
            archive.writestr(f"part{n}.xml", "<x/>")
    problem = refused(out.getvalue(), "parts.xlsx", SMALL).problem
    assert problem.code == "parts" and problem.render() == "parts.xlsx: the workbook has more than 20 parts."


def test_a_part_that_unpacks_to_more_than_it_declares_is_not_read_past_its_declaration() -> None:
    honest = xlsx_of([entry(1)])
    lying = _understate_sizes(honest, "xl/worksheets/sheet1.xml", 64)
    with pytest.raises(CatalogueImportInvalid) as caught:
        read_spreadsheet("lying.xlsx", io.BytesIO(lying), ImportLimits())
    assert caught.value.errors[0].message.startswith("not an XLSX workbook")


def _understate_sizes(data: bytes, member: str, size: int) -> bytes:
    """The zip with one member's declared unpacked size set to `size` in its local header and its directory entry."""
    raw = bytearray(data)
    name = member.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = 0
        while (at := raw.find(signature, at)) >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if raw[name_at:name_at + len(name)] == name:
                raw[at + offset:at + offset + 4] = size.to_bytes(4, "little")
            at += 4
    return bytes(raw)


def test_a_declared_sheet_size_is_ignored_so_it_cannot_pad_rows() -> None:
    data = xlsx_of([entry(1), entry(2)])
    padded = _with_dimension(data, "A1:XFD1048576")
    table = read_spreadsheet("padded.xlsx", io.BytesIO(padded), ImportLimits())
    assert [number for number, _cells in table.rows] == [2, 3]
    assert table.columns == NAMES


def _with_dimension(data: bytes, ref: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                start = text.index("<dimension ref=\"") + len("<dimension ref=\"")
                content = (text[:start] + ref + text[text.index("\"", start):]).encode()
            archive.writestr(info, content)
    return out.getvalue()


def test_only_csv_and_xlsx_files_are_read() -> None:
    problem = refused(b"id\n", "list.txt", ImportLimits()).problem
    assert problem.render() == "list.txt: only .csv and .xlsx files can be imported."
