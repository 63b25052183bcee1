"""An official's token: the dashboard's figures and the exports equal the web's for the same filters (suppressed cells
included), the web's filters are checked per parameter, and every other caller is refused; SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from api_callers import account, bearer, organisation, token
from authority import logged_in
from flask import Flask
from openpyxl import load_workbook

from assessment.domain.disclosure import TOTAL
from assessment.services import demo
from assessment.services.aggregates import officials
from assessment.services.aggregates.cells import Labels
from assessment.services.aggregates.dashboard import CountRow, Dashboard
from assessment.services.aggregates.facts import layouts
from assessment.services.aggregates.filters import read_filters
from assessment.services.aggregates.policy import disclosure_policy
from assessment.web.site import site

DASHBOARD = "/api/v1/official/dashboard"


def _load(app: Flask, count: int, provinces: tuple[str, ...], seed: int) -> None:
    here = site(app)
    with here.sessions() as session:
        demo.generate(session, library=here.library, regions=here.region_list, industries=here.industry_list,
                      count=count, seed=seed, provinces=provinces, pool=200)


@pytest.fixture
def official_of_jiangsu(app: Flask) -> tuple[int, str]:
    """An official of 江苏省 (320000) with a read token, and 400 generated assessments there and in 山东."""
    _load(app, 400, ("32", "37"), seed=21)
    user_id = account(app, "official-32@example.gov.cn", "official", region="320000")
    return user_id, token(app, user_id)


def _services_dashboard(app: Flask, user_id: int, args: dict[str, str]) -> Dashboard:
    """The dashboard the web's page renders for these filters, straight from the services."""
    here = site(app)
    labels = Labels(here.region_list, here.industry_list, lambda s: s, "zh")
    policy = disclosure_policy(app.config)
    with here.sessions() as session:
        found = officials.official_of(session, officials.authorization.principal_of(session, user_id), here.region_list)
        assert found is not None
        choices = read_filters(session, args, layouts=layouts(here.library), jurisdiction=found.jurisdiction,
                               policy=policy, labels=labels)
        assert not choices.errors
        return officials.view_dashboard(session, found, choices, policy=policy, labels=labels)


def _same_row(shown: dict[str, Any], row: CountRow) -> None:
    assert shown["key"] == ("total" if row.key is TOTAL else str(row.key))
    assert shown["count"] == row.count and shown["levels"] == list(row.levels)
    assert shown["at_target_level"] == row.share.count and shown["mean_score"] == row.mean_score


def test_the_dashboard_figures_are_the_webs_protected_figures_with_suppressed_cells_null(
        app: Flask, official_of_jiangsu: tuple[int, str]) -> None:
    user_id, secret = official_of_jiangsu
    args = {"size": "small"}
    response = app.test_client().get(DASHBOARD, query_string=args, headers=bearer(secret))
    assert response.status_code == 200, response.json
    shown = response.json
    board = _services_dashboard(app, user_id, args)
    assert board.refusal is None and board.total is not None
    assert shown["k"] == 5 and shown["jurisdiction"]["code"] == "320000" and shown["filters"]["size"] == "small"
    _same_row(shown["total"], board.total)
    assert [(x["level"], x["count"]) for x in shown["levels"]] == [(lv, count) for lv, _name, count in board.levels]
    assert [x["count"] for x in shown["bands"]] == [b.count for b in board.bands]
    assert [x["mean"] for x in shown["dimensions"]] == [d.mean for d in board.dimensions]
    assert [x["counts"] for x in shown["scenarios"]] == [list(s.counts) for s in board.scenarios]
    assert [b["field"] for b in shown["breakdowns"]] == [b.field for b in board.breakdowns]
    for listed, breakdown in zip(shown["breakdowns"], board.breakdowns, strict=True):
        _same_row(listed["total"], breakdown.total)
        for row_shown, row in zip(listed["rows"], breakdown.rows, strict=True):
            _same_row(row_shown, row)
    cells = [c for b in shown["breakdowns"] for r in b["rows"] for c in (r["count"], *r["levels"])]
    assert board.suppressed and shown["suppressed"] and None in cells  # the suppressed cells are there, as null
    assert all(c is None or c == 0 or c >= 5 for c in cells)


