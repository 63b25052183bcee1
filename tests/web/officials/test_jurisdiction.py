"""Jurisdiction: an official sees aggregates of their region and below only; individual results only where shared."""

from __future__ import annotations

import csv
import io

from authority import Load, Login, logged_in, make_account
from direct_counts import counted, fact_rows
from flask import Flask
from sqlalchemy import select

from assessment.db import officials
from assessment.db.models import Assessment, AuthorityShare, utcnow
from assessment.web.site import site


def population(html: str) -> int:
    """The published population on a dashboard page."""
    start = html.index('<dd id="population">') + len('<dd id="population">')
    return int(html[start:html.index("</dd>", start)])


def export_rows(client: object, query: str) -> list[dict[str, str]]:
    """A CSV export parsed into rows."""
    response = client.get(f"/official/export.csv?{query}")  # type: ignore[attr-defined]
    assert response.status_code == 200, response.data
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_an_official_of_jiangsu_sees_no_zhejiang_data(app: Flask, load_demo: Load, official: Login) -> None:
    load_demo(700, provinces=("32", "33"), seed=4)
    rows = fact_rows(app)
    year = max(r.year for r in rows)
    jiangsu = official("320000")
    html = jiangsu.get(f"/official/?period={year}").get_data(as_text=True)
    assert population(html) == len(counted(rows, year, lambda r: r.province == "320000"))
    assert "杭州市" not in html and "南京市" in html
    cells = export_rows(jiangsu, f"period={year}&by=county,level")
    assert cells and all(c["county"] == "total" or c["county"].startswith("32") for c in cells)
    refused = jiangsu.get(f"/official/?period={year}&region=330100").get_data(as_text=True)
    assert "请选择本辖区内的地区。" in refused
    assert population(refused) == population(html)


def test_a_city_official_sees_only_the_city(app: Flask, load_demo: Load, official: Login) -> None:
    load_demo(900, provinces=("32",), seed=6)
    rows = fact_rows(app)
    year = max(r.year for r in rows)
    expected = counted(rows, year, lambda r: r.city == "320100")
    nanjing = official("320100")
    html = nanjing.get(f"/official/?period={year}").get_data(as_text=True)
    assert len(expected) >= 20
    assert population(html) == len(expected)
    assert "玄武区" in html and "苏州市" not in html
    cells = export_rows(nanjing, f"period={year}&by=county")
    assert {c["county"] for c in cells} <= {r.region for r in expected} | {"total"}


def test_another_jurisdictions_shared_result_is_not_found_and_each_view_is_logged(
        app: Flask, load_demo: Load, official: Login) -> None:
    load_demo(60, provinces=("33",), seed=8)
    with site(app).sessions() as session:
        assessment = session.scalars(select(Assessment).order_by(Assessment.id).limit(1)).one()
        session.add(AuthorityShare(enterprise_id=assessment.enterprise_id, region_code="330000",
                                   assessment_id=assessment.id, created_at=utcnow()))
        session.commit()
        shared_id, enterprise_id = assessment.id, assessment.enterprise_id
    assert official("320000").get(f"/official/results/{shared_id}").status_code == 404
    zhejiang_id = make_account(app, "zj@example.gov.cn", "official", "330000")
    zhejiang = logged_in(app, zhejiang_id)
    page = zhejiang.get(f"/official/results/{shared_id}")
    assert page.status_code == 200
    assert 'id="demo-banner"' in page.get_data(as_text=True)
    assert zhejiang.get(f"/official/results/{shared_id + 1}").status_code == 404  # not shared
    listing = zhejiang.get("/official/shared").get_data(as_text=True)
    assert f"/official/results/{shared_id}" in listing
    with site(app).sessions() as session:
        log = officials.access_log(session, user_id=zhejiang_id, kind="result")
    assert [(e.assessment_id, e.enterprise_id, e.region_code) for e in log] == [(shared_id, enterprise_id, "330000")]


def test_a_revoked_share_is_no_longer_shown(app: Flask, load_demo: Load, official: Login) -> None:
    load_demo(30, provinces=("33",), seed=8)
    with site(app).sessions() as session:
        assessment = session.scalars(select(Assessment).order_by(Assessment.id).limit(1)).one()
        session.add(AuthorityShare(enterprise_id=assessment.enterprise_id, region_code="330000", assessment_id=None,
                                   created_at=utcnow(), revoked_at=utcnow()))
        session.commit()
        shared_id = assessment.id
    assert official("330000").get(f"/official/results/{shared_id}").status_code == 404


def test_only_officials_open_the_dashboard(app: Flask) -> None:
    anonymous = app.test_client().get("/official/")
    assert anonymous.status_code == 303 and "/auth/login" in anonymous.headers["Location"]
    enterprise = logged_in(app, make_account(app, "owner@example.com", "enterprise"))
    assert enterprise.get("/official/").status_code == 403
    assert enterprise.get("/official/export.csv").status_code == 403
    nowhere = logged_in(app, make_account(app, "nowhere@example.gov.cn", "official", "999999"))
    assert nowhere.get("/official/").status_code == 403


def test_viewing_the_dashboard_and_exporting_are_logged(app: Flask, load_demo: Load) -> None:
    load_demo(300, provinces=("32",), seed=2)
    user_id = make_account(app, "js@example.gov.cn", "official", "320000")
    client = logged_in(app, user_id)
    client.get("/official/?size=small")
    client.get("/official/export.json?by=size")
    with site(app).sessions() as session:
        kinds = [(e.kind, e.detail.get("size"), e.detail.get("by")) for e in officials.access_log(session, user_id=user_id)]
    assert kinds == [("dashboard", "small", None), ("export", None, "size")]
