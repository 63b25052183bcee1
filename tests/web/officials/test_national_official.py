"""A national official (region code 000000): created by the CLI or the site admin, sees every fact of the country,
provinces as the child regions of the breakdown and the exports, and may narrow the view to a province or city."""

from __future__ import annotations

import csv
import io

from authority import Load, logged_in, make_account
from direct_counts import by, counted, fact_rows
from flask import Flask
from flask.testing import FlaskClient

from assessment.db import officials, queries
from assessment.services.aggregates.filters import Selection
from assessment.services.aggregates.jurisdiction import NATIONAL, NATIONAL_CODE, child_regions, jurisdiction_of
from assessment.web.site import site

PASSWORD = "correct horse battery"


def population(html: str) -> int:
    """The published population on a dashboard page."""
    start = html.index('<dd id="population">') + len('<dd id="population">')
    return int(html[start:html.index("</dd>", start)])


def export_rows(client: FlaskClient, query: str) -> list[dict[str, str]]:
    """A CSV export parsed into rows."""
    response = client.get(f"/official/export.csv?{query}")
    assert response.status_code == 200, response.data
    assert f'filename="aggregates-{NATIONAL_CODE}-' in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_user_create_makes_a_national_official(app: Flask) -> None:
    runner = app.test_cli_runner()
    national = runner.invoke(args=["user", "create", "--email", "nation@example.gov.cn", "--role", "official",
                                   "--national", "--password-stdin"], input=PASSWORD + "\n")
    assert national.exit_code == 0, national.output
    by_code = runner.invoke(args=["user", "create", "--email", "nation2@example.gov.cn", "--role", "official",
                                  "--region", NATIONAL_CODE, "--password-stdin"], input=PASSWORD + "\n")
    assert by_code.exit_code == 0, by_code.output
    both = runner.invoke(args=["user", "create", "--email", "x@example.gov.cn", "--role", "official", "--national",
                               "--region", "320000", "--password-stdin"], input=PASSWORD + "\n")
    assert both.exit_code == 2 and "not both" in both.output
    not_official = runner.invoke(args=["user", "create", "--email", "y@example.com", "--role", "enterprise",
                                       "--national", "--password-stdin"], input=PASSWORD + "\n")
    assert not_official.exit_code == 2 and "--role official" in not_official.output
    with site(app).sessions() as session:
        records = [queries.user_by_email(session, e) for e in ("nation@example.gov.cn", "nation2@example.gov.cn")]
        assert queries.user_by_email(session, "x@example.gov.cn") is None
    assert [(r.role, r.region_code) for r in records if r is not None] == [("official", NATIONAL_CODE)] * 2


def test_the_site_admin_adds_a_national_official_with_the_code_000000(app: Flask) -> None:
    admin = logged_in(app, make_account(app, "root@example.com", "site_admin"))
    response = admin.post("/admin/officials", data={"official-email": "nation@example.gov.cn",
                                                    "official-display_name": "", "official-province": "000000"})
    assert response.status_code == 303, response.get_data(as_text=True)
    refused = admin.post("/admin/officials", data={"official-email": "nowhere@example.gov.cn",
                                                   "official-display_name": "", "official-province": "999999"})
    assert refused.status_code == 422
    with site(app).sessions() as session:
        record = queries.user_by_email(session, "nation@example.gov.cn")
        assert queries.user_by_email(session, "nowhere@example.gov.cn") is None
    assert record is not None and (record.role, record.region_code) == ("official", NATIONAL_CODE)


def test_a_national_official_sees_every_fact_with_provinces_as_child_regions(app: Flask, load_demo: Load) -> None:
    load_demo(900, provinces=("32", "33", "44"), seed=51)
    rows = fact_rows(app)
    year = max(r.year for r in rows)
    expected = counted(rows, year)
    assert jurisdiction_of(site(app).regions, NATIONAL_CODE) == NATIONAL
    user_id = make_account(app, "nation@example.gov.cn", "official", NATIONAL_CODE)
    nation = logged_in(app, user_id)
    page = nation.get(f"/official/?period={year}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert population(html) == len(expected)
    assert "全国" in html and "江苏省" in html and "浙江省" in html and "广东省" in html
    assert 'value="320000"' in html and 'value="320100"' in html  # provinces and their cities in the region filter

    cells = export_rows(nation, f"period={year}&by=region")
    provinces = {r.code for r in site(app).regions.provinces()}
    assert {c["region"] for c in cells} <= provinces | {"total"}
    assert {c["region"] for c in cells if c["count"]} >= {"320000", "330000", "440000", "total"}
    per_province = by(expected, lambda r: r.province)
    for cell in cells:
        if cell["region"] != "total" and cell["count"]:
            assert int(cell["count"]) == per_province[cell["region"]]
    assert int(next(c for c in cells if c["region"] == "total")["count"]) == len(expected)

    with site(app).sessions() as session:
        logged = [(e.kind, e.region_code) for e in officials.access_log(session, user_id=user_id)]
    assert logged == [("dashboard", NATIONAL_CODE), ("export", NATIONAL_CODE)]


def test_a_national_official_narrows_the_view_to_a_province_or_a_city(app: Flask, load_demo: Load) -> None:
    load_demo(700, provinces=("32", "33"), seed=52)
    rows = fact_rows(app)
    year = max(r.year for r in rows)
    nation = logged_in(app, make_account(app, "nation@example.gov.cn", "official", NATIONAL_CODE))
    jiangsu = nation.get(f"/official/?period={year}&region=320000").get_data(as_text=True)
    assert "请选择本辖区内的地区。" not in jiangsu
    assert population(jiangsu) == len(counted(rows, year, lambda r: r.province == "320000"))
    assert "南京市" in jiangsu  # the province's cities are now the breakdown's child regions
    cities = export_rows(nation, f"period={year}&region=320000&by=city")
    assert {c["city"] for c in cities} <= {"total"} | {r.code for r in site(app).regions.cities("320000")}
    assert int(next(c for c in cities if c["city"] == "total")["count"]) == population(jiangsu)
    city, size = by(counted(rows, year, lambda r: r.province == "320000"), lambda r: r.city).most_common(1)[0]
    assert size >= 20, size  # the population floor (k = 5)
    one_city = nation.get(f"/official/?period={year}&region={city}").get_data(as_text=True)
    assert population(one_city) == size


def test_the_national_jurisdiction_has_no_conditions_and_a_province_filter_selects_the_province(app: Flask) -> None:
    regions = site(app).regions
    assert NATIONAL.conditions() == ()
    selection = Selection("miit-2024", region="320000")
    assert selection.filters(regions) == (("province_code", "320000"),)
    assert Selection("miit-2024", region="320100").filters(regions) == (("city_code", "320100"),)
    assert Selection("miit-2024", region="320102").filters(regions) == (("region_code", "320102"),)
    assert [r.code for r in child_regions(regions, NATIONAL.code)] == [r.code for r in regions.provinces()]