def test_the_exports_are_the_webs_downloads_cell_for_cell(app: Flask, official_of_jiangsu: tuple[int, str]) -> None:
    user_id, secret = official_of_jiangsu
    web = logged_in(app, user_id)
    for kind, query in (("csv", "by=size,level"), ("json", "by=zjtx&size=small"), ("csv", "by=region,level&zeros=1")):
        ours = app.test_client().get(f"/api/v1/official/exports/{kind}?{query}", headers=bearer(secret))
        theirs = web.get(f"/official/export.{kind}?{query}")
        assert ours.status_code == theirs.status_code == 200
        assert ours.headers["Cache-Control"] == "no-store"
        if kind == "json":
            mine, web_document = json.loads(ours.data), json.loads(theirs.data)
            mine["meta"].pop("generated_at", None)
            web_document["meta"].pop("generated_at", None)
            assert mine == web_document
        else:
            assert ours.data == theirs.data and "suppressed" in ours.get_data(as_text=True)
        assert ours.headers["Content-Disposition"] == theirs.headers["Content-Disposition"]
    workbook = app.test_client().get("/api/v1/official/exports/xlsx?by=region,level", headers=bearer(secret))
    assert workbook.status_code == 200
    header = [c.value for c in next(load_workbook(io.BytesIO(workbook.data), read_only=True).worksheets[0]
                                    .iter_rows(max_row=1))]
    assert header[:4] == ["region", "region_name", "level", "level_name"]


def test_a_region_of_another_jurisdiction_is_refused_for_that_parameter_as_the_web_drops_it(
        app: Flask, official_of_jiangsu: tuple[int, str]) -> None:
    _user_id, secret = official_of_jiangsu
    response = app.test_client().get(DASHBOARD, query_string={"region": "370100"}, headers=bearer(secret, "en"))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.json["errors"] == [{"field": "region", "code": "invalid_filter",
                                        "detail": "Choose a region within your jurisdiction."}]
    export = app.test_client().get("/api/v1/official/exports/csv?region=370100", headers=bearer(secret))
    assert export.status_code == 422 and export.json["errors"][0]["field"] == "region"
    assert export.json["errors"][0]["detail"] == "请选择本辖区内的地区。"


def test_each_bad_filter_is_one_problem_for_its_parameter(app: Flask, official_of_jiangsu: tuple[int, str]) -> None:
    _user_id, secret = official_of_jiangsu
    response = app.test_client().get(DASHBOARD, query_string={"size": "huge", "period": "soon", "mode": "x"},
                                     headers=bearer(secret))
    assert response.status_code == 422
    assert sorted(e["field"] for e in response.json["errors"]) == ["mode", "period", "size"]
    fields = app.test_client().get("/api/v1/official/exports/csv?by=size,colour", headers=bearer(secret, "en"))
    assert fields.status_code == 422 and fields.json["errors"][0]["field"] == "by"
    assert "colour" in fields.json["errors"][0]["detail"]


def test_a_population_too_small_to_publish_is_refused_as_on_the_web(app: Flask) -> None:
    _load(app, 40, ("32",), seed=22)
    user_id = account(app, "official-3205@example.gov.cn", "official", region="320500")
    secret = token(app, user_id)
    shown = app.test_client().get(DASHBOARD, headers=bearer(secret)).json
    board = _services_dashboard(app, user_id, {})
    assert board.refusal is not None and shown["refusal"]["code"] == board.refusal.code
    assert shown["total"] is None and shown["breakdowns"] == []
    web = logged_in(app, user_id).get("/official/export.csv?by=size")
    ours = app.test_client().get("/api/v1/official/exports/csv?by=size", headers=bearer(secret))
    assert (web.status_code, ours.status_code) in ((403, 403), (404, 404))


def test_only_an_officials_token_opens_the_official_endpoints(app: Flask, official_of_jiangsu: tuple[int, str]) -> None:
    client = app.test_client()
    assert client.get(DASHBOARD).status_code == 401
    assert client.get(DASHBOARD, headers={"Authorization": "Bearer sat_" + "x" * 40}).status_code == 401
    provider = organisation(app, "服务商甲")
    for email, role, org in (("e@example.com", "enterprise", None), ("s@example.com", "provider_staff", provider),
                             ("p@example.com", "provider_admin", provider), ("a@example.com", "site_admin", None)):
        secret = token(app, account(app, email, role, organisation=org))
        for url in (DASHBOARD, "/api/v1/official/exports/csv"):
            refused = client.get(url, headers=bearer(secret))
            assert refused.status_code == 403 and refused.mimetype == "application/problem+json", (role, url)
